// Historic appeals from another system (a CSV export) in ONE transaction: the file is COPied into a
// temporary staging table as text, every column is checked and mapped set-based in SQL (categories,
// executors, statuses through the city's mapping file and the catalogue's own codes and names;
// addresses through the geocoder, or lat/lon), then appeals and their history are inserted with
// INSERT … SELECT — normal row inserts, so every trigger on appeal and appeal_event fires. Anything
// unknown or unreadable refuses the whole import (nothing is left behind) unless skipUnknown, which
// skips those rows and reports them. Numbers already present are skipped, so a rerun imports nothing.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import pgCopy from 'pg-copy-streams';
import type { Db } from '../../server/db/db.ts';
import { parseAddressQuery } from '../../server/geocode/parse.ts';
import { geocodeRepo } from '../../server/geocode/geocode.repo.ts';
import { geocodeService } from '../../server/geocode/geocode.service.ts';
import { APPEAL_STATUSES, CHANNELS } from '../../vocabulary/appeals.ts';
import { messages } from '../../vocabulary/i18n/messages.ts';
import { ImportError } from './report.ts';
import { ROLLUPS, triggerSwitches } from '../rollups.ts';

/** The columns a file may have (first alias present wins), in the order the docs list them. */
export const APPEAL_CSV_COLUMNS = {
  number: ['number', 'номер', 'no', 'id'],
  registered_at: ['registered_at', 'registered', 'created_at', 'created', 'дата_реєстрації', 'зареєстровано'],
  category: ['category', 'категорія', 'category_code'],
  executor: ['executor', 'виконавець', 'executor_code'],
  status: ['status', 'статус'],
  address: ['address', 'адреса'],
  lat: ['lat', 'latitude', 'широта'],
  lon: ['lon', 'lng', 'longitude', 'довгота'],
  district: ['district', 'район'],
  due_at: ['due_at', 'due', 'deadline', 'контрольний_термін', 'термін'],
  closed_at: ['closed_at', 'closed', 'done_at', 'закрито'],
  text: ['text', 'текст', 'description', 'зміст'],
  channel: ['channel', 'канал'],
  confirmed: ['confirmed', 'confirmation', 'підтверджено'],
  rating: ['rating', 'оцінка'],
  phone: ['phone', 'caller_phone', 'телефон'],
  apartment: ['apartment', 'квартира', 'кв'],
} as const;
export type AppealColumn = keyof typeof APPEAL_CSV_COLUMNS;
const REQUIRED: AppealColumn[] = ['number', 'registered_at', 'category', 'status'];
const MAPPED_FIELDS = ['category', 'executor', 'status', 'district', 'channel'] as const;

/** What can be wrong with a value; every one is counted with example rows. */
export const PROBLEMS = {
  unknown: 'not in the catalogue nor in the mapping file',
  missing: 'required and empty',
  invalid: 'cannot be read (date, number, coordinates, phone, yes/no)',
  not_found: 'address the geocoder cannot find (give lat/lon, or fix the address)',
  duplicate_in_file: 'the same number appears earlier in the file',
} as const;
export type Problem = keyof typeof PROBLEMS;

export interface ProblemReport { field: string; problem: Problem; value: string; count: number; examples: number[] }

export interface AppealImportReport {
  layer: 'appeals';
  file: string;
  dryRun: boolean;
  /** Data rows in the file. */
  read: number;
  imported: number;
  /** Numbers already in the database (an earlier import or the product itself). */
  alreadyPresent: number;
  /** Rows left out for a problem (only with skipUnknown; otherwise the import is refused). */
  skipped: number;
  problems: ProblemReport[];
  byStatus: Record<string, number>;
  located: { latLon: number; address: number; fuzzy: number; none: number };
  ignoredColumns: string[];
  refused: boolean;
  ms: number;
}

export interface AppealImportOptions {
  file: string;
  /** CSV with columns field,value,code (field: category, executor, status, district, channel). */
  mapping?: string;
  /** Skip rows with problems (and report them) instead of refusing the whole import. */
  skipUnknown?: boolean;
  dryRun?: boolean;
  /** Field separator; guessed from the header (',' or ';') when not given. */
  delimiter?: string;
  /** Character set of the file, e.g. CP1251 (default UTF-8). */
  encoding?: string;
  /**
   * How the statistics, map and hotspot rollups learn of the imported appeals: `triggers` (each
   * row's, as for any insert), `add` (the row triggers off during the insert, then the new appeals
   * added to every rollup set-based before the commit), `rebuild` (triggers off, every rollup
   * rebuilt from scratch), or `auto` (the default): add when the file brings at least BULK_ROWS
   * new appeals, else triggers.
   */
  rollups?: RollupMode;
  log?: (m: string) => void;
}

