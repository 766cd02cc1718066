// Test cities row by row over a real test database: the one place in the tests that knows which
// columns the city's tables have and what they must hold. `const b = builder(db)`, then
// `await b.district()`, `b.building({ street, house: '12' })`, `b.appeal({ category })` … — every
// NOT NULL column has a default (a reference a test leaves out is made once per builder and
// shared), so a test writes only what it is about, and gets ids back. An explicit `id` is kept
// and the table's sequence is moved past it, so rows made later without one never collide.
//
// Times default to TEST_NOW (the instant the product's clock stands at), never the wall clock.
// The demo city (tests/helpers/city.ts) is the real generator's and does not come through here.
import type { CallOutcome } from '../../vocabulary/telephony.ts';
import type { IBaseProtocol } from 'pg-promise';
import { pgp } from '../../server/db/db.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { STREET_PREFIX, type InfraKind, type StreetKind } from '../../vocabulary/city.ts';
import type { AppealStatus, Channel } from '../../vocabulary/appeals.ts';
import type { Kind, Utility } from '../../vocabulary/announcements.ts';
import type { Role } from '../../vocabulary/roles.ts';
import type { ExecutorRule } from '../../server/catalogue/catalogue.repo.ts';
import { HOUR, TEST_NOW } from './clock.ts';
import { IF_CENTRE, metres, type Geometry, type LineString, type LonLat, type Metres, type Polygonal } from './geometry.ts';

/** The password of every user a builder makes. */
export const PASSWORD = 'test-password-1580';

type Conn = IBaseProtocol<unknown>;
type Id = number;

/** A value pg-promise writes as SQL text, not as a literal. */
const raw = (sql: string) => ({ rawType: true, toPostgres: () => sql });
const DEFAULT = raw('DEFAULT');
/** GeoJSON → PostGIS in WGS 84; `multi` for the MultiPolygon / MultiLineString columns. */
const geom = (g: Geometry, multi = false) =>
  raw(pgp.as.format(multi ? 'ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326))' : 'ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)', [JSON.stringify(g)]));

// One hash per password and process: scrypt is deliberately slow, and the product verifies any
// salt. Still the product's own hashing, so signing in is real.
const hashes = new Map<string, Promise<string>>();
const hashOf = (password: string) => {
  let h = hashes.get(password);
  if (!h) hashes.set(password, (h = hashPassword(password)));
  return h;
};

type Row = Record<string, unknown>;

// Default names and places count per process, not per builder: two builders over one database
// must not both make "Район 1".
let n = 0;
const next = () => ++n;
let slot = 0;

