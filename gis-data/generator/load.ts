// Loads a generated city into the database in ONE transaction: a failed load leaves nothing.
// Bulk data goes through COPY; secondary indexes are dropped first and rebuilt once the rows are in
// (building's right after the buildings, because the cleaning zones and announcements need them);
// foreign-key triggers are skipped when the role may (the generator writes consistent ids).
import type { PoolClient } from 'pg';
import type { Db } from '../../server/db/db.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { Rng } from './random.ts';
import { preset as getPreset, type Preset } from './presets.ts';
import { planCity, addressOf, buildingRing, cellRing, type CityPlan, type Cell } from './layout.ts';
import { placeInfra } from './infra.ts';
import { writePeople, Chunks } from './people.ts';
import { writeAppeals, APPEAL_COLUMNS } from './appeals.ts';
import { writeAnnouncements, ANNOUNCEMENT_COLUMNS } from './announcements.ts';
import { CATEGORY_SHARES, SPHERES, executors as executorDefs } from './catalogue.ts';
import { CopyWriter, line } from './copy.ts';
import { multiPolygon, multiLineString, point, polygon, type Ring } from './ewkb.ts';
import { Progress, fmtDuration } from '../progress.ts';
import { ROLLUPS, triggerSwitches } from '../rollups.ts';

export const DEMO_PASSWORD = 'misto1580';

export interface SeedOptions {
  preset: string;
  seed?: string | number;
  /** "now" of the demo: appeals are the year before it, announcements around it. */
  now?: Date;
  /** Truncate an existing city first (otherwise a non-empty city is refused). */
  replace?: boolean;
  progress?: Progress;
  log?: (m: string) => void;
}

export interface SeedReport {
  preset: string; seed: string; now: string; ms: number;
  counts: Record<string, number>;
}

export class SeedRefused extends Error {}

/** Tables the demo city fills, in load order; --replace empties them (and what references them). */
export const CITY_TABLES = ['district', 'executor', 'street', 'building', 'resident', 'resident_phone', 'landuse', 'infra_object',
  'sphere', 'category', 'category_district_executor', 'app_user', 'appeal', 'appeal_event', 'call', 'announcement', 'announcement_building', 'announcement_event'];
const EXTRA_TRUNCATE = ['user_session', 'recording', 'survey_attempt', 'survey', 'announcement_subscription'];

export const DEMO_USERS = [
  { login: 'admin', role: 'admin', fullName: 'Адміністратор системи', sip: null },
  { login: 'operator', role: 'operator', fullName: 'Оксана Петрів', sip: 'PJSIP/101' },
  { login: 'operator2', role: 'operator', fullName: 'Марія Гнатюк', sip: 'PJSIP/102' },
  { login: 'analyst', role: 'analyst', fullName: 'Андрій Савчук', sip: null },
] as const;

/**
 * The survey calls of the year's settled appeals (report 3 has every month),
 * from each appeal's own outcome: a confirmation was reached by the last attempt (a fifth after a
 * missed one), an unconfirmed closing ran out of attempts (no pickup, busy, silence) or hit a
 * number that does not exist. Deterministic: the mix comes from a hash of the appeal's id.
 */