export const ROLLUP_MODES = ['auto', 'triggers', 'add', 'rebuild'] as const;
export type RollupMode = typeof ROLLUP_MODES[number];
export const isRollupMode = (s: string): s is RollupMode => (ROLLUP_MODES as readonly string[]).includes(s);
/** From this many new appeals, adding them set-based beats a few trigger calls per row (≈ 5 ms a row). */
export const BULK_ROWS = 1000;
/** A refused import: the report says why; nothing was written. */
export class AppealImportRefused extends ImportError {
  constructor(public report: AppealImportReport) {
    super(`${report.problems.reduce((s, p) => s + p.count, 0)} problem(s) in ${report.file}; nothing was imported (pass --skip-unknown to import the rest)`, 'data');
  }
}

class Rollback extends Error {}
const LOCK = 1580_0060; // the same lock as the map imports: one import at a time
const EXAMPLES = 5;

const norm = (s: string) => s.normalize('NFC').trim().toLowerCase().replace(/[’ʼ'‘]/g, '’').replace(/\s+/g, ' ');
const normHeader = (s: string) => s.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_|_$/g, '');

/** Splits one CSV line (the header) honouring quotes. */
function splitCsvLine(l: string, d: string): string[] {
  const out: string[] = [];
  let cur = '', q = false;
  for (let i = 0; i < l.length; i++) {
    const c = l[i];
    if (q) { if (c === '"') { if (l[i + 1] === '"') { cur += '"'; i++; } else q = false; } else cur += c; }
    else if (c === '"') q = true;
    else if (c === d) { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

function readHeader(file: string, delimiter?: string) {
  const fd = readFileSync(file, { encoding: 'latin1', flag: 'r' }).slice(0, 65536);
  const first = Buffer.from(fd, 'latin1').toString('utf8').split(/\r?\n/)[0] ?? '';
  const d = delimiter ?? (first.split(';').length > first.split(',').length ? ';' : ',');
  const names = splitCsvLine(first, d).map(normHeader);
  const columns = new Map<AppealColumn, number>();
  const used = new Set<number>();
  for (const [col, aliases] of Object.entries(APPEAL_CSV_COLUMNS) as [AppealColumn, readonly string[]][]) {
    for (const a of aliases) {
      const i = names.indexOf(a);
      if (i >= 0 && !used.has(i)) { columns.set(col, i); used.add(i); break; }
    }
  }
  const ignored = names.filter((_, i) => !used.has(i));
  return { delimiter: d, names, columns, ignored };
}

/** The mapping file: field,value,code — e.g. `status,Виконано,closed`. */
export function readMapping(path: string): { field: string; value: string; code: string; line: number }[] {
  if (!existsSync(path)) throw new ImportError(`No mapping file ${path}`, 'input');
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const rows: { field: string; value: string; code: string; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (const [k, raw] of lines.entries()) {
    if (!raw.trim() || raw.trim().startsWith('#')) continue;
    const d = raw.includes(';') && !raw.includes(',') ? ';' : ',';
    const [field, value, code] = splitCsvLine(raw, d).map((s) => s.trim());
    if (k === 0 && normHeader(field) === 'field') continue;
    if (!(MAPPED_FIELDS as readonly string[]).includes(field) || !value || !code) {
      throw new ImportError(`${basename(path)} line ${k + 1}: expected "field,value,code" with field one of ${MAPPED_FIELDS.join(', ')}`, 'input');
    }
    rows.push({ field, value: norm(value), code, line: k + 1 });
  }
  return rows;
}

/** Status names the product itself shows (uk and en) are understood without a mapping. */
function statusNames(): [string, string][] {
  const out: [string, string][] = [];
  for (const s of APPEAL_STATUSES) {
    out.push([s, s], [s.replace('_', ' '), s]);
    const m = (messages as Record<string, { uk: string; en: string }>)[`appeal.status.${s}`];
    if (m) out.push([norm(m.uk), s], [norm(m.en), s]);
  }
  return out;
}

// Kyiv wall-clock time unless the value carries an offset; ISO or "DD.MM.YYYY HH:MM[:SS]".
// Impossible dates (31.02) give NULL, never an error, so they are reported, not thrown.
const TS_FUNCTION = String.raw`
CREATE OR REPLACE FUNCTION pg_temp.imp_ts_any(v text) RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE dp text[]; tp text[]; y int; mo int; d int; h int := 0; mi int := 0; s numeric := 0; t timestamp; off text; body text;
BEGIN
  -- A plain match first (PostgreSQL's regex engine is slow with captures in optional groups), then
  -- the parts by splitting.
  v := btrim(v);
  IF v IS NULL OR v !~ '^(\d{4}-\d\d?-\d\d?|\d\d?\.\d\d?\.\d{4})([ T]\d\d?:\d\d(:\d\d(\.\d+)?)?)?\s*(Z|[+-]\d\d(:?\d\d)?)?$' THEN RETURN NULL; END IF;
  IF v ~ ':\d\d(\.\d+)?\s*(Z|[+-]\d\d(:?\d\d)?)$' THEN off := substring(v from '(Z|[+-]\d\d:?\d\d|[+-]\d\d)$'); END IF;
  body := btrim(left(v, length(v) - coalesce(length(off), 0)));
  dp := regexp_split_to_array(body, '[ T]');
  tp := string_to_array(dp[2], ':');
  IF strpos(dp[1], '.') > 0 THEN dp := string_to_array(dp[1], '.'); d := dp[1]::int; mo := dp[2]::int; y := dp[3]::int;
  ELSE dp := string_to_array(dp[1], '-'); y := dp[1]::int; mo := dp[2]::int; d := dp[3]::int; END IF;
  IF tp IS NOT NULL THEN h := tp[1]::int; mi := tp[2]::int; s := coalesce(tp[3], '0')::numeric; END IF;
  IF y < 1900 OR y > 2200 OR mo < 1 OR mo > 12 OR d < 1 OR h > 23 OR mi > 59 OR s >= 60 THEN RETURN NULL; END IF;
  IF d > extract(day FROM make_date(y, mo, 1) + interval '1 month - 1 day') THEN RETURN NULL; END IF;
  t := make_timestamp(y, mo, d, h, mi, s::float8);
  IF off IS NULL THEN RETURN t AT TIME ZONE 'Europe/Kyiv'; END IF;
  IF off = 'Z' THEN RETURN t AT TIME ZONE 'UTC'; END IF;
  RETURN (t - (substr(off, 1, 1) || (substr(off, 2, 2) || ' hours ' || coalesce(nullif(substr(replace(off, ':', ''), 4, 2), ''), '0') || ' minutes'))::interval) AT TIME ZONE 'UTC';
END $$;
-- The usual form (ISO without an offset, a day every month has) read by a cast the planner inlines —
-- a third of the time; anything else by imp_ts_any. STABLE, as the text-to-timestamp cast is.
CREATE OR REPLACE FUNCTION pg_temp.imp_ts(v text) RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN translate(v, '0123456789T', '9999999999 ') IN ('9999-99-99 99:99', '9999-99-99 99:99:99')
               AND left(v, 4) BETWEEN '1900' AND '2200' AND substr(v, 6, 2) BETWEEN '01' AND '12' AND substr(v, 9, 2) BETWEEN '01' AND '28'
               AND substr(v, 12, 2) <= '23' AND substr(v, 15, 2) <= '59' AND coalesce(substr(v, 18, 2), '') <= '59'
              THEN v::timestamp AT TIME ZONE 'Europe/Kyiv' ELSE pg_temp.imp_ts_any(v) END $$;
CREATE OR REPLACE FUNCTION pg_temp.imp_num(v text) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN btrim(v) ~ '^-?\d{1,3}([.,]\d+)?$' THEN replace(btrim(v), ',', '.')::float8 END $$;
CREATE OR REPLACE FUNCTION pg_temp.imp_norm(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT nullif(regexp_replace(lower(translate(normalize(btrim(v), NFC), '''ʼ‘', '’’’')), '\s+', ' ', 'g'), '') $$;
-- The digits of a phone: spaces, brackets, dashes and + dropped without a regular expression
-- (PostgreSQL's take microseconds a value), anything else by one.
CREATE OR REPLACE FUNCTION pg_temp.imp_digits(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN translate(translate(v, ' ()-+', ''), '0123456789', '') = '' THEN translate(v, ' ()-+', '') ELSE regexp_replace(v, '\D', '', 'g') END $$;
-- +380XXXXXXXXX from "050 123 45 67", "(050)1234567", "380501234567", "+380 50 123-45-67".
CREATE OR REPLACE FUNCTION pg_temp.imp_phone(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(pg_temp.imp_digits(v)) = 12 AND left(pg_temp.imp_digits(v), 3) = '380' THEN '+' || pg_temp.imp_digits(v)
              WHEN length(pg_temp.imp_digits(v)) = 10 AND left(pg_temp.imp_digits(v), 1) = '0' THEN '+38' || pg_temp.imp_digits(v) END $$;`;

export async function importAppeals(db: Db, o: AppealImportOptions): Promise<AppealImportReport> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  if (!existsSync(o.file)) throw new ImportError(`No such file: ${o.file}`, 'input');
  const header = readHeader(o.file, o.delimiter);
  const missing = REQUIRED.filter((c) => !header.columns.has(c));
  if (missing.length) throw new ImportError(`${basename(o.file)} lacks the column(s) ${missing.join(', ')}; its header: ${header.names.join(', ')}`, 'data');
  if (!header.columns.has('address') && !(header.columns.has('lat') && header.columns.has('lon')) && !header.columns.has('district')) {
    log('note: the file has no address, lat/lon or district: appeals are imported without a place');
  }
  const mapping = o.mapping ? readMapping(o.mapping) : [];
  const report: AppealImportReport = {
    layer: 'appeals', file: basename(o.file), dryRun: !!o.dryRun, read: 0, imported: 0, alreadyPresent: 0, skipped: 0,
    problems: [], byStatus: {}, located: { latLon: 0, address: 0, fuzzy: 0, none: 0 }, ignoredColumns: header.ignored, refused: false, ms: 0,
  };
  const col = (c: AppealColumn) => header.columns.has(c) ? `nullif(btrim(r.c${header.columns.get(c)}), '')` : 'NULL::text';

  const conn = await db.connect();
  const client = conn.client as unknown as PoolClient;
  try {
  await conn.tx('import-appeals', async (t) => {
    await t.one('SELECT pg_advisory_xact_lock($1)', [LOCK]);
    // A bulk load: no statement timeout of the product's pool (the CLI's maintenance pool has none either).
    await t.none(`SET LOCAL work_mem = '256MB'; SET LOCAL statement_timeout = 0`);
    // The staging tables are temporary: more local buffers than the default 8 MB (only takes effect
    // before the session's first temporary table, as in the CLI's fresh connection).
    await t.tx('temp-buffers', (sp) => sp.none(`SET LOCAL temp_buffers = '512MB'`)).catch(() => {});
    await t.none(TS_FUNCTION);
    // The raw rows, as text, in file order (n = the data row, 1 for the row after the header).
    const raw = header.names.map((_, i) => `c${i} text`).join(', ');
    await t.none(`CREATE TEMP TABLE imp_raw (n bigserial, ${raw}) ON COMMIT DROP`);
    const enc = o.encoding ? `, ENCODING '${o.encoding.replace(/[^A-Za-z0-9_-]/g, '').toUpperCase().replace(/^CP/, 'WIN')}'` : '';
    const copySql = `COPY imp_raw (${header.names.map((_, i) => `c${i}`).join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '${header.delimiter === "'" ? "''" : header.delimiter}'${enc})`;
    log('COPY into staging');
    try {
      await pipeline(createReadStream(o.file), client.query(pgCopy.from(copySql)));
    } catch (e) {
      throw new ImportError(`PostgreSQL cannot read ${basename(o.file)} as CSV: ${(e as Error).message}`, 'data');
    }
    report.read = (await t.one('SELECT count(*)::int AS n FROM imp_raw')).n;

    // The city's mapping (priority 0) wins over the product's own status names (priority 1).
    await t.none(`CREATE TEMP TABLE imp_map (field text, value text, code text, priority int) ON COMMIT DROP`);
    const maps = [...mapping.map((m) => [m.field, m.value, m.code, 0] as const), ...statusNames().map(([v, s]) => ['status', v, s, 1] as const)];
    await t.none(`INSERT INTO imp_map SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])`,
      [maps.map((m) => m[0]), maps.map((m) => m[1]), maps.map((m) => m[2]), maps.map((m) => m[3])]);

    const badCodes = await t.any(`
      SELECT m.field, m.code FROM imp_map m
       WHERE (m.field = 'category' AND NOT EXISTS (SELECT 1 FROM category c WHERE c.code = m.code))
          OR (m.field = 'executor' AND NOT EXISTS (SELECT 1 FROM executor e WHERE e.code = m.code))
          OR (m.field = 'district' AND NOT EXISTS (SELECT 1 FROM district d WHERE d.name = m.code OR d.id::text = m.code))
          OR (m.field = 'status' AND NOT m.code = ANY($1)) OR (m.field = 'channel' AND NOT m.code = ANY($2))
       ORDER BY 1, 2`, [APPEAL_STATUSES as readonly string[], CHANNELS as readonly string[]]);
    if (badCodes.length) {
      throw new ImportError(`The mapping file names what the catalogue does not have: ${badCodes.map((b) => `${b.field} "${b.code}"`).join(', ')}`, 'input');
    }
    log('checking and mapping');
    // Each distinct value of a mapped column is resolved once (files repeat a few hundred values),
    // then joined while the staging rows are read: one pass over the file's rows, not one per field.
    const distinct = (c: AppealColumn) => `SELECT v.raw, pg_temp.imp_norm(v.raw) AS n FROM (SELECT DISTINCT ${col(c)} AS raw FROM imp_raw r) v WHERE v.raw IS NOT NULL`;
    // Catalogue tables with a code and names (uk, en): the city's mapping first, then the code or a name.
    const byCode = (table: 'category' | 'executor') => `
      CREATE TEMP TABLE imp_${table} ON COMMIT DROP AS
      SELECT v.raw, coalesce(
               (SELECT x.id FROM imp_map m JOIN ${table} x ON x.code = m.code WHERE m.field = '${table}' AND m.value = v.n ORDER BY m.priority LIMIT 1),
               (SELECT x.id FROM ${table} x WHERE lower(x.code) = v.n OR pg_temp.imp_norm(x.name) = v.n OR pg_temp.imp_norm(x.name_en) = v.n ORDER BY x.id LIMIT 1)) AS id
        FROM (${distinct(table)}) v;`;
    await t.none(`
      ${byCode('category')}
      ${byCode('executor')}
      CREATE TEMP TABLE imp_status ON COMMIT DROP AS
      SELECT v.raw, (SELECT m.code FROM imp_map m WHERE m.field = 'status' AND m.value = v.n AND m.code = ANY($1) ORDER BY m.priority LIMIT 1) AS code
        FROM (${distinct('status')}) v;
      CREATE TEMP TABLE imp_district ON COMMIT DROP AS
      SELECT v.raw, coalesce(
               (SELECT d.id FROM imp_map m JOIN district d ON d.name = m.code OR d.id::text = m.code WHERE m.field = 'district' AND m.value = v.n ORDER BY m.priority LIMIT 1),
               (SELECT d.id FROM district d WHERE pg_temp.imp_norm(d.name) = v.n OR pg_temp.imp_norm(d.name_en) = v.n ORDER BY d.id LIMIT 1)) AS id
        FROM (${distinct('district')}) v;
      CREATE TEMP TABLE imp_channel ON COMMIT DROP AS
      SELECT v.raw, coalesce(
               (SELECT m.code FROM imp_map m WHERE m.field = 'channel' AND m.value = v.n AND m.code = ANY($2) ORDER BY m.priority LIMIT 1),
               CASE WHEN v.n = ANY($2) THEN v.n END) AS code
        FROM (${distinct('channel')}) v;`,
    [APPEAL_STATUSES as readonly string[], CHANNELS as readonly string[]]);
    // One row per data row with every value read and resolved (NULL where it could not be).
    await t.none(`CREATE TEMP TABLE imp ON COMMIT DROP AS
      SELECT r.n, ${col('number')} AS number, ${col('registered_at')} AS registered_raw, pg_temp.imp_ts(${col('registered_at')}) AS created_at,
             ${col('category')} AS category_raw, ${col('executor')} AS executor_raw, ${col('status')} AS status_raw,
             ${col('address')} AS address, ${col('lat')} AS lat_raw, ${col('lon')} AS lon_raw, ${col('district')} AS district_raw,
             ${col('due_at')} AS due_raw, pg_temp.imp_ts(${col('due_at')}) AS due_at, ${col('closed_at')} AS closed_raw, pg_temp.imp_ts(${col('closed_at')}) AS closed_at,
             coalesce(${col('text')}, '') AS text, ${col('channel')} AS channel_raw, ${col('confirmed')} AS confirmed_raw, ${col('rating')} AS rating_raw,
             ${col('phone')} AS phone_raw, pg_temp.imp_phone(${col('phone')}) AS phone, left(${col('apartment')}, 20) AS apartment,
             pg_temp.imp_num(${col('lat')}) AS lat, pg_temp.imp_num(${col('lon')}) AS lon,
             mc.id AS category_id, me.id AS executor_id, ms.code AS status, md.id AS district_id, mh.code AS channel,
             NULL::int AS building_id, NULL::geometry(Point, 4326) AS point, NULL::text AS located,
             CASE WHEN pg_temp.imp_norm(${col('confirmed')}) IN ('1', 'yes', 'true', 'так', 'confirmed', 'підтверджено') THEN 'confirmed'
                  WHEN pg_temp.imp_norm(${col('confirmed')}) IN ('0', 'no', 'false', 'ні', 'not_confirmed', 'не підтверджено') THEN 'not_confirmed' END AS confirmation,
             CASE WHEN btrim(${col('rating')}) ~ '^[1-5]$' THEN btrim(${col('rating')})::smallint END AS rating,
             ${col('number')} IS NOT NULL AND row_number() OVER (PARTITION BY ${col('number')} ORDER BY r.n) > 1 AS dup,
             pa.id IS NOT NULL AS present
        FROM imp_raw r
        -- A join, not a probe per row: the planner may hash the numbers present (10⁷ in Kyiv).
        LEFT JOIN appeal pa ON pa.number = ${col('number')}
        LEFT JOIN imp_category mc ON mc.raw = ${col('category')}
        LEFT JOIN imp_executor me ON me.raw = ${col('executor')}
        LEFT JOIN imp_status ms ON ms.raw = ${col('status')}
        LEFT JOIN imp_district md ON md.raw = ${col('district')}
        LEFT JOIN imp_channel mh ON mh.raw = ${col('channel')}`);
    // Temporary tables have no statistics until analysed: without them the planner joins 300,000 rows by nested loops.
    await t.none('ANALYZE imp');

    // Places: lat/lon first (the building under the point, if any), then addresses — exact street
    // and house first, set-based, then the geocoder's fuzzy search for what is left.
    log('locating');
    await t.none(`
      UPDATE imp SET point = ST_SetSRID(ST_MakePoint(lon, lat), 4326), located = 'latlon' WHERE lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180;
      UPDATE imp i SET building_id = (SELECT b.id FROM building b WHERE ST_Intersects(b.geom, i.point) ORDER BY b.id LIMIT 1) WHERE i.point IS NOT NULL;`);
    const addresses = await t.map<string>(`SELECT DISTINCT address FROM imp WHERE point IS NULL AND address IS NOT NULL AND NOT present`, [], (r) => r.address);
    if (addresses.length) {
      const parsed = addresses.map((a) => ({ a, q: parseAddressQuery(a) }));
      await t.none(`CREATE TEMP TABLE imp_geo (address text PRIMARY KEY, street text, house text, kind text, building_id int, how text) ON COMMIT DROP`);
      await t.none(`INSERT INTO imp_geo (address, street, house, kind) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
        [parsed.map((p) => p.a), parsed.map((p) => p.q.street), parsed.map((p) => p.q.house), parsed.map((p) => p.q.kind)]);
      await t.none('ANALYZE imp_geo');
      await t.none(`
        UPDATE imp_geo g SET building_id = x.id, how = 'address'
          FROM (SELECT DISTINCT ON (g2.address) g2.address, b.id
                  FROM imp_geo g2
                  JOIN street s ON s.name_norm = geocode_norm(g2.street) AND (g2.kind IS NULL OR s.kind = g2.kind)
                  JOIN building b ON b.street_id = s.id AND geocode_house(b.house_number) = geocode_house(g2.house)
                 WHERE g2.house IS NOT NULL
                 ORDER BY g2.address, (s.kind = g2.kind) DESC NULLS LAST, s.rank, b.id) x
         WHERE x.address = g.address`);
      const left = await t.map<{ address: string; house: string }>(`SELECT address, house FROM imp_geo WHERE building_id IS NULL AND house IS NOT NULL`, [], (r) => r);
      if (left.length) log(`geocoding ${left.length} address(es) with no exact match`);
      const geocoder = geocodeService(geocodeRepo(t as unknown as Db));
      const houseKey = (h: string) => h.toLowerCase().replace(/[\s-]+/g, '');
      const found: [string, number][] = [];
      for (const l of left) {
        const [hit] = await geocoder.search(l.address, 1);
        // A hit on another house is not this appeal's place.
        if (hit && houseKey(parseAddressQuery(hit.address).house ?? '') === houseKey(l.house)) found.push([l.address, hit.buildingId]);
      }
      if (found.length) await t.none(`UPDATE imp_geo g SET building_id = f.b, how = 'fuzzy' FROM unnest($1::text[], $2::int[]) AS f(a, b) WHERE g.address = f.a`, [found.map((f) => f[0]), found.map((f) => f[1])]);
      await t.none('ANALYZE imp_geo'); // its buildings are known now: the join below is hashed
      await t.none(`UPDATE imp i SET building_id = g.building_id, located = g.how, point = NULL FROM imp_geo g WHERE i.point IS NULL AND g.address = i.address AND g.building_id IS NOT NULL`);
    }
    // The district from the place when the file gives none; the executor by the catalogue's rule
    // when the file names none (as the desk would have chosen it).
    await t.none(`
      UPDATE imp i SET district_id = coalesce(b.district_id, i.district_id) FROM building b WHERE b.id = i.building_id AND i.district_raw IS NULL;
      UPDATE imp i SET district_id = (SELECT d.id FROM district d WHERE ST_Intersects(d.geom, i.point) ORDER BY d.id LIMIT 1)
       WHERE i.point IS NOT NULL AND i.building_id IS NULL AND i.district_raw IS NULL;
      UPDATE imp i SET executor_id = coalesce(
               CASE c.executor_rule
                 WHEN 'housing_office' THEN coalesce((SELECT b.housing_office_id FROM building b WHERE b.id = i.building_id),
                                                     (SELECT e.id FROM executor e WHERE e.kind = 'housing_office' AND e.district_id = i.district_id ORDER BY e.id LIMIT 1))
                 WHEN 'district' THEN (SELECT x.executor_id FROM category_district_executor x WHERE x.category_id = c.id AND x.district_id = i.district_id) END,
               c.executor_id)
        FROM category c
       WHERE c.id = i.category_id AND i.executor_raw IS NULL;`);

    await t.none('ANALYZE imp');
    // Every problem, with its count and the first rows that have it.
    await t.none(`CREATE TEMP TABLE imp_problem ON COMMIT DROP AS
      SELECT p.n, p.field, p.problem, p.value FROM imp i CROSS JOIN LATERAL (VALUES
        (i.n, 'number', CASE WHEN i.number IS NULL THEN 'missing' WHEN i.dup THEN 'duplicate_in_file' END, i.number),
        (i.n, 'registered_at', CASE WHEN i.registered_raw IS NULL THEN 'missing' WHEN i.created_at IS NULL THEN 'invalid' END, i.registered_raw),
        (i.n, 'category', CASE WHEN i.category_raw IS NULL THEN 'missing' WHEN i.category_id IS NULL THEN 'unknown' END, i.category_raw),
        (i.n, 'executor', CASE WHEN i.executor_raw IS NOT NULL AND i.executor_id IS NULL THEN 'unknown'
                               WHEN i.executor_id IS NULL AND i.category_id IS NOT NULL THEN 'missing' END, i.executor_raw),
        (i.n, 'status', CASE WHEN i.status_raw IS NULL THEN 'missing' WHEN i.status IS NULL THEN 'unknown' END, i.status_raw),
        (i.n, 'district', CASE WHEN i.district_raw IS NOT NULL AND i.district_id IS NULL THEN 'unknown' END, i.district_raw),
        (i.n, 'channel', CASE WHEN i.channel_raw IS NOT NULL AND i.channel IS NULL THEN 'unknown' END, i.channel_raw),
        (i.n, 'lat/lon', CASE WHEN (i.lat_raw IS NOT NULL OR i.lon_raw IS NOT NULL) AND i.point IS NULL AND i.located IS DISTINCT FROM 'latlon' AND i.address IS NULL THEN 'invalid' END,
                         coalesce(i.lat_raw, '') || ' ' || coalesce(i.lon_raw, '')),
        (i.n, 'address', CASE WHEN i.address IS NOT NULL AND i.located IS NULL AND NOT i.present THEN 'not_found' END, i.address),
        (i.n, 'due_at', CASE WHEN i.due_raw IS NOT NULL AND i.due_at IS NULL THEN 'invalid' END, i.due_raw),
        (i.n, 'closed_at', CASE WHEN i.closed_raw IS NOT NULL AND i.closed_at IS NULL THEN 'invalid'
                                WHEN i.closed_raw IS NULL AND i.status IN ('done', 'closed', 'rejected', 'explained') THEN 'missing' END, i.closed_raw),
        (i.n, 'confirmed', CASE WHEN i.confirmed_raw IS NOT NULL AND i.confirmation IS NULL THEN 'invalid' END, i.confirmed_raw),
        (i.n, 'rating', CASE WHEN i.rating_raw IS NOT NULL AND i.rating IS NULL THEN 'invalid' END, i.rating_raw),
        (i.n, 'phone', CASE WHEN i.phone_raw IS NOT NULL AND i.phone IS NULL THEN 'invalid' END, i.phone_raw)
      ) AS p(n, field, problem, value)
      WHERE p.problem IS NOT NULL AND NOT i.present`);
    report.problems = await t.map(`
      SELECT field, problem, coalesce(value, '') AS value, count(*)::int AS count, (array_agg(n ORDER BY n))[1:${EXAMPLES}] AS examples
        FROM imp_problem GROUP BY field, problem, value ORDER BY count(*) DESC, field, value LIMIT 200`, [],
    (r) => ({ field: r.field, problem: r.problem, value: r.value, count: r.count, examples: r.examples.map(Number) }));
    report.alreadyPresent = (await t.one(`SELECT count(*)::int AS n FROM imp WHERE present`)).n;
    const withProblem = (await t.one(`SELECT count(DISTINCT n)::int AS n FROM imp_problem`)).n;
    if (withProblem && !o.skipUnknown) { report.refused = true; report.skipped = withProblem; throw new Rollback(); }
    report.skipped = withProblem;
    report.located = await t.one(`SELECT count(*) FILTER (WHERE located = 'latlon')::int AS "latLon", count(*) FILTER (WHERE located = 'address')::int AS address,
        count(*) FILTER (WHERE located = 'fuzzy')::int AS fuzzy, count(*) FILTER (WHERE located IS NULL)::int AS none
      FROM imp i WHERE NOT present AND NOT EXISTS (SELECT 1 FROM imp_problem p WHERE p.n = i.n)`);

    const adding = (await t.one(`SELECT count(*)::int AS n FROM imp i WHERE NOT present AND NOT EXISTS (SELECT 1 FROM imp_problem p WHERE p.n = i.n)`)).n;
    const mode = (o.rollups ?? 'auto') === 'auto' ? (adding >= BULK_ROWS ? 'add' : 'triggers') : o.rollups;
    const bulk = adding > 0 && mode !== 'triggers';
    // Disabling a trigger locks appeal against writes until the commit: the desk waits for a bulk import.
    if (bulk) for (const sql of triggerSwitches(false, ['appeal'])) await t.none(sql);

    log('inserting appeals');
    // In file order, so ids follow the file. The due date is the file's, else the category's
    // deadline in calendar hours from registration.
    await t.none(`CREATE TEMP TABLE imp_new (id bigint, status text, created_at timestamptz, due_at timestamptz, done_at timestamptz, closed_at timestamptz,
      executor_id int, category_id int, channel text, confirmation text, rating smallint) ON COMMIT DROP`);
    const inserted = await t.result(`
      WITH ins AS (
        INSERT INTO appeal (number, channel, caller_phone, building_id, apartment, point, category_id, executor_id, text, status,
                            confirmation, rating, due_at, answer, created_at, updated_at, done_at, closed_at, control_count)
        SELECT i.number, coalesce(i.channel, 'phone'), i.phone, i.building_id, CASE WHEN i.building_id IS NOT NULL THEN i.apartment END,
               CASE WHEN i.building_id IS NULL THEN i.point END, i.category_id, i.executor_id, i.text, i.status,
               i.confirmation, i.rating, coalesce(i.due_at, i.created_at + c.deadline_hours * interval '1 hour'), NULL,
               i.created_at, coalesce(i.closed_at, i.created_at),
               CASE WHEN i.status IN ('done', 'closed') THEN i.closed_at END,
               CASE WHEN i.status IN ('closed', 'rejected', 'explained') THEN i.closed_at END,
               CASE WHEN i.status = 'control' OR i.confirmation = 'not_confirmed' THEN 1 ELSE 0 END
          FROM imp i JOIN category c ON c.id = i.category_id
         WHERE NOT i.present AND NOT EXISTS (SELECT 1 FROM imp_problem p WHERE p.n = i.n)
         ORDER BY i.n
        RETURNING id, status, created_at, due_at, done_at, closed_at, executor_id, category_id, channel, confirmation, rating)
      INSERT INTO imp_new SELECT * FROM ins`);
    report.imported = inserted.rowCount ?? 0;

    log('writing history');
    // created → assigned → the status reached (done before closed; a survey before the closing when
    // the file says whether the resident confirmed).
    await t.none(`
      INSERT INTO appeal_event (appeal_id, at, actor_id, kind, data)
      SELECT a.id, e.at, NULL, e.kind, e.data
        FROM imp_new a
        CROSS JOIN LATERAL (VALUES
          (1, a.created_at, 'created', jsonb_build_object('channel', a.channel, 'category_id', a.category_id, 'executor_id', a.executor_id, 'due_at', a.due_at, 'source', 'import')),
          (2, a.created_at, 'assigned', jsonb_build_object('executorId', a.executor_id, 'source', 'import', 'dueAt', a.due_at)),
          (3, CASE WHEN a.status IN ('in_progress', 'planned', 'control') THEN a.created_at END, 'status', jsonb_build_object('status', a.status)),
          (4, a.done_at, 'status', jsonb_build_object('status', 'done')),
          (5, CASE WHEN a.confirmation IS NOT NULL THEN coalesce(a.closed_at, a.done_at) END, 'survey', jsonb_build_object('confirmed', a.confirmation = 'confirmed', 'rating', a.rating)),
          (6, a.closed_at, 'status', jsonb_build_object('status', a.status))
        ) AS e(k, at, kind, data)
       WHERE e.at IS NOT NULL
       ORDER BY a.id, e.k`);
    if (bulk) {
      for (const sql of triggerSwitches(true, ['appeal'])) await t.none(sql);
      for (const r of ROLLUPS) {
        log(`${mode === 'rebuild' ? 'rebuilding' : 'adding to'} the ${r.name}`);
        if (mode === 'rebuild') await t.func(r.rebuild);
        else await t.one(`SELECT ${r.add}(array_agg(id)) FROM imp_new`);
      }
    }
    report.byStatus = Object.fromEntries((await t.any(`SELECT status, count(*)::int AS n FROM imp_new GROUP BY status ORDER BY status`)).map((r) => [r.status, r.n]));
    // Numbers of this year in the product's own form must not collide with imported ones.
    await t.none(`
      SELECT setval('appeal_number_seq', greatest((SELECT last_value FROM appeal_number_seq), m.n))
        FROM (SELECT max(substring(i.number from '/(\\d+)$')::bigint) AS n FROM imp i
               WHERE i.number ~ '^[^/\\s]+/\\d{4}/\\d+$' AND split_part(i.number, '/', 2) = to_char(now() AT TIME ZONE 'Europe/Kyiv', 'YYYY')) m
       WHERE m.n IS NOT NULL`);
    report.ms = Date.now() - started;
    if (o.dryRun) throw new Rollback();
    await t.none('INSERT INTO import_run (layer, file, report) VALUES ($1, $2, $3)', ['appeals', o.file, JSON.stringify(report)]);
  }).catch((e) => { if (!(e instanceof Rollback)) throw e; });
  } finally {
    conn.done();
  }
  report.ms = Date.now() - started;
  if (report.refused) throw new AppealImportRefused(report);
  return report;
}

export function formatAppealReport(r: AppealImportReport): string {
  const lines = [`Import "appeals" from ${r.file}${r.dryRun ? ' — DRY RUN, nothing written' : ''}${r.refused ? ' — REFUSED, nothing written' : ''} in ${(r.ms / 1000).toFixed(1)} s`,
    `  read ${r.read}, imported ${r.imported}, already present ${r.alreadyPresent}, skipped ${r.skipped}` +
    (r.ms > 0 && r.read ? ` (${Math.round(r.read / (r.ms / 60_000)).toLocaleString('en')} rows/min)` : '')];
  if (!r.refused && r.read && !r.imported && r.alreadyPresent) lines.push('  nothing new: every number in the file is already present');
  if (Object.keys(r.byStatus).length) lines.push(`  by status: ${Object.entries(r.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  if (r.imported) lines.push(`  placed by lat/lon ${r.located.latLon}, by address ${r.located.address}, by the geocoder's fuzzy match ${r.located.fuzzy}, without a place ${r.located.none}`);
  for (const p of r.problems) {
    lines.push(`  ${p.count} × ${p.field} ${p.problem}${p.value ? ` "${p.value}"` : ''}: ${PROBLEMS[p.problem]}; rows ${p.examples.join(', ')}${p.count > p.examples.length ? ', …' : ''}`);
  }
  if (r.ignoredColumns.length) lines.push(`  columns not imported: ${r.ignoredColumns.join(', ')}`);
  return lines.join('\n');
}

