// The historic appeals import (npm run import -- appeals) on a real PostGIS with a hand-built
// catalogue: what it maps, how it reports, that it refuses and leaves nothing behind, that a rerun
// imports nothing, that a row registered at 23:59 Kyiv time keeps its Kyiv day, and that the
// rollups and hotspots its row triggers keep equal the ones rebuilt from scratch.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { envelope } from '../helpers/geometry.ts';
import type { Db } from '../../server/db/db.ts';
import { importAppeals, AppealImportRefused, formatAppealReport, type AppealImportReport } from '../../gis-data/import/appeals.ts';
import { ImportError } from '../../gis-data/import/report.ts';
import { kyivDay } from '../../vocabulary/calendar.ts';
import { planningRepo } from '../../server/planning/planning.repo.ts';
import { hotspotSets } from '../../server/planning/hotspot-sets.ts';
import { ROLLUPS } from '../../gis-data/rollups.ts';

let db: Db;
const dir = mkdtempSync(join(tmpdir(), 'misto-import-appeals-'));
const ids: Record<string, number> = {};

test.before(async () => {
  ({ db } = await migratedDb('import_appeals'));
  const b = builder(db);
  const district = await b.district({ name: 'Центральний', nameEn: 'Central', area: envelope(24.70, 48.90, 24.74, 48.94) });
  ids.district = district;
  ids.zhek = await b.executor({ code: 'zhek-1', name: 'ЖЕК №1', kind: 'housing_office', district });
  ids.vodokanal = await b.executor({ code: 'vodokanal', name: 'Водоканал', kind: 'utility', utility: 'cold_water' });
  ids.water = await b.category({ code: 'no-cold-water', name: 'Відсутнє холодне водопостачання', nameEn: 'No cold water', rule: 'fixed', executor: ids.vodokanal, deadlineHours: 24 });
  ids.light = await b.category({ code: 'stairwell-light', name: 'Відсутнє освітлення у під’їзді', rule: 'housing_office', executor: ids.zhek, deadlineHours: 72 });
  const street = await b.street({ name: 'Незалежності', kind: 'вулиця' });
  ids.b12 = await b.building({ street, house: '12', district, housingOffice: ids.zhek, footprint: envelope(24.7100, 48.9200, 24.7104, 48.9203) });
  ids.b14 = await b.building({ street, house: '14а', district, housingOffice: ids.zhek, footprint: envelope(24.7110, 48.9200, 24.7114, 48.9203) });
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const mapping = file('mapping.csv', [
  'field,value,code',
  'status,Виконано повністю,closed',
  'status,Відмова,rejected',
  'category,Немає води,no-cold-water',
  'executor,КП Водоканал (стара назва),vodokanal',
].join('\n'));

const HEADER = 'number,registered_at,category,executor,status,address,lat,lon,district,due,closed,text,phone';
const GOOD = [
  HEADER,
  // 23:59 Kyiv on 31 January (UTC+2): still the 31st in Kyiv, already... nothing in UTC — 21:59Z.
  'H/2025/1,2025-01-31 23:59,no-cold-water,,Виконано повністю,"вул. Незалежності, 12",,,,,2025-02-01 10:00,Немає води,050 123 45 67',
  'H/2025/2,01.07.2025 08:30,Немає води,КП Водоканал (стара назва),в роботі,,48.92015,24.71020,,,,Слабкий тиск,',
  'H/2025/3,2025-07-02T09:00:00+03:00,Відсутнє освітлення у під’їзді,,виконано,"Незалежності 14-А",,,Центральний,2025-07-10 18:00,2025-07-03 12:00,Темно,',
  'H/2025/4,2025-03-15 12:00,stairwell-light,ЖЕК №1,Відмова,,,,Central,,2025-03-15 15:00,Дублікат,+380671234567',
].join('\n') + '\n';

const count = async (sql: string) => (await db.one(sql)).n as number;

test('maps categories, executors and statuses by the mapping file and the catalogue; geocodes; writes the history', async () => {
  const r = await importAppeals(db, { file: file('good.csv', GOOD), mapping });
  assert.is(r.read, 4);
  assert.is(r.imported, 4, formatAppealReport(r));
  assert.is(r.skipped, 0);
  assert.equal(r.problems, []);
  assert.equal(r.byStatus, { closed: 1, done: 1, in_progress: 1, rejected: 1 });
  assert.equal(r.located, { latLon: 1, address: 2, fuzzy: 0, none: 1 });
  const rows = await db.any(`SELECT number, category_id, executor_id, status, building_id, caller_phone, created_at, due_at, done_at, closed_at, point IS NOT NULL AS has_point
                               FROM appeal ORDER BY id`);
  const [a1, a2, a3, a4] = rows;
  assert.is(a1.category_id, ids.water); assert.is(a1.executor_id, ids.vodokanal); assert.is(a1.status, 'closed');
  assert.is(a1.building_id, ids.b12); assert.is(a1.caller_phone, '+380501234567');
  // Registered 23:59 Kyiv: the 31st in Kyiv, and the due date is the category's 24 hours later.
  assert.is(a1.created_at.toISOString(), '2025-01-31T21:59:00.000Z');
  assert.is(kyivDay(a1.created_at), '2025-01-31');
  assert.is(a1.due_at.toISOString(), '2025-02-01T21:59:00.000Z');
  assert.is(a1.done_at.toISOString(), '2025-02-01T08:00:00.000Z');
  assert.is(a1.closed_at.toISOString(), '2025-02-01T08:00:00.000Z');
  assert.is(a2.executor_id, ids.vodokanal); assert.is(a2.status, 'in_progress'); assert.is(a2.building_id, ids.b12); assert.ok(!a2.has_point);
  // Blank executor: the catalogue's rule (the building's housing office); an offset in the file is kept.
  assert.is(a3.category_id, ids.light); assert.is(a3.executor_id, ids.zhek); assert.is(a3.status, 'done'); assert.is(a3.building_id, ids.b14);
  assert.is(a3.created_at.toISOString(), '2025-07-02T06:00:00.000Z');
  assert.is(a3.closed_at, null);
  assert.is(a4.status, 'rejected'); assert.is(a4.executor_id, ids.zhek);
  const events = await db.any(`SELECT a.number, string_agg(e.kind || coalesce(':' || (e.data->>'status'), ''), ' ' ORDER BY e.id) AS h
                                 FROM appeal_event e JOIN appeal a ON a.id = e.appeal_id GROUP BY a.number ORDER BY a.number`);
  assert.equal(events.map((e) => `${e.number} ${e.h}`), [
    'H/2025/1 created assigned status:done status:closed',
    'H/2025/2 created assigned status:in_progress',
    'H/2025/3 created assigned status:done',
    'H/2025/4 created assigned status:rejected',
  ]);
  assert.is(await count(`SELECT count(*)::int AS n FROM import_run WHERE layer = 'appeals'`), 1);
});

test('a second run of the same file imports nothing and says so', async () => {
  const before = await count('SELECT count(*)::int AS n FROM appeal_event');
  const r = await importAppeals(db, { file: join(dir, 'good.csv'), mapping });
  assert.is(r.imported, 0);
  assert.is(r.alreadyPresent, 4);
  assert.match(formatAppealReport(r), /nothing new: every number in the file is already present/);
  assert.is(await count('SELECT count(*)::int AS n FROM appeal'), 4);
  assert.is(await count('SELECT count(*)::int AS n FROM appeal_event'), before);
});

const BAD = [
  HEADER,
  'B/1,2025-05-01 10:00,Невідома категорія,,в роботі,,,,,,,x,',
  'B/2,2025-05-01 11:00,Невідома категорія,,в роботі,,,,,,,x,',
  'B/3,2025-05-01 12:00,no-cold-water,,Архів,,,,,,,x,',
  'B/4,31.02.2025 10:00,no-cold-water,,в роботі,,,,,,,x,',
  'B/5,2025-05-01 13:00,no-cold-water,,в роботі,"вул. Неіснуюча, 1",,,,,,x,',
  'B/6,2025-05-01 14:00,no-cold-water,,закрито,,,,,,,x,',
  'B/7,2025-05-01 15:00,no-cold-water,,в роботі,,,,,,,добре,',
  'B/7,2025-05-01 16:00,no-cold-water,,в роботі,,,,,,,дубль,',
].join('\n') + '\n';

test('anything unknown refuses the whole import, reported with counts and example rows; nothing is left behind', async () => {
  const snapshot = async () => ({
    appeals: await count('SELECT count(*)::int AS n FROM appeal'), events: await count('SELECT count(*)::int AS n FROM appeal_event'),
    runs: await count('SELECT count(*)::int AS n FROM import_run'), seq: (await db.one('SELECT last_value::int AS n FROM appeal_number_seq')).n,
    temp: await count(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'imp%' AND relpersistence = 't'`),
  });
  const before = await snapshot();
  let refused: AppealImportReport | null = null;
  try { await importAppeals(db, { file: file('bad.csv', BAD), mapping }); } catch (e) {
    assert.instance(e, AppealImportRefused);
    refused = (e as AppealImportRefused).report;
  }
  assert.ok(refused, 'the import was refused');
  const p = (field: string, problem: string) => refused!.problems.find((x) => x.field === field && x.problem === problem);
  assert.equal(p('category', 'unknown'), { field: 'category', problem: 'unknown', value: 'Невідома категорія', count: 2, examples: [1, 2] });
  assert.equal(p('status', 'unknown')?.examples, [3]);
  assert.equal(p('registered_at', 'invalid')?.value, '31.02.2025 10:00');
  assert.equal(p('address', 'not_found')?.examples, [5]);
  assert.equal(p('closed_at', 'missing')?.examples, [6]);
  assert.equal(p('number', 'duplicate_in_file')?.examples, [8]);
  assert.is(refused!.imported, 0);
  assert.is(refused!.skipped, 7);
  assert.match(formatAppealReport(refused!), /REFUSED/);
  assert.match(formatAppealReport(refused!), /2 × category unknown "Невідома категорія".*rows 1, 2/);
  assert.equal(await snapshot(), before);
});

test('with skipUnknown the rest is imported and the skipped rows are reported', async () => {
  const r = await importAppeals(db, { file: join(dir, 'bad.csv'), mapping, skipUnknown: true });
  assert.is(r.imported, 1); // B/7 (its first row)
  assert.is(r.skipped, 7);
  assert.ok(await db.oneOrNone(`SELECT 1 FROM appeal WHERE number = 'B/7' AND text = 'добре'`));
  assert.is(await count(`SELECT count(*)::int AS n FROM appeal WHERE number LIKE 'B/%'`), 1);
});

test('a mapping naming what the catalogue lacks, or a file without the required columns, is refused before anything is read', async () => {
  const badMap = file('badmap.csv', 'field,value,code\ncategory,Щось,no-such-category\n');
  let err: unknown;
  try { await importAppeals(db, { file: join(dir, 'good.csv'), mapping: badMap }); } catch (e) { err = e; }
  assert.instance(err, ImportError);
  assert.match((err as Error).message, /category "no-such-category"/);
  err = null;
  try { await importAppeals(db, { file: file('nocols.csv', 'number,text\n1,x\n') }); } catch (e) { err = e; }
  assert.instance(err, ImportError);
  assert.match((err as Error).message, /registered_at, category, status/);
});

test('semicolon-separated files (a spreadsheet in the Ukrainian locale) read the same', async () => {
  const r = await importAppeals(db, { file: file('semi.csv', 'номер;зареєстровано;категорія;статус;адреса\nS/1;2025-09-01 10:00;no-cold-water;нове;вул. Незалежності, 12\n') });
  assert.is(r.imported, 1, formatAppealReport(r));
  assert.equal(r.byStatus, { new: 1 });
});

// Each case adds its sets to the ones before: [where the set's numbers are].
const expectedSets: string[] = [];

for (const rollups of ['triggers', 'add', 'rebuild'] as const) {
  test(`rollups by ${rollups}: what the import leaves equals the rollups and hotspots rebuilt from scratch`, async () => {
    // A recurring leak at building 12: three rows a week apart, joining H/2025/1 in February 2025;
    // in June 2024 and September 2024 hotspots of their own.
    const tag = rollups[0].toUpperCase();
    const month = { triggers: '2025-02', add: '2024-09', rebuild: '2024-06' }[rollups];
    const row = (n: string, day: number, where: string) =>
      `${tag}/${n},${month}-${String(day).padStart(2, '0')} 10:00,no-cold-water,,нове,${where},,,,Знову немає води,`;
    const b12 = '"вул. Незалежності, 12",,';
    const at = (lat: number, lon: number) => `,${lat},${lon}`;
    let rows = [0, 7, 14].map((d) => row(String(d), 3 + d, b12));
    let oldSetId: string | undefined;
    // …during an outage announced over the building: the appeals count inside it.
    if (rollups === 'triggers') {
      await builder(db).announcement({ utility: 'cold_water', buildings: [ids.b12], executor: ids.vodokanal, title: 'Ремонт водогону',
        startsAt: new Date('2025-02-01T00:00:00+02:00'), endsAt: new Date('2025-02-28T00:00:00+02:00') });
      expectedSets.push(`number = 'H/2025/1' OR number LIKE 'T/%'`);
    }
    if (rollups === 'add') {
      // Already there (by the triggers): an appeal at building 12 the new ones surround, a lone
      // puddle and a set of two 73 m east of it. A new puddle between them links all three; two
      // new ones elsewhere make a set of their own; one at building 14 stays alone.
      const before = ['E/1,2024-09-10 10:00,no-cold-water,,нове,"вул. Незалежності, 12",,,,,,Знову,',
        `E/p1,2024-09-05 10:00,no-cold-water,,нове,${at(48.925, 24.72)},,,,Калюжа,`,
        `E/q1,2024-09-06 10:00,no-cold-water,,нове,${at(48.925, 24.721)},,,,Калюжа,`,
        `E/q2,2024-09-07 10:00,no-cold-water,,нове,${at(48.925, 24.721)},,,,Калюжа,`];
      const e = await importAppeals(db, { file: file('before-add.csv', [HEADER, ...before].join('\n') + '\n'), mapping });
      assert.is(e.imported, 4, formatAppealReport(e));
      oldSetId = (await db.one(`SELECT DISTINCT m.hotspot_id::text AS id FROM hotspot_member m JOIN appeal a ON a.id = m.appeal_id WHERE a.number LIKE 'E/q%'`)).id;
      rows = [row('3', 3, b12), row('17', 17, b12), row('p', 6, at(48.925, 24.7205)),
        row('r1', 20, at(48.93, 24.73)), row('r2', 21, at(48.93, 24.73)), row('x', 4, '"вул. Незалежності, 14а",,')];
      expectedSets.push(`number IN ('E/1', 'A/3', 'A/17')`, `number IN ('E/p1', 'E/q1', 'E/q2', 'A/p')`, `number LIKE 'A/r%'`);
    }
    if (rollups === 'rebuild') expectedSets.push(`number LIKE 'R/%'`);
    const r = await importAppeals(db, { file: file(`recurring-${rollups}.csv`, [HEADER, ...rows].join('\n') + '\n'), mapping, rollups });
    assert.is(r.imported, rows.length, formatAppealReport(r));
    const tables = ['appeal_stat_day', 'appeal_stat_month', 'appeal_stat_day_category', 'appeal_stat_open', 'appeal_hex_day', 'appeal_hex_month',
      'appeal_district_day', 'appeal_hex_day_all', 'appeal_hex_month_all', 'announcement_appeal_day'];
    const snapshot = async () => {
      const out: Record<string, unknown[]> = {};
      for (const t of tables) out[t] = await db.any(`SELECT * FROM ${t} r WHERE coalesce(to_jsonb(r) ->> 'appeals', to_jsonb(r) ->> 'total', '1')::int <> 0 ORDER BY r::text`);
      out.hotspots = await planningRepo(db).hotspotSets();
      // What a list shows of each set, its id aside (a rebuild numbers sets afresh).
      out.hotspotRows = await db.any(`
        SELECT category_id, appeals, first_at, last_at, round(x::numeric, 3) AS x, round(y::numeric, 3) AS y, building_id,
               round(gap_mean::numeric, 6) AS gap_mean, round(gap_sd::numeric, 6) AS gap_sd, weeks, weeks_upto
          FROM hotspot ORDER BY first_at, appeals`);
      return out;
    };
    const kept = await snapshot();
    const set = async (where: string) => (await db.any<{ id: string }>(`SELECT id::text AS id FROM appeal WHERE ${where} ORDER BY id`)).map((x) => x.id);
    const expected = await Promise.all(expectedSets.map(set));
    const byFirst = (sets: unknown[]) => (sets as string[][]).sort((x, y) => Number(x[0]) - Number(y[0]));
    assert.equal(byFirst(kept.hotspots), byFirst(expected));
    assert.equal(byFirst(kept.hotspots), hotspotSets(await planningRepo(db).hotspotInput()));
    if (oldSetId) {
      // The set that grew keeps its id.
      const grown = await db.one(`SELECT DISTINCT m.hotspot_id::text AS id FROM hotspot_member m JOIN appeal a ON a.id = m.appeal_id WHERE a.number = 'A/p'`);
      assert.is(grown.id, oldSetId);
    }
    // The triggers are back on after a bulk import.
    const off = await db.any(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'appeal'::regclass AND NOT tgisinternal AND tgenabled = 'D'`);
    assert.equal(off, []);
    await db.tx(async (t) => { for (const r of ROLLUPS) await t.func(r.rebuild); });
    const rebuilt = await snapshot();
    for (const t of tables) assert.ok((kept[t] as unknown[]).length > 0, `${t} holds the imported appeals`);
    byFirst(rebuilt.hotspots);
    assert.equal(rebuilt, kept);
  });
}

test.run();