const SURVEY_HISTORY = `
  WITH src AS (
    SELECT DISTINCT ON (a.id) a.id AS appeal_id, ev.id AS event_id, a.caller_phone, a.confirmation, a.rating, ev.at AS done_at,
           greatest(coalesce(a.closed_at, a.updated_at), ev.at + interval '10 minutes') AS settled,
           (hashint8(a.id) & 2147483647) % 100 AS h
      FROM appeal a
      JOIN category c ON c.id = a.category_id AND c.survey
      JOIN appeal_event ev ON ev.appeal_id = a.id AND ev.kind = 'status' AND (ev.data->>'status' = 'done' OR ev.data ? 'done_at')
     WHERE a.created_at > $1::timestamptz - interval '366 days' AND a.caller_phone IS NOT NULL AND a.status IN ('closed', 'control')
     ORDER BY a.id, ev.id),
  plan AS (
    SELECT *, CASE WHEN confirmation IS NOT NULL THEN CASE WHEN h < 20 THEN 2 ELSE 1 END WHEN h < 10 THEN 1 ELSE 3 END AS tries,
           CASE WHEN confirmation IS NOT NULL THEN confirmation WHEN h < 10 THEN 'invalid_number' ELSE 'unreached' END AS result
      FROM src),
  s AS (
    INSERT INTO survey (appeal_id, event_id, kind, phone, state, result, rating, attempts, next_at, created_at, finished_at)
    SELECT appeal_id, event_id, 'survey', caller_phone, 'over', result, CASE WHEN result = 'confirmed' THEN rating END,
           tries, done_at + interval '1 hour', done_at, settled
      FROM plan ORDER BY appeal_id
    RETURNING id, appeal_id),
  t AS (
    SELECT s.id AS survey_id, g.n, p.*,
           least(p.settled - interval '1 minute', p.done_at + g.n * interval '1 hour') AS at,
           CASE WHEN g.n = p.tries AND p.confirmation IS NOT NULL THEN 'answered'
                WHEN p.result = 'invalid_number' THEN 'invalid_number'
                ELSE (ARRAY['no_pickup', 'busy', 'no_input'])[1 + (p.h + g.n) % 3] END AS outcome
      FROM s JOIN plan p USING (appeal_id) CROSS JOIN LATERAL generate_series(1, p.tries) AS g(n))
  INSERT INTO survey_attempt (survey_id, n, action_id, started_at, answered_at, ended_at, outcome, reason, cause, digit, rating)
  SELECT survey_id, n, 'survey-demo-' || survey_id || '-' || n, at,
         CASE WHEN outcome IN ('answered', 'no_input') THEN at + interval '6 seconds' END,
         at + CASE outcome WHEN 'answered' THEN interval '28 seconds' WHEN 'no_input' THEN interval '20 seconds' WHEN 'no_pickup' THEN interval '30 seconds' ELSE interval '2 seconds' END,
         outcome,
         CASE outcome WHEN 'answered' THEN 4 WHEN 'no_input' THEN 4 WHEN 'no_pickup' THEN 3 ELSE 0 END,
         CASE outcome WHEN 'answered' THEN 16 WHEN 'no_input' THEN 16 WHEN 'busy' THEN 17 WHEN 'invalid_number' THEN 1 END,
         CASE WHEN outcome = 'answered' THEN CASE WHEN confirmation = 'confirmed' THEN '1' ELSE '2' END WHEN outcome = 'no_input' THEN '' END,
         CASE WHEN outcome = 'answered' AND confirmation = 'confirmed' THEN rating END
    FROM t`;

/**
 * The contact centre's call log for the year, from the appeals (deterministic: hashes of the ids).
 * Every phone appeal was registered during an answered call with its id; as many calls again
 * (about 0.6 per appeal) registered nothing: mostly consultations ("the hot water is off until
 * 18:00"), and the calls that did not reach an operator — hung up in the queue or while ringing, no
 * free operator, the queue's time limit, the greeting menu. Waits are mostly within the service
 * level's 20 seconds, longer at the busy hours of the morning.
 */
const CALL_HISTORY = `
  WITH a AS (
    SELECT a.id, a.caller_phone, a.resident_id, a.operator_id, a.created_at, (hashint8(a.id) & 2147483647) AS h, (hashint8(-a.id) & 2147483647) AS h2
      FROM appeal a WHERE a.channel = 'phone'),
  m AS (SELECT coalesce(max(id), 0) AS top FROM appeal),
  c AS (
    -- The appeals' own calls.
    SELECT a.id, a.caller_phone, a.resident_id, a.operator_id, 'answered' AS outcome, false AS consultation,
           a.created_at - make_interval(secs => 40 + a.h % 140) AS answered_at,
           make_interval(secs => CASE WHEN a.h2 % 100 < 82 THEN 2 + a.h2 % 18 ELSE 20 + a.h2 % 160 END) AS wait,
           a.created_at + make_interval(secs => 20 + a.h2 % 200) AS ended
      FROM a
    UNION ALL
    -- The calls that registered nothing, near the same hour (the same seasons and times of day).
    SELECT m.top + a.id, CASE WHEN a.h % 7 = 0 THEN NULL ELSE a.caller_phone END, a.resident_id,
           CASE WHEN o.outcome = 'answered' THEN ($1::int[])[1 + a.h % array_length($1::int[], 1)] END, o.outcome, o.outcome = 'answered',
           CASE WHEN o.outcome = 'answered' THEN x.at END, make_interval(secs => CASE WHEN o.outcome = 'answered' AND a.h % 100 < 80 THEN 3 + a.h % 17 ELSE 15 + a.h % 200 END),
           x.at + make_interval(secs => CASE WHEN o.outcome = 'answered' THEN 60 + a.h2 % 240 ELSE 5 + a.h2 % 40 END)
      FROM a CROSS JOIN m
      CROSS JOIN LATERAL (SELECT a.created_at + make_interval(secs => (a.h2 % 5400)::int - 2700) AS at) x
      CROSS JOIN LATERAL (SELECT CASE WHEN a.h % 1000 < 450 THEN 'answered' WHEN a.h % 1000 < 520 THEN 'abandoned_queue'
                                      WHEN a.h % 1000 < 535 THEN 'abandoned_ringing' WHEN a.h % 1000 < 560 THEN 'no_operators'
                                      WHEN a.h % 1000 < 570 THEN 'queue_timeout' WHEN a.h % 1000 < 610 THEN 'ended_before_queue' END AS outcome) o
     WHERE o.outcome IS NOT NULL)
  INSERT INTO call (id, uniqueid, linkedid, direction, caller_phone, called_number, queue, operator_id, agent_interface, resident_id,
                    entered_at, queued_at, answered_at, hungup_at, hangup_cause, hangup_cause_text, consultation, queue_status, outcome)
  SELECT c.id, 'demo-' || c.id, 'demo-' || c.id, 'in', c.caller_phone, '1580', CASE WHEN c.outcome <> 'ended_before_queue' THEN 'operators' END,
         c.operator_id, u.sip_interface, c.resident_id,
         coalesce(c.answered_at - c.wait, c.ended - c.wait) - interval '8 seconds',
         CASE WHEN c.outcome <> 'ended_before_queue' THEN coalesce(c.answered_at - c.wait, c.ended - c.wait) END,
         c.answered_at, c.ended, 16, 'Normal Clearing', c.consultation,
         CASE c.outcome WHEN 'no_operators' THEN 'JOINEMPTY' WHEN 'queue_timeout' THEN 'TIMEOUT' END, c.outcome
    FROM c LEFT JOIN app_user u ON u.id = c.operator_id
   ORDER BY c.id`;