export interface DistrictSpec { id?: Id; name?: string; nameEn?: string | null; area?: Polygonal }
export interface StreetSpec { id?: Id; name?: string; kind?: StreetKind; rank?: 1 | 2 | 3; line?: LineString | Geometry | null }
export interface BuildingSpec {
  id?: Id; street?: Id; house?: string; address?: string; floors?: number; apartments?: number;
  district?: Id | null; housingOffice?: Id | null;
  /** The footprint in degrees … */
  footprint?: Polygonal;
  /** … or as [x, y, w, h] metres from the builder's origin (south-west corner, width, height). */
  metres?: [number, number, number, number?];
}
export interface ResidentSpec { id?: Id; fullName?: string; building?: Id | null; apartment?: string | null; phones?: string[] }
export interface ExecutorSpec {
  id?: Id; code?: string; name?: string; nameEn?: string | null;
  kind?: 'utility' | 'housing_office' | 'city_service'; utility?: Utility | null; district?: Id | null; email?: string | null; phone?: string | null;
}
export interface SphereSpec { id?: Id; code?: string; name?: string; nameEn?: string }
export interface CategorySpec {
  id?: Id; sphere?: Id; code?: string; name?: string; nameEn?: string;
  rule?: ExecutorRule; executor?: Id | null; deadlineHours?: number; survey?: boolean; infraKind?: InfraKind | null; active?: boolean;
  /** The district rule's table: which organisation serves the category in a district. */
  districts?: { district: Id; executor: Id }[];
}
export interface InfraSpec {
  id?: Id; kind?: InfraKind; name?: string | null; address?: string | null; attributes?: object; organisation?: Id | null; source?: string | null;
  /** A point … */
  at?: LonLat;
  /** … or any geometry (cleaning zones are areas). */
  geometry?: Geometry;
}
export interface UserSpec { login?: string; fullName?: string; executor?: Id; sip?: string | null; disabled?: boolean; password?: string }
export interface AppealSpec {
  id?: Id; number?: string; channel?: Channel; callerPhone?: string | null; resident?: Id | null; building?: Id | null;
  apartment?: string | null; infraObject?: Id | null; point?: LonLat | null; category?: Id; executor?: Id; text?: string;
  status?: AppealStatus; dueAt?: Date; createdAt?: Date; operator?: Id | null; call?: Id | null; answer?: string | null;
}
export interface AnnouncementSpec {
  id?: Id; kind?: Kind; utility?: Utility; executor?: Id; title?: string; description?: string; contact?: string;
  startsAt?: Date; endsAt?: Date; status?: 'published' | 'cancelled' | 'closed'; zone?: Polygonal;
  /** Affected buildings: announcement_building rows, and the counts they make. */
  buildings?: Id[]; createdBy?: Id | null;
}
export interface CallSpec {
  id?: Id; uniqueid?: string; linkedid?: string | null; channel?: string | null; direction?: 'in' | 'out';
  callerPhone?: string | null; calledNumber?: string | null; queue?: string | null; operator?: Id | null; agentInterface?: string | null;
  resident?: Id | null; enteredAt?: Date; answeredAt?: Date | null; hungupAt?: Date | null;
  hangupCause?: number | null; hangupCauseText?: string | null; consultation?: boolean; note?: string | null;
  queuedAt?: Date | null; queueStatus?: string | null; outcome?: CallOutcome | null;
}
export interface RecordingSpec { call?: Id; path?: string; startedAt?: Date; endedAt?: Date | null; bytes?: number | null }
export interface LanduseSpec { kind?: 'park' | 'forest' | 'water' | 'river'; name?: string | null; area?: Polygonal }

