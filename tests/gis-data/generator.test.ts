// The demo-city generator: deterministic, the numbers of the preset hold, the geometry is sound,
// and the data are usable by the rest of the product (phones, executors by rule, announcements now).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Db } from '../../server/db/db.ts';
import { migratedDb } from '../helpers/db.ts';
import { demoCity, DEMO_NOW, DEMO_PASSWORD } from '../helpers/city.ts';
import { serve, client } from '../helpers/http.ts';
import { seedCity, SeedRefused, DEMO_USERS } from '../../gis-data/generator/load.ts';
import { CATEGORY_SHARES, SPHERES } from '../../gis-data/generator/catalogue.ts';
import { PRESETS } from '../../gis-data/generator/presets.ts';
import { normalizePhone } from '../../vocabulary/phone.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import { Progress } from '../../gis-data/progress.ts';
import { seedIfEmpty } from '../../gis-data/seed-if-empty.ts';
import { planningRepo } from '../../server/planning/planning.repo.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';

const P = PRESETS.default;
let db: Db;
const quiet = () => new Progress(undefined, false);
const within = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= expected * tolerance, `${what}: ${actual}, expected ${expected} ±${tolerance * 100}%`);

test.before(async () => {
  ({ db } = await demoCity('generator'));
});

/** md5 over the ordered rows of the tables that make the city (columns set by the generator only). */
async function checksum(d: Db): Promise<Record<string, string>> {
  const queries: Record<string, string> = {
    building: `SELECT id, street_id, house_number, address, floors, apartments, district_id, housing_office_id, ST_AsEWKB(geom)::text FROM building`,
    street: `SELECT id, name, kind, rank, ST_AsEWKB(geom)::text FROM street`,
    resident: `SELECT id, full_name, building_id, apartment, created_at FROM resident`,
    resident_phone: `SELECT phone, resident_id, created_at FROM resident_phone`,
    infra_object: `SELECT id, kind, name, address, attributes, organisation_id, ST_AsEWKB(ST_SnapToGrid(geom, 1e-9))::text FROM infra_object`,
    appeal: `SELECT id, number, caller_phone, resident_id, building_id, infra_object_id, category_id, executor_id, status, due_at, created_at, done_at, closed_at, rating FROM appeal`,
    appeal_event: `SELECT appeal_id, at, kind, data FROM appeal_event`,
    announcement: `SELECT id, kind, utility, starts_at, ends_at, status, buildings_count, ST_AsEWKB(zone)::text FROM announcement`,
  };
  const out: Record<string, string> = {};
  for (const [t, sql] of Object.entries(queries)) {
    out[t] = (await d.one(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM (${sql}) x`)).h;
  }
  return out;
}

test('same seed → same city; another seed → another city; a loaded city is refused without --replace', async () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const a = (await migratedDb('gen_a')).db, b = (await migratedDb('gen_b')).db, c = (await migratedDb('gen_c')).db;
  await seedCity(a, { preset: 'small', seed: 7, now, progress: quiet() });
  await seedCity(b, { preset: 'small', seed: 7, now, progress: quiet() });
  await seedCity(c, { preset: 'small', seed: 8, now, progress: quiet() });
  const [ha, hb, hc] = await Promise.all([checksum(a), checksum(b), checksum(c)]);
  assert.equal(ha, hb);
  for (const t of Object.keys(ha)) assert.is.not(ha[t], hc[t], `${t} should differ for another seed`);
  try {
    await seedCity(a, { preset: 'small', seed: 7, now, progress: quiet() });
    assert.unreachable('a second load without replace was accepted');
  } catch (e) {
    assert.instance(e, SeedRefused);
  }
  // --replace empties the old city in the same transaction and loads again, identically.
  await seedCity(a, { preset: 'small', seed: 7, now, replace: true, progress: quiet() });
  assert.equal(await checksum(a), hb);
});

test('npm start seeds an empty database once; SEED_PRESET=none skips', async () => {
  const { db: empty } = await migratedDb('gen_start');
  const log: string[] = [];
  await seedIfEmpty(empty, 'none', (m) => log.push(m));
  assert.is((await empty.one('SELECT count(*) AS n FROM building')).n, 0);
  await seedIfEmpty(empty, 'small', (m) => log.push(m));
  assert.is((await empty.one('SELECT count(*) AS n FROM building')).n, PRESETS.small.buildings);
  const appeals = (await empty.one('SELECT count(*) AS n FROM appeal')).n;
  await seedIfEmpty(empty, 'small', (m) => log.push(m)); // not empty any more: left alone
  assert.is((await empty.one('SELECT count(*) AS n FROM appeal')).n, appeals);
  assert.match(log.join('\n'), /loading the demo city/);
});

test('the default preset has the size of Ivano-Frankivsk, centred on it', async () => {
  const n = await db.one(`SELECT (SELECT count(*) FROM building) AS buildings, (SELECT count(*) FROM resident) AS residents,
    (SELECT count(*) FROM resident_phone) AS phones, (SELECT count(*) FROM district) AS districts, (SELECT count(*) FROM street) AS streets,
    (SELECT count(*) FROM appeal) AS appeals, (SELECT ST_Y(ST_Centroid(ST_Collect(centroid))) FROM building) AS lat,
    (SELECT ST_X(ST_Centroid(ST_Collect(centroid))) FROM building) AS lon`);
  assert.is(n.buildings, P.buildings);
  within(n.residents, P.residents, 0.02, 'residents');
  within(n.phones, P.residents * 0.85, 0.15, 'phones');
  assert.ok(n.districts >= 6 && n.districts <= 10, `districts ${n.districts}`);
  assert.ok(n.streets >= 200, `streets ${n.streets}`);
  assert.is(n.appeals, P.appeals);
  assert.ok(Math.abs(n.lat - 48.92) < 0.02 && Math.abs(n.lon - 24.71) < 0.03, `centre ${n.lon} ${n.lat}`);
  const kinds = Object.fromEntries((await db.any(`SELECT kind, count(*)::int AS n FROM infra_object GROUP BY kind`)).map((r) => [r.kind, r.n]));
  within(kinds.traffic_light, 150, 0.1, 'traffic lights');
  within(kinds.stop, 400, 0.1, 'stops');
  within(kinds.container_site, 600, 0.1, 'container sites');
  within(kinds.kiosk, 300, 0.1, 'kiosks');
  assert.ok(kinds.cleaning_zone > 20, 'cleaning zones');
  assert.ok(kinds.other > 0, 'other objects');
  const landuse = await db.any(`SELECT DISTINCT kind FROM landuse ORDER BY kind`);
  assert.equal(landuse.map((r) => r.kind), ['forest', 'park', 'river', 'water']);
});

test('buildings: valid, not overlapping, inside their district, addressed, floors and apartments consistent', async () => {
  const bad = await db.one(`SELECT count(*) FILTER (WHERE NOT ST_IsValid(geom)) AS invalid,
    count(*) FILTER (WHERE district_id IS NULL OR housing_office_id IS NULL) AS unassigned,
    count(*) FILTER (WHERE floors NOT BETWEEN 1 AND 16) AS floors,
    count(*) FILTER (WHERE address !~ '^(вул\\.|просп\\.|бульв\\.|пл\\.|пров\\.|наб\\.|шосе) .+, [0-9]+а?$') AS address,
    -- at most one apartment per 25 m² of floor area
    count(*) FILTER (WHERE apartments > floors * ST_Area(geom::geography) / 25) AS crowded,
    count(*) FILTER (WHERE floors >= 5 AND apartments = 0) AS nonres_high
    FROM building`);
  assert.equal(bad, { invalid: 0, unassigned: 0, floors: 0, address: 0, crowded: 0, nonres_high: bad.nonres_high });
  assert.ok(bad.nonres_high < P.buildings * 0.05);
  const overlaps = await db.one(`SELECT count(*) AS n FROM building a JOIN building b ON a.id < b.id AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)`);
  assert.is(overlaps.n, 0);
  const outside = await db.one(`SELECT count(*) AS n FROM building b JOIN district d ON d.id = b.district_id WHERE NOT ST_Within(b.geom, d.geom)`);
  assert.is(outside.n, 0);
  const office = await db.one(`SELECT count(*) AS n FROM building b JOIN executor e ON e.id = b.housing_office_id
    WHERE e.kind <> 'housing_office' OR e.district_id <> b.district_id`);
  assert.is(office.n, 0);
  const mix = await db.one(`SELECT count(*) FILTER (WHERE floors <= 2) AS low, count(*) FILTER (WHERE floors BETWEEN 5 AND 9) AS mid,
    count(*) FILTER (WHERE floors >= 12) AS high FROM building`);
  assert.ok(mix.low > 2000 && mix.mid > 800 && mix.high > 50, JSON.stringify(mix));
  // Odd numbers on one side, even on the other: the famous address the other tests use exists.
  const nez = await db.any(`SELECT b.address FROM building b JOIN street s ON s.id = b.street_id WHERE s.name = 'Незалежності' AND b.house_number = '12'`);
  assert.equal(nez.map((r) => r.address), ['вул. Незалежності, 12']);
  const dupes = await db.one(`SELECT count(*) AS n FROM (SELECT address FROM building GROUP BY address HAVING count(*) > 1) x`);
  assert.is(dupes.n, 0);
});

test('districts and cleaning zones partition the city', async () => {
  const r = await db.one(`SELECT (SELECT ST_Area(ST_Union(geom)::geography) FROM district) AS city,
    (SELECT sum(ST_Area(geom::geography)) FROM district) AS districts,
    (SELECT sum(ST_Area(geom::geography)) FROM infra_object WHERE kind = 'cleaning_zone') AS zones,
    (SELECT sum(ST_Area(geom::geography)) FROM building) AS buildings,
    (SELECT count(*) FROM infra_object WHERE kind = 'cleaning_zone' AND organisation_id IS NULL) AS unowned`);
  within(r.districts, r.city, 0.001, 'districts overlap');
  within(r.zones + r.buildings, r.city, 0.002, 'zones + buildings');
  assert.is(r.unowned, 0);
  const overlap = await db.one(`SELECT count(*) AS n FROM infra_object a JOIN infra_object b ON a.id < b.id AND a.kind = 'cleaning_zone' AND b.kind = 'cleaning_zone'
    AND a.geom && b.geom AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 1`);
  assert.is(overlap.n, 0);
});

test('phones are unique E.164 numbers of Ukrainian mobile operators and city landlines', async () => {
  const r = await db.one(`SELECT count(*) AS n, count(DISTINCT phone) AS distinct_n,
    count(*) FILTER (WHERE phone ~ '^\\+380(50|66|67|68|73|93|95|96|97|98|99)[0-9]{7}$') AS mobile,
    count(*) FILTER (WHERE phone ~ '^\\+380342[0-9]{6}$') AS landline FROM resident_phone`);
  assert.is(r.n, r.distinct_n);
  assert.is(r.mobile + r.landline, r.n);
  assert.ok(r.landline > 0 && r.landline < r.n * 0.1);
  for (const { phone } of await db.any(`SELECT phone FROM resident_phone ORDER BY phone LIMIT 50`)) assert.is(normalizePhone(phone), phone);
  const names = await db.any(`SELECT full_name FROM resident ORDER BY id LIMIT 200`);
  for (const { full_name } of names) assert.match(full_name, /^[А-ЯІЇЄҐ][а-яіїєґ'’-]+ [А-ЯІЇЄҐ][а-яіїєґ'’]+ [А-ЯІЇЄҐ][а-яіїєґ]+(ович|івна|ївна|ич|іч|ічна)$/u);
  // Gender agreement between first name and patronymic.
  const mixed = await db.one(`SELECT count(*) AS n FROM resident WHERE (full_name ~ '(ович|ич)$' AND split_part(full_name, ' ', 2) ~ 'а$' AND split_part(full_name, ' ', 2) NOT IN ('Ілля', 'Микола', 'Лука'))`);
  assert.is(mixed.n, 0);
});

test('historic appeals follow the catalogue shares (±3 points), rules, deadlines and realistic statuses', async () => {
  const rows = await db.any(`SELECT c.code, count(*)::int AS n FROM appeal a JOIN category c ON c.id = a.category_id GROUP BY c.code`);
  const total = rows.reduce((s, r) => s + r.n, 0);
  const got = Object.fromEntries(rows.map((r) => [r.code, (100 * r.n) / total]));
  for (const c of CATEGORY_SHARES) assert.ok(Math.abs((got[c.code] ?? 0) - c.share) <= 3, `${c.code}: ${got[c.code]} vs ${c.share}`);
  const spheres = Object.fromEntries((await db.any(`SELECT s.code, 100.0 * count(*) / sum(count(*)) OVER () AS pct FROM appeal a
    JOIN category c ON c.id = a.category_id JOIN sphere s ON s.id = c.sphere_id GROUP BY s.code`)).map((r) => [r.code, Number(r.pct)]));
  for (const s of SPHERES) assert.ok(Math.abs(spheres[s.code] - s.share) <= 3, `${s.code}: ${spheres[s.code]} vs ${s.share}`);
  assert.ok(Math.abs(spheres.housing - 83.4) <= 1, `housing ${spheres.housing}`);

  const rule = await db.one(`SELECT
    count(*) FILTER (WHERE c.executor_rule = 'housing_office' AND a.building_id IS NOT NULL AND a.executor_id <> b.housing_office_id) AS office,
    count(*) FILTER (WHERE c.executor_rule = 'fixed' AND a.executor_id <> c.executor_id) AS fixed,
    count(*) FILTER (WHERE c.executor_rule = 'district' AND a.building_id IS NOT NULL AND a.executor_id <> cde.executor_id) AS district,
    count(*) FILTER (WHERE CASE WHEN a.control_count = 0 THEN a.due_at <> a.created_at + make_interval(hours => c.deadline_hours)
                                ELSE a.due_at <= a.created_at + make_interval(hours => c.deadline_hours) END) AS due, -- a return to Control sets a later one
    count(*) FILTER (WHERE a.created_at > $1 OR a.created_at < $1::timestamptz - interval '366 days') AS window,
    count(*) FILTER (WHERE c.infra_kind IS NOT NULL AND c.infra_kind <> 'cleaning_zone' AND (a.infra_object_id IS NULL OR a.point IS NULL)) AS no_object,
    count(*) FILTER (WHERE a.done_at < a.created_at OR a.closed_at < a.created_at OR a.updated_at < a.created_at) AS time_travel
    FROM appeal a JOIN category c ON c.id = a.category_id LEFT JOIN building b ON b.id = a.building_id
    LEFT JOIN category_district_executor cde ON cde.category_id = c.id AND cde.district_id = b.district_id`, [DEMO_NOW]);
  assert.equal(rule, { office: 0, fixed: 0, district: 0, due: 0, window: 0, no_object: 0, time_travel: 0 });
  const infraKind = await db.one(`SELECT count(*) AS n FROM appeal a JOIN category c ON c.id = a.category_id JOIN infra_object o ON o.id = a.infra_object_id WHERE o.kind <> c.infra_kind`);
  assert.is(infraKind.n, 0);
  const st = Object.fromEntries((await db.any(`SELECT status, 100.0 * count(*) / sum(count(*)) OVER () AS pct FROM appeal GROUP BY status`)).map((r) => [r.status, Number(r.pct)]));
  // A year's appeals are nearly all settled (demo-year.test.ts holds the overdue and late shares).
  assert.ok(st.closed > 60 && st.closed < 97, `closed ${st.closed}`);
  // Planned works past their deadline count as overdue, so few are planned at any time.
  for (const s of ['new', 'in_progress', 'planned', 'done', 'control', 'rejected']) assert.ok(st[s] > (s === 'planned' ? 0.05 : 0.1) && st[s] < 15, `${s} ${st[s]}`);
  const survey = await db.one(`SELECT count(*) FILTER (WHERE confirmation = 'confirmed') AS confirmed, count(*) FILTER (WHERE confirmation = 'not_confirmed') AS not_confirmed,
    count(*) FILTER (WHERE rating IS NOT NULL) AS rated, count(*) FILTER (WHERE status IN ('new', 'in_progress', 'planned', 'control') AND due_at < $1) AS overdue FROM appeal`, [DEMO_NOW]);
  assert.ok(survey.confirmed > survey.not_confirmed && survey.not_confirmed > 0 && survey.rated > 0 && survey.overdue > 0, JSON.stringify(survey));
  const callers = await db.one(`SELECT count(*) FILTER (WHERE a.caller_phone IS NOT NULL AND a.resident_id IS NOT NULL AND p.phone IS NULL) AS foreign_phone,
    count(*) FILTER (WHERE a.channel = 'phone' AND a.caller_phone IS NULL) AS silent FROM appeal a LEFT JOIN resident_phone p ON p.phone = a.caller_phone AND p.resident_id = a.resident_id`);
  assert.equal(callers, { foreign_phone: 0, silent: 0 });
  // Every appeal has a history that starts with its registration.
  const hist = await db.one(`SELECT count(*) AS n FROM appeal a WHERE NOT EXISTS (SELECT 1 FROM appeal_event e WHERE e.appeal_id = a.id AND e.kind = 'created' AND e.at = a.created_at)`);
  assert.is(hist.n, 0);
  const closedHist = await db.one(`SELECT count(*) AS n FROM appeal a WHERE a.status = 'closed' AND NOT EXISTS (SELECT 1 FROM appeal_event e WHERE e.appeal_id = a.id AND e.kind = 'status' AND e.data->>'status' = 'done')`);
  assert.is(closedHist.n, 0);
});

test('announcements: a past year, some active at "now" and more within the week, affected buildings from PostGIS', async () => {
  const r = await db.one(`SELECT
    count(*) FILTER (WHERE status = 'published' AND starts_at <= $1 AND ends_at > $1) AS active,
    min(buildings_count) FILTER (WHERE status = 'published' AND starts_at <= $1 AND ends_at > $1) AS min_active_buildings,
    count(*) FILTER (WHERE starts_at > $1 AND starts_at < $1::timestamptz + interval '7 days') AS upcoming,
    count(*) FILTER (WHERE ends_at < $1) AS past, count(DISTINCT utility) AS utilities, count(DISTINCT kind) AS kinds,
    count(DISTINCT source_kind) AS sources FROM announcement`, [DEMO_NOW]);
  assert.ok(r.active >= 10 && r.min_active_buildings > 0, JSON.stringify(r));
  assert.ok(r.upcoming >= 20 && r.past >= 600, JSON.stringify(r));
  assert.equal([r.utilities, r.kinds, r.sources], [5, 2, 3]);
  const mismatch = await db.one(`SELECT count(*) AS n FROM announcement a WHERE a.buildings_count <> (SELECT count(*) FROM building b WHERE ST_Intersects(b.geom, a.zone))
    OR a.apartments_count <> (SELECT coalesce(sum(b.apartments), 0) FROM building b JOIN announcement_building ab ON ab.building_id = b.id AND ab.announcement_id = a.id)`);
  assert.is(mismatch.n, 0);
  const residents = await db.one(`SELECT a.residents_count AS stored, (SELECT count(*) FROM resident r JOIN announcement_building ab ON ab.building_id = r.building_id AND ab.announcement_id = a.id) AS actual
    FROM announcement a ORDER BY a.id DESC LIMIT 1`);
  assert.is(residents.stored, residents.actual);
  const execs = await db.one(`SELECT count(*) AS n FROM announcement a JOIN executor e ON e.id = a.executor_id WHERE e.kind <> 'utility'`);
  assert.is(execs.n, 0);
  const ev = await db.one(`SELECT count(*) AS n FROM announcement a WHERE NOT EXISTS (SELECT 1 FROM announcement_event e WHERE e.announcement_id = a.id AND e.kind = 'published')`);
  assert.is(ev.n, 0);
});

test('calls inside announcements: the seeder\'s one rebuild equals a scan of calls and appeals, and the triggers are on again', async () => {
  const repo = planningRepo(db);
  const q = { from: addDays(kyivDay(DEMO_NOW), -365), to: kyivDay(DEMO_NOW) };
  const kept = await repo.announcementCalls(q);
  assert.equal(kept, await repo.naiveAnnouncementCalls(q));
  const sum = (k: 'calls' | 'appeals') => kept.reduce((s, r) => s + r[k], 0);
  assert.ok(kept.length > 600 && sum('calls') > 100 && sum('appeals') > 100, `${kept.length} announcements, ${sum('calls')} calls, ${sum('appeals')} appeals`);
  const triggers = await db.any(`SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE 'announcement_hits_%' ORDER BY tgname`);
  assert.is(triggers.length, 6);
  assert.ok(triggers.every((t) => t.tgenabled === 'O'), JSON.stringify(triggers));
});

test('demo users sign in with the demo password: one per role and one per organisation', async () => {
  const srv = await serve(createApp(testServices(db)));
  try {
    for (const u of DEMO_USERS) {
      const c = client(srv.url);
      const res = await c.signIn(u.login, DEMO_PASSWORD);
      assert.is(res.status, 200, u.login);
      assert.is((await (await c.get('/api/auth/me')).json()).user.role, u.role);
    }
    for (const login of ['vodokanal', 'oblenergo', 'gaz', 'teplo', 'zhek-1']) {
      const res = await client(srv.url).signIn(login, DEMO_PASSWORD);
      assert.is(res.status, 200, login);
    }
    assert.is((await client(srv.url).signIn('operator', 'wrong')).status, 401);
  } finally {
    await srv.close();
  }
  const ops = await db.any(`SELECT login, sip_interface FROM app_user WHERE role = 'operator' ORDER BY login`);
  assert.equal(ops, [{ login: 'operator', sip_interface: 'PJSIP/101' }, { login: 'operator2', sip_interface: 'PJSIP/102' }]);
  const orgs = await db.one(`SELECT count(*) AS n FROM executor e WHERE NOT EXISTS (SELECT 1 FROM app_user u WHERE u.executor_id = e.id AND u.login = e.code)`);
  assert.is(orgs.n, 0);
});

test.run();