export async function isCityEmpty(db: Db): Promise<boolean> {
  const r = await db.one(`SELECT NOT EXISTS (SELECT 1 FROM building) AND NOT EXISTS (SELECT 1 FROM district)
    AND NOT EXISTS (SELECT 1 FROM street) AND NOT EXISTS (SELECT 1 FROM executor) AND NOT EXISTS (SELECT 1 FROM category) AS empty`);
  return r.empty;
}

export async function seedCity(db: Db, opts: SeedOptions): Promise<SeedReport> {
  const p = getPreset(opts.preset);
  const seed = String(opts.seed ?? 1580);
  const now = (opts.now ?? new Date()).getTime();
  if (!Number.isFinite(now)) throw new Error('Invalid "now" date');
  const progress = opts.progress ?? new Progress();
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const root = new Rng(`misto:${p.name}:${seed}`);
  const t0 = Date.now();

  progress.start('city plan');
  const plan = planCity(p, root.fork('plan'));
  const infra = placeInfra(p, plan, root.fork('infra'), now);
  progress.finish(`${plan.cells.length} blocks, ${plan.streets.length} streets, ${plan.buildings.length} buildings`);
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  const conn = await db.connect();
  const client = conn.client as unknown as PoolClient;
  const q = (sql: string, params?: unknown[]) => client.query(sql, params as unknown[]);
  const counts: Record<string, number> = {};
  try {
    await q('BEGIN');
    await q(`SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL work_mem = '256MB'`);
    await q('SAVEPOINT replica');
    try { await q(`SET LOCAL session_replication_role = replica`); await q('RELEASE SAVEPOINT replica'); }
    catch { await q('ROLLBACK TO SAVEPOINT replica'); log('seed: not a superuser, foreign keys are checked row by row (slower)'); }

    const empty = (await q(`SELECT NOT EXISTS (SELECT 1 FROM building) AND NOT EXISTS (SELECT 1 FROM district)
      AND NOT EXISTS (SELECT 1 FROM street) AND NOT EXISTS (SELECT 1 FROM executor) AND NOT EXISTS (SELECT 1 FROM category) AS empty`)).rows[0].empty;
    if (!empty && !opts.replace) throw new SeedRefused('The database already holds a city; pass --replace to empty it and load the demo city instead.');
    if (!empty) {
      progress.start('truncate the old city');
      const present = (await q(`SELECT array_agg(relname::text) AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace AND relname = ANY($1)`, [[...CITY_TABLES, ...EXTRA_TRUNCATE]])).rows[0].t as string[];
      await q(`TRUNCATE ${present.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`);
      progress.finish();
    }
    const dropped = await dropIndexes(q, CITY_TABLES);
    const rebuild = async (table: string) => {
      for (const ix of dropped.filter((d) => d.table === table)) await q(ix.def);
    };
    const copy = (table: string, columns: string[]) => new CopyWriter(client, table, columns);

    // Districts: the union of their blocks (to the street axes), so they partition the city.
    progress.start('districts', plan.cells.length);
    await q(`CREATE TEMP TABLE seed_cell (id int, district int, zone int, geom geometry(Polygon, 4326)) ON COMMIT DROP`);
    const cells = copy('seed_cell', ['id', 'district', 'zone', 'geom']);
    for (const c of plan.cells) { await cells.write(line([c.id, c.district, c.zone, polygon([cellRing(c, plan.toLonLat)])])); progress.tick(); }
    await cells.end();
    await q(`INSERT INTO district (id, name, name_en, geom)
             SELECT d.id, d.name, d.name_en, ST_Multi(ST_Union(c.geom)) FROM seed_cell c
             JOIN unnest($1::int[], $2::text[], $3::text[]) AS d(id, name, name_en) ON d.id = c.district
             GROUP BY d.id, d.name, d.name_en ORDER BY d.id`,
      [p.districts.map((_, k) => k + 1), p.districts.map((d) => d[0]), p.districts.map((d) => d[1])]);
    counts.district = p.districts.length;
    progress.finish();

    // Executors: utilities, a housing office per district, city services.
    const landline = (k: number) => `+380${p.landline}${String(500_000 + k * 1_713).padStart(9 - p.landline.length, '0').slice(-(9 - p.landline.length))}`;
    const execs = executorDefs(p.city, p.districts.map((d) => d[0]), landline).map((e, k) => ({ ...e, id: k + 1 }));
    const exW = copy('executor', ['id', 'code', 'name', 'name_en', 'kind', 'utility', 'district_id', 'email', 'phone']);
    for (const e of execs) await exW.row([e.id, e.code, e.name, e.nameEn, e.kind, e.utility ?? null, e.district ?? null, `${e.code}@${p.emailDomain}`, e.phone]);
    counts.executor = await exW.end();
    const execId = new Map(execs.map((e) => [e.code, e.id]));
    const execByCode = new Map(execs.map((e) => [e.code, e]));

    progress.start('streets', plan.streets.length);
    const stW = copy('street', ['id', 'name', 'kind', 'rank', 'geom']);
    for (const s of plan.streets) { await stW.row([s.id, s.name, s.kind, s.rank, multiLineString(s.lines)]); progress.tick(); }
    counts.street = await stW.end();
    progress.finish();

    progress.start('buildings', plan.buildings.length);
    const bW = copy('building', ['id', 'street_id', 'house_number', 'address', 'floors', 'apartments', 'district_id', 'housing_office_id', 'geom']);
    for (const b of plan.buildings) {
      await bW.row([b.id, b.street!.id, b.number!, addressOf(b.street!, b.number), b.floors, b.apartments, b.district,
        execId.get(`zhek-${b.district}`)!, multiPolygon([[buildingRing(b, plan.toLonLat)]])]);
      progress.tick();
    }
    counts.building = await bW.end();
    progress.finish();
    progress.start('building indexes');
    await rebuild('building');
    progress.finish();

    const rW = copy('resident', ['id', 'full_name', 'building_id', 'apartment', 'created_at']);
    const phones = new Chunks();
    const people = await writePeople(p, plan.buildings, root.fork('people'), now, rW, phones, progress);
    counts.resident = await rW.end();
    progress.start('phones');
    // Phones arrive in random order: one sorted primary-key build beats millions of random insertions.
    const phonePk = await withoutPrimaryKey(q, 'resident_phone');
    const phW = copy('resident_phone', ['phone', 'resident_id', 'created_at']);
    await phones.drainInto(phW);
    await phW.end();
    await phonePk();
    counts.resident_phone = Number((await q('SELECT count(*) AS n FROM resident_phone')).rows[0].n);
    progress.finish(`${counts.resident_phone}`);

    progress.start('landuse and infrastructure');
    counts.landuse = await writeLanduse(p, plan, copy('landuse', ['id', 'kind', 'name', 'geom']), root.fork('landuse'));
    const iW = copy('infra_object', ['id', 'kind', 'name', 'address', 'attributes', 'organisation_id', 'geom']);
    for (const o of infra.points) await iW.row([o.id, o.kind, o.name, o.address, JSON.stringify(o.attributes), execId.get(o.org)!, point(o.lon, o.lat)]);
    await iW.end();
    await q(`CREATE TEMP TABLE seed_zone (id int, zone int, name text, attributes jsonb, org int) ON COMMIT DROP`);
    const zW = copy('seed_zone', ['id', 'zone', 'name', 'attributes', 'org']);
    for (const z of infra.zones) await zW.row([z.id, z.zone, z.name, JSON.stringify(z.attributes), execId.get(z.org)!]);
    await zW.end();
    // Cleaning zones partition the public space: their blocks to the street axes minus the buildings.
    await q(`INSERT INTO infra_object (id, kind, name, address, attributes, organisation_id, geom)
      SELECT z.id, 'cleaning_zone', z.name, '', z.attributes, z.org,
             ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Difference(u.geom, coalesce(bl.geom, 'SRID=4326;POLYGON EMPTY'::geometry))), 3))
      FROM seed_zone z
      CROSS JOIN LATERAL (SELECT ST_Union(c.geom) AS geom FROM seed_cell c WHERE c.zone = z.zone) u
      CROSS JOIN LATERAL (SELECT ST_Collect(ST_GeometryN(b.geom, 1)) AS geom FROM building b
                          WHERE b.geom && u.geom AND ST_Within(b.centroid, u.geom)) bl
      ORDER BY z.id`);
    counts.infra_object = infra.points.length + infra.zones.length;
    await rebuild('infra_object'); await rebuild('landuse'); await rebuild('street'); await rebuild('district');
    progress.finish(`${infra.points.length} points, ${infra.zones.length} cleaning zones`);

    // The catalogue.
    const sW = copy('sphere', ['id', 'code', 'name', 'name_en']);
    for (const [k, s] of SPHERES.entries()) await sW.row([k + 1, s.code, s.name, s.nameEn]);
    await sW.end();
    const sphereId = new Map(SPHERES.map((s, k) => [s.code, k + 1]));
    const cW = copy('category', ['id', 'sphere_id', 'code', 'name', 'name_en', 'executor_rule', 'executor_id', 'deadline_hours', 'survey', 'infra_kind']);
    const districtExecutor = new Map<string, number>();
    const byDistrict: number[][] = [];
    for (const [k, c] of CATEGORY_SHARES.entries()) {
      await cW.row([k + 1, sphereId.get(c.sphere)!, c.code, c.name, c.nameEn, c.rule, execId.get(c.executor === 'zhek' ? 'zhek-1' : c.executor)!, c.deadlineHours, c.survey, c.infraKind ?? null]);
      if (c.rule === 'district') for (let d = 1; d <= p.districts.length; d++) {
        districtExecutor.set(`${c.code}:${d}`, execId.get(`zhek-${d}`)!);
        byDistrict.push([k + 1, d, execId.get(`zhek-${d}`)!]);
      }
    }
    counts.category = await cW.end();
    const cdW = copy('category_district_executor', ['category_id', 'district_id', 'executor_id']);
    for (const r of byDistrict) await cdW.row(r);
    await cdW.end();

    // Demo users: one per role, and one per organisation named by its code.
    const userOf = new Map<string, number>();
    const operators: number[] = [];
    const addUser = async (login: string, role: string, fullName: string, executorId: number | null, sip: string | null) => {
      const r = await q(`INSERT INTO app_user (login, full_name, role, executor_id, sip_interface, password_hash) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (login) DO UPDATE SET full_name = EXCLUDED.full_name, role = EXCLUDED.role, executor_id = EXCLUDED.executor_id,
          sip_interface = EXCLUDED.sip_interface, password_hash = EXCLUDED.password_hash, disabled = false RETURNING id`,
      [login, fullName, role, executorId, sip, passwordHash]);
      return r.rows[0].id as number;
    };
    for (const u of DEMO_USERS) {
      const id = await addUser(u.login, u.role, u.fullName, null, u.sip);
      if (u.role === 'operator') operators.push(id);
    }
    for (const e of execs) userOf.set(e.code, await addUser(e.code, 'executor', `Диспетчер: ${e.name}`, e.id, null));
    counts.app_user = DEMO_USERS.length + execs.length;

    // Appeals and their history.
    const maxB = plan.buildings.length + 1;
    const buildingDistrict = new Int32Array(maxB), buildingOffice = new Int32Array(maxB), buildingZone = new Int32Array(maxB);
    const zoneInfra = new Map(infra.zones.map((z) => [z.zone, z.id]));
    for (const b of plan.buildings) {
      buildingDistrict[b.id] = b.district; buildingOffice[b.id] = execId.get(`zhek-${b.district}`)!; buildingZone[b.id] = zoneInfra.get(b.cell.zone) ?? 0;
    }
    // Every rollup is rebuilt once from the loaded city instead of a trigger call per copied row
    // (replica mode skips the appeal triggers too; a non-superuser owner needs this).
    for (const sql of triggerSwitches(false)) await q(sql);
    // Phone appeals name their call (the same id); the calls are derived from the appeals below.
    const callFk = await withoutForeignKey(q, 'appeal', 'call');
    const aW = copy('appeal', APPEAL_COLUMNS);
    await writeAppeals(p, {
      categoryIds: new Map(CATEGORY_SHARES.map((c, k) => [c.code, k + 1])), executorIds: execId,
      buildingDistrict, buildingOffice, buildingZone, districtExecutor, infra: infra.points, operators,
    }, people, root.fork('appeals'), now, aW, progress);
    counts.appeal = await aW.end();

    progress.start('appeal history');
    // Derived from each appeal's own timestamps, so it is as deterministic as the appeals. The
    // primary key is rebuilt once afterwards: cheaper than 10⁷ index insertions.
    const eventPk = await withoutPrimaryKey(q, 'appeal_event');
    // A return to Control (control_count > 0): the resident did not confirm the first "done" at
    // the moment the new deadline counts from (due_at − the category's hours; the updated_at of an
    // appeal still under Control); the first "done" came before it.
    const steps = p.history === 'full' ? `
        (2, CASE WHEN a.status NOT IN ('new', 'rejected') THEN a.created_at + least(interval '2 hours', (coalesce(a.done_at, a.updated_at) - a.created_at) / 2) END,
            u.id, 'status', jsonb_build_object('status', 'in_progress')),
        (3, CASE WHEN a.status = 'planned' THEN a.updated_at END, u.id, 'status',
            jsonb_build_object('status', 'planned', 'answer', a.answer, 'plannedAt', a.planned_at, 'planReason', a.plan_reason)),
        (4, CASE WHEN a.control_count > 0 THEN ctl.at - (ctl.at - a.created_at) * 0.3 END, u.id, 'status', jsonb_build_object('status', 'done', 'answer', a.answer)),
        (5, CASE WHEN a.control_count > 0 THEN ctl.at END, NULL::int, 'survey', jsonb_build_object('confirmed', false, 'rating', a.rating)),
        (6, CASE WHEN a.control_count > 0 THEN ctl.at END, NULL::int, 'status',
            jsonb_build_object('from', 'done', 'to', 'control', 'status', 'control', 'confirmed', false, 'rating', a.rating, 'dueAt', a.due_at)),
        (7, a.done_at, u.id, 'status', jsonb_build_object('status', 'done', 'answer', a.answer)),
        (8, CASE WHEN a.confirmation IS NOT NULL AND a.control_count = 0 THEN coalesce(a.closed_at, a.updated_at) END, NULL::int, 'survey',
            jsonb_build_object('confirmed', a.confirmation = 'confirmed', 'rating', a.rating)),
        (9, CASE WHEN a.status IN ('closed', 'rejected') THEN a.closed_at END,
            CASE WHEN a.status = 'rejected' THEN u.id END, 'status',
            CASE WHEN a.status = 'rejected' THEN jsonb_build_object('status', 'rejected', 'answer', a.answer, 'rejectReason', a.reject_reason) ELSE jsonb_build_object('status', a.status) END)` : `
        (2, CASE WHEN a.status <> 'new' THEN a.updated_at END, u.id, 'status',
            jsonb_strip_nulls(jsonb_build_object('status', a.status, 'answer', a.answer, 'done_at', a.done_at,
              'confirmed', CASE WHEN a.confirmation IS NOT NULL THEN a.confirmation = 'confirmed' END, 'rating', a.rating,
              'control_count', nullif(a.control_count, 0))))`;
    const ev = await q(`INSERT INTO appeal_event (appeal_id, at, actor_id, kind, data)
      SELECT a.id, e.at, e.actor, e.kind, e.data
      FROM appeal a
      LEFT JOIN app_user u ON u.executor_id = a.executor_id AND u.role = 'executor'
      JOIN category c ON c.id = a.category_id
      CROSS JOIN LATERAL (SELECT CASE WHEN a.status = 'control' THEN a.updated_at ELSE a.due_at - c.deadline_hours * interval '1 hour' END AS at) ctl
      CROSS JOIN LATERAL (VALUES
        (1, a.created_at, a.operator_id, 'created', jsonb_build_object('channel', a.channel, 'category_id', a.category_id, 'executor_id', a.executor_id, 'due_at', a.due_at)),
        ${steps}
      ) AS e(n, at, actor, kind, data)
      WHERE e.at IS NOT NULL`);
    await eventPk();
    counts.appeal_event = ev.rowCount ?? 0;
    progress.tick(counts.appeal_event);
    progress.finish();

    progress.start('calls');
    counts.call = (await q(CALL_HISTORY, [operators])).rowCount ?? 0;
    await callFk();
    progress.finish(`${counts.call} calls`);

    progress.start('survey calls');
    // Rows loaded in this transaction have no statistics yet: without them the planner joins a
    // year of appeals and their history by nested loops.
    await q('ANALYZE appeal'); await q('ANALYZE appeal_event');
    const sv = await q(SURVEY_HISTORY, [new Date(now)]);
    // The generated history is history: the product's scheduler starts after it.
    await q('UPDATE survey_scan SET last_event_id = (SELECT coalesce(max(id), 0) FROM appeal_event) WHERE id = 1');
    progress.finish(`${sv.rowCount ?? 0} survey call attempts`);

    progress.start('announcements');
    const anW = copy('announcement', ANNOUNCEMENT_COLUMNS);
    counts.announcement = await writeAnnouncements(p, plan, { executors: execByCode, userOf }, root.fork('announcements'), now, anW).then(() => anW.end());
    await rebuild('announcement');
    const ab = await q(`INSERT INTO announcement_building (announcement_id, building_id)
      SELECT a.id, b.id FROM announcement a JOIN building b ON ST_Intersects(b.geom, a.zone) ORDER BY a.id, b.id`);
    counts.announcement_building = ab.rowCount ?? 0;
    await q(`UPDATE announcement a SET buildings_count = s.buildings, apartments_count = s.apartments, residents_count = s.residents
      FROM (SELECT ab.announcement_id, count(*) AS buildings, sum(b.apartments) AS apartments, sum(coalesce(r.n, 0)) AS residents
            FROM announcement_building ab JOIN building b ON b.id = ab.building_id
            LEFT JOIN (SELECT building_id, count(*) AS n FROM resident GROUP BY building_id) r ON r.building_id = b.id
            GROUP BY ab.announcement_id) s
      WHERE s.announcement_id = a.id`);
    const ae = await q(`INSERT INTO announcement_event (announcement_id, at, actor_id, kind, data)
      SELECT a.id, e.at, a.created_by, e.kind, e.data FROM announcement a
      CROSS JOIN LATERAL (VALUES
        (a.created_at, 'published', jsonb_build_object('starts_at', a.starts_at, 'ends_at', a.ends_at, 'buildings', a.buildings_count)),
        (CASE WHEN a.status IN ('cancelled', 'closed') THEN a.closed_at END, a.status, '{}'::jsonb)
      ) AS e(at, kind, data)
      WHERE e.at IS NOT NULL ORDER BY a.id, e.at`);
    counts.announcement_event = ae.rowCount ?? 0;
    progress.finish(`${counts.announcement} announcements, ${counts.announcement_building} affected buildings`);

    progress.start('indexes');
    const rest = dropped.filter((d) => !['building', 'infra_object', 'landuse', 'street', 'district', 'announcement'].includes(d.table));
    for (const ix of rest) await q(ix.def);
    for (const t of ['district', 'executor', 'street', 'building', 'resident', 'landuse', 'infra_object', 'sphere', 'category', 'app_user', 'appeal', 'appeal_event', 'call', 'announcement', 'announcement_event']) {
      await q(`SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT max(id) FROM "${t}"), 0) + 1, false)`, [t]);
    }
    const year = new Date(now).getUTCFullYear();
    await q(`SELECT setval('appeal_number_seq', greatest(1, (SELECT count(*) FROM appeal WHERE number LIKE $1)))`, [`${p.numberPrefix}/${year}/%`]);
    progress.finish(`${dropped.length} rebuilt`);
    // Calls, residents and announcements loaded in this transaction have no statistics yet.
    for (const t of ['call', 'resident', 'resident_phone', 'announcement']) await q(`ANALYZE ${t}`);
    for (const sql of triggerSwitches(true)) await q(sql);
    for (const r of ROLLUPS) {
      progress.start(r.name);
      await q(`SELECT ${r.rebuild}()`);
      progress.finish();
    }
    progress.start('commit');
    await q('COMMIT');
    progress.finish();
  } catch (e) {
    await q('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    conn.done();
  }
  progress.start('analyze');
  await db.none('ANALYZE');
  progress.finish();
  return { preset: p.name, seed, now: new Date(now).toISOString(), ms: Date.now() - t0, counts };
}

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** Drops a table's primary key for a bulk load; returns the function that puts it back. Keeps it
 *  (and returns a no-op) when something references it. */
async function withoutPrimaryKey(q: Query, table: string): Promise<() => Promise<void>> {
  const { rows } = await q(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`, [table]);
  if (!rows.length) return async () => {};
  const { conname, def } = rows[0] as { conname: string; def: string };
  await q('SAVEPOINT pk');
  try {
    await q(`ALTER TABLE "${table}" DROP CONSTRAINT "${conname}"`);
    await q('RELEASE SAVEPOINT pk');
  } catch {
    await q('ROLLBACK TO SAVEPOINT pk');
    return async () => {};
  }
  return async () => { await q(`ALTER TABLE "${table}" ADD CONSTRAINT "${conname}" ${def}`); };
}

/** Drops the foreign key of `table` to `target` for a bulk load; returns the function that puts it back (validated). */
async function withoutForeignKey(q: Query, table: string, target: string): Promise<() => Promise<void>> {
  const { rows } = await q(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' AND confrelid = $2::regclass`, [table, target]);
  for (const r of rows) await q(`ALTER TABLE "${table}" DROP CONSTRAINT "${r.conname}"`);
  return async () => { for (const r of rows) await q(`ALTER TABLE "${table}" ADD CONSTRAINT "${r.conname}" ${r.def}`); };
}

/** Drops the secondary (non-constraint) indexes of the tables and returns their definitions. */
async function dropIndexes(q: Query, tables: string[]): Promise<{ table: string; name: string; def: string }[]> {
  const { rows } = await q(`SELECT c.relname AS table, i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    ORDER BY c.relname, name`, [tables]);
  for (const r of rows) await q(`DROP INDEX ${r.name}`);
  return rows as { table: string; name: string; def: string }[];
}

async function writeLanduse(p: Preset, plan: CityPlan, w: CopyWriter, rng: Rng): Promise<number> {
  let id = 0;
  const { toLonLat } = plan;
  const inner = (c: Cell): Ring => {
    const inset = (r: number) => plan.roadHalf(r) + 2;
    const x0 = c.x0 + inset(plan.vlines[c.i].rank), x1 = c.x1 - inset(plan.vlines[c.i + 1].rank);
    const y0 = c.y0 + inset(plan.hlines[c.j].rank), y1 = c.y1 - inset(plan.hlines[c.j + 1].rank);
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]].flatMap(([x, y]) => toLonLat(x, y));
  };
  // Parks: clusters of neighbouring park blocks; the biggest is the city park (with its lake).
  const parks = plan.cells.filter((c) => c.kind === 'park');
  const seen = new Set<Cell>();
  const clusters: Cell[][] = [];
  for (const c of parks) {
    if (seen.has(c)) continue;
    const group: Cell[] = [], stack = [c];
    seen.add(c);
    while (stack.length) {
      const x = stack.pop()!; group.push(x);
      for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const n = plan.cellAt(x.i + di, x.j + dj);
        if (n && n.active && n.kind === 'park' && !seen.has(n)) { seen.add(n); stack.push(n); }
      }
    }
    clusters.push(group.sort((a, b) => a.id - b.id));
  }
  clusters.sort((a, b) => b.length - a.length || a[0].id - b[0].id);
  for (const [k, g] of clusters.entries()) {
    await w.row([++id, 'park', k === 0 ? p.park : `Сквер №${k}`, multiPolygon(g.map((c) => [inner(c)]))]);
  }
  if (clusters.length) {
    const c = clusters[0][0];
    const mx = (c.x0 + c.x1) / 2, my = (c.y0 + c.y1) / 2, rx = (c.x1 - c.x0) / 4, ry = (c.y1 - c.y0) / 4;
    const ring: number[] = [];
    for (let k = 0; k < 24; k++) { const t = (2 * Math.PI * k) / 24; ring.push(...toLonLat(mx + rx * Math.cos(t) * rng.range(0.9, 1.05), my + ry * Math.sin(t))); }
    ring.push(ring[0], ring[1]);
    await w.row([++id, 'water', p.lake, multiPolygon([[ring]])]);
  }
  // Riverside blocks are green banks; the rivers themselves run through them.
  const banks = plan.cells.filter((c) => c.kind === 'river');
  if (banks.length) await w.row([++id, 'park', 'Прибережна зона', multiPolygon(banks.map((c) => [inner(c)]))]);
  for (const r of plan.rivers) await w.row([++id, 'river', r.name, multiPolygon([[r.ring]])]);
  // A forest beyond the edge of town.
  const a = rng.range(0, 2 * Math.PI), R = plan.radius;
  const fr = R * 0.35, fx = Math.cos(a) * (R + fr * 1.3), fy = Math.sin(a) * (R + fr * 1.3);
  const ring: number[] = [];
  for (let k = 0; k < 32; k++) { const t = (2 * Math.PI * k) / 32; const r = fr * rng.range(0.8, 1.15); ring.push(...toLonLat(fx + r * Math.cos(t), fy + r * Math.sin(t))); }
  ring.push(ring[0], ring[1]);
  await w.row([++id, 'forest', p.forest, multiPolygon([[ring]])]);
  return w.end();
}

export function describe(r: SeedReport) {
  const c = r.counts;
  return `Demo city "${r.preset}" (seed ${r.seed}, now ${r.now}): ${c.building} buildings, ${c.resident} residents, ` +
    `${c.resident_phone} phones, ${c.infra_object} infrastructure objects, ${c.appeal} appeals, ${c.appeal_event} appeal events, ` +
    `${c.announcement} announcements — loaded in ${fmtDuration(r.ms)}`;
}

export type { CityPlan };