/** `origin` (or a whole metric `frame`) places what is given in metres; Ivano-Frankivsk's centre by default. */
export function builder(db: Conn, opts: { origin?: { lon: number; lat: number }; frame?: Metres } = {}) {
  const m = opts.frame ?? metres(opts.origin ?? IF_CENTRE);
  const streets = new Map<Id, { name: string; kind: StreetKind }>();
  const categoryExecutor = new Map<Id, Id | null>();

  /**
   * The references a test leaves out: found by their unique key (another builder may have made
   * them in this database) or made, once per builder.
   */
  const made = new Map<string, Promise<Id>>();
  const once = (table: string, key: Row, make: () => Promise<Id>) => {
    const k = `${table}:${JSON.stringify(key)}`;
    let p = made.get(k);
    if (!p) {
      const where = Object.keys(key).map((c, i) => `${pgp.as.name(c)} = $${i + 2}`).join(' AND ');
      p = db.oneOrNone<{ id: Id }>(pgp.as.format(`SELECT id FROM $1:name WHERE ${where}`, [table, ...Object.values(key)]))
        .then((r) => r?.id ?? make());
      made.set(k, p);
    }
    return p;
  };

  /** INSERTs `rows` in one statement (missing columns take their DEFAULT); returns the ids. */
  async function insert(table: string, rows: Row[], returning: string | null = 'id'): Promise<Id[]> {
    if (!rows.length) return [];
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] !== undefined)))];
    const values = rows.map((r) => pgp.as.format('($1:csv)', [cols.map((c) => (r[c] === undefined ? DEFAULT : r[c]))])).join(', ');
    const sql = pgp.as.format('INSERT INTO $1:name ($2:name) VALUES ', [table, cols]) + values + (returning ? ` RETURNING ${returning}` : '');
    const out = await db.any<{ id: Id }>(sql);
    // Rows written with their own ids leave the sequence behind: move it past them.
    if (returning === 'id' && rows.some((r) => r.id !== undefined)) {
      await db.one(`SELECT setval(pg_get_serial_sequence($1, 'id'), greatest((SELECT max(id) FROM $1:name), nextval(pg_get_serial_sequence($1, 'id')) - 1))`, [table]);
    }
    return out.map((r) => r.id);
  }
  const insertOne = async (table: string, row: Row) => (await insert(table, [row]))[0];

  async function streetOf(id: Id) {
    let s = streets.get(id);
    if (!s) {
      s = await db.one<{ name: string; kind: StreetKind }>('SELECT name, kind FROM street WHERE id = $1', [id]);
      streets.set(id, s);
    }
    return s;
  }

  async function buildingRow(s: BuildingSpec): Promise<Row> {
    const street = s.street ?? await b.defaultStreet();
    const k = next();
    const house = s.house ?? String(k);
    let footprint = s.footprint;
    if (!footprint && s.metres) footprint = m.square(s.metres[0], s.metres[1], s.metres[2], s.metres[3] ?? s.metres[2]);
    if (!footprint) {
      // Rows of ten 20 m squares 40 m apart, 1 km north of the origin, out of the way of placed ones.
      const i = slot++;
      footprint = m.square((i % 10) * 40, 1000 + Math.floor(i / 10) * 40, 20);
    }
    const { name, kind } = await streetOf(street);
    return {
      id: s.id, street_id: street, house_number: house, address: s.address ?? `${STREET_PREFIX[kind]} ${name}, ${house}`,
      floors: s.floors, apartments: s.apartments, district_id: s.district, housing_office_id: s.housingOffice, geom: geom(footprint, true),
    };
  }

  const b = {
    /** The metric frame around the builder's origin (tests/helpers/geometry.ts). */
    m,

    /** The next row of `table` made without an id gets `last + 1`. */
    async nextIdAfter(table: string, last: number) {
      await db.one(`SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, [table, last]);
    },

    district: (s: DistrictSpec = {}) => {
      const k = next();
      return insertOne('district', {
        id: s.id, name: s.name ?? `Район ${k}`, name_en: s.nameEn === undefined ? `District ${k}` : s.nameEn,
        geom: geom(s.area ?? m.rect(-5000, -5000, 5000, 5000), true),
      });
    },

    async street(s: StreetSpec = {}) {
      const name = s.name ?? `Тестова ${next()}`, kind = s.kind ?? 'вулиця';
      const line = s.line === undefined ? m.line([-500, 0], [500, 0]) : s.line;
      const id = await insertOne('street', { id: s.id, name, kind, rank: s.rank, geom: line ? geom(line, true) : null });
      streets.set(id, { name, kind });
      return id;
    },
    /** The street of buildings that name none. */
    defaultStreet: () => once('street', { name: 'Тестова', kind: 'вулиця' }, () => b.street({ name: 'Тестова' })),

    building: async (s: BuildingSpec = {}) => (await insert('building', [await buildingRow(s)]))[0],
    /** Many buildings in one statement (a grid of a hundred costs one round trip). */
    async buildings(specs: BuildingSpec[]) {
      const rows: Row[] = [];
      for (const s of specs) rows.push(await buildingRow(s));
      return insert('building', rows);
    },

    async resident(s: ResidentSpec = {}) {
      const id = await insertOne('resident', {
        id: s.id, full_name: s.fullName ?? `Мешканець ${next()}`, building_id: s.building ?? null, apartment: s.apartment ?? null,
      });
      if (s.phones?.length) await b.phones(id, s.phones);
      return id;
    },
    /** Phone numbers (E.164) of a resident. */
    phones: (resident: Id, phones: string[]) => insert('resident_phone', phones.map((phone) => ({ phone, resident_id: resident })), null),

    executor(s: ExecutorSpec = {}) {
      const k = next();
      return insertOne('executor', {
        id: s.id, code: s.code ?? `org-${k}`, name: s.name ?? `Організація ${k}`, name_en: s.nameEn,
        kind: s.kind ?? (s.utility ? 'utility' : 'city_service'), utility: s.utility ?? null, district_id: s.district ?? null,
        email: s.email ?? null, phone: s.phone ?? null,
      });
    },
    /** The organisation of rows that name none. */
    defaultExecutor: () => once('executor', { code: 'test-org' }, () => b.executor({ code: 'test-org', name: 'Тестова організація' })),

    sphere(s: SphereSpec = {}) {
      const k = next();
      return insertOne('sphere', { id: s.id, code: s.code ?? `sphere-${k}`, name: s.name ?? `Сфера ${k}`, name_en: s.nameEn ?? `Sphere ${k}` });
    },
    defaultSphere: () => once('sphere', { code: 'test' }, () => b.sphere({ code: 'test', name: 'Тестова сфера', nameEn: 'Test sphere' })),

    async category(s: CategorySpec = {}) {
      const k = next();
      const rule = s.rule ?? 'fixed';
      // A fixed rule needs its organisation; the other rules fall back to theirs only when given one.
      const executor = s.executor !== undefined ? s.executor : rule === 'fixed' ? await b.defaultExecutor() : null;
      const id = await insertOne('category', {
        id: s.id, sphere_id: s.sphere ?? await b.defaultSphere(), code: s.code ?? `category-${k}`, name: s.name ?? `Категорія ${k}`,
        name_en: s.nameEn ?? `Category ${k}`, executor_rule: rule, executor_id: executor, deadline_hours: s.deadlineHours ?? 24,
        survey: s.survey, infra_kind: s.infraKind ?? null, active: s.active,
      });
      categoryExecutor.set(id, executor);
      if (s.districts?.length) await b.districtRule(id, s.districts);
      return id;
    },
    defaultCategory: () => once('category', { code: 'test' }, () => b.category({ code: 'test', name: 'Тестова категорія', nameEn: 'Test category' })),
    /** Rows of the district rule: category × district → organisation. */
    districtRule: (category: Id, rules: { district: Id; executor: Id }[]) =>
      insert('category_district_executor', rules.map((r) => ({ category_id: category, district_id: r.district, executor_id: r.executor })), null),

    infra(s: InfraSpec = {}) {
      const kind = s.kind ?? 'other';
      const g = s.geometry ?? (s.at ? { type: 'Point' as const, coordinates: s.at } : kind === 'cleaning_zone' ? m.rect(-50, -50, 50, 50) : { type: 'Point' as const, coordinates: m.at(0, 0) });
      return insertOne('infra_object', {
        id: s.id, kind, name: s.name ?? null, address: s.address ?? null, attributes: s.attributes, organisation_id: s.organisation ?? null,
        source: s.source ?? null, geom: geom(g),
      });
    },

    landuse(s: LanduseSpec = {}) {
      return insertOne('landuse', { kind: s.kind ?? 'park', name: s.name ?? null, geom: geom(s.area ?? m.rect(-100, -100, 100, 100), true) });
    },

    /** A user signing in with PASSWORD (or `s.password`) through the real hashing. */
    async user(role: Role, s: UserSpec = {}) {
      const executor = role === 'executor' ? s.executor ?? await b.defaultExecutor() : s.executor ?? null;
      return insertOne('app_user', {
        login: s.login ?? `${role}-${next()}`, full_name: s.fullName ?? `Test ${role}`, role, executor_id: executor,
        sip_interface: s.sip ?? null, password_hash: await hashOf(s.password ?? PASSWORD), disabled: s.disabled,
      });
    },

    async appeal(s: AppealSpec = {}) {
      const category = s.category ?? await b.defaultCategory();
      let executor = s.executor ?? (categoryExecutor.has(category) ? categoryExecutor.get(category) : undefined);
      if (executor === undefined) executor = (await db.one<{ e: Id | null }>('SELECT executor_id AS e FROM category WHERE id = $1', [category])).e;
      const createdAt = s.createdAt ?? TEST_NOW;
      return insertOne('appeal', {
        id: s.id,
        // Numbered as the product numbers them (its sequence, the city's year), unless the test says.
        number: s.number ?? raw(pgp.as.format(`'15-80/' || to_char($1::timestamptz AT TIME ZONE 'Europe/Kyiv', 'YYYY') || '/' || lpad(nextval('appeal_number_seq')::text, 6, '0')`, [createdAt])),
        channel: s.channel, caller_phone: s.callerPhone ?? null, resident_id: s.resident ?? null, building_id: s.building ?? null,
        apartment: s.apartment ?? null, infra_object_id: s.infraObject ?? null, point: s.point ? geom({ type: 'Point', coordinates: s.point }) : null,
        category_id: category, executor_id: executor ?? await b.defaultExecutor(), text: s.text ?? 'Тестове звернення', status: s.status,
        due_at: s.dueAt ?? new Date(createdAt.getTime() + 24 * HOUR), operator_id: s.operator ?? null, call_id: s.call ?? null,
        answer: s.answer ?? null, created_at: createdAt, updated_at: createdAt,
      });
    },

    async announcement(s: AnnouncementSpec = {}) {
      const utility = s.utility ?? 'electricity';
      const startsAt = s.startsAt ?? TEST_NOW;
      const buildings = s.buildings ?? [];
      const zone = s.zone ? geom(s.zone, true)
        : buildings.length ? raw(pgp.as.format('(SELECT ST_Multi(ST_Union(geom)) FROM building WHERE id = ANY($1::int[]))', [buildings]))
        : geom(m.rect(-100, -100, 100, 100), true);
      const id = await insertOne('announcement', {
        id: s.id, kind: s.kind ?? 'outage', utility,
        executor_id: s.executor ?? await once('executor', { code: `test-${utility}` }, () => b.executor({ code: `test-${utility}`, utility })),
        title: s.title, description: s.description, contact: s.contact, starts_at: startsAt,
        ends_at: s.endsAt ?? new Date(startsAt.getTime() + 4 * HOUR), status: s.status, zone, created_by: s.createdBy ?? null,
      });
      if (buildings.length) {
        await insert('announcement_building', buildings.map((building_id) => ({ announcement_id: id, building_id })), null);
        // The counts the product keeps with the affected buildings.
        await db.none(`
          UPDATE announcement a SET buildings_count = c.b, apartments_count = c.apts, residents_count = c.res
            FROM (SELECT count(*)::int AS b, coalesce(sum(bl.apartments), 0)::int AS apts, coalesce(sum(rc.residents), 0)::int AS res
                    FROM announcement_building ab JOIN building bl ON bl.id = ab.building_id
                    LEFT JOIN building_resident_count rc ON rc.building_id = bl.id
                   WHERE ab.announcement_id = $1) c
           WHERE a.id = $1`, [id]);
      }
      return id;
    },

    call(s: CallSpec = {}) {
      return insertOne('call', {
        id: s.id, uniqueid: s.uniqueid ?? `1700000100.${next()}`, linkedid: s.linkedid, channel: s.channel, direction: s.direction,
        caller_phone: s.callerPhone ?? null, called_number: s.calledNumber ?? null, queue: s.queue ?? null, operator_id: s.operator ?? null,
        agent_interface: s.agentInterface ?? null, resident_id: s.resident ?? null, entered_at: s.enteredAt ?? TEST_NOW,
        answered_at: s.answeredAt ?? null, hungup_at: s.hungupAt ?? null, hangup_cause: s.hangupCause ?? null,
        hangup_cause_text: s.hangupCauseText ?? null, consultation: s.consultation, note: s.note ?? null,
        queued_at: s.queuedAt ?? null, queue_status: s.queueStatus ?? null, outcome: s.outcome ?? null,
      });
    },

    async recording(s: RecordingSpec = {}) {
      return insertOne('recording', {
        call_id: s.call ?? await b.call(), path: s.path ?? `${next()}.wav`, started_at: s.startedAt ?? TEST_NOW,
        ended_at: s.endedAt ?? null, bytes: s.bytes ?? null,
      });
    },
  };
  return b;
}
export type Builder = ReturnType<typeof builder>;
