// The planners' maps on a hand-built fixture (fixture.ts): hexagon and district counts from the
// rollups, equal to a scan of the appeals before and after changes; hotspots (a weekly lift failure
// found, a scattered set not); calls and appeals inside an announced outage; Kyiv day edges; roles,
// refusals, CSV, and no personal data for an analyst. The test that changes appeals runs last.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { startApi } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { CITY } from '../appeals/fixture.ts';
import { A, FROM, LIFT, PRIVATE, TO, day, seedPlanning } from './fixture.ts';
import { addDays } from '../../vocabulary/calendar.ts';
import { MAP_HEX_SIZES, hexagonPolygon } from '../../vocabulary/planning.ts';
import { planningRepo } from '../../server/planning/planning.repo.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
let api: Awaited<ReturnType<typeof startApi>>;
let repo: ReturnType<typeof planningRepo>;
const as: Record<string, ReturnType<typeof client>> = {};

test.before(async () => {
  ({ db } = await migratedDb('planning_maps'));
  await seedPlanning(db);
  await createUser(db, 'supervisor1', 'supervisor');
  api = await startApi(db);
  repo = planningRepo(db);
  for (const login of ['analyst1', 'supervisor1', 'admin1', 'operator1', 'zhek1']) {
    as[login] = client(api.url);
    assert.equal((await as[login].signIn(login, PASSWORD)).status, 200, login);
  }
});
test.after(async () => { await api?.close(); });

const get = async (path: string, who = 'analyst1') => {
  const r = await as[who].get(path);
  assert.equal(r.status, 200, `${path}: ${r.status} ${await r.clone().text()}`);
  return r.json();
};

/** The cell of `size` that contains A, as ST_HexagonGrid has it. */
const cellOf = (size: number, p: readonly [number, number]) => db.one<{ i: number; j: number }>(`
  SELECT h.i, h.j FROM ST_HexagonGrid($1::float8, ST_Transform(ST_SetSRID(ST_MakePoint($2, $3), 4326), 3857)) h
   WHERE ST_Intersects(h.geom, ST_Transform(ST_SetSRID(ST_MakePoint($2, $3), 4326), 3857))`, [size, p[0], p[1]]);

test('the cell arithmetic agrees with ST_HexagonGrid at every size', async () => {
  const r = await db.one<{ n: number; wrong: number }>(`
    WITH p AS (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(30.2 + random() * 0.6, 50.2 + random() * 0.4), 4326), 3857) AS pt
                 FROM generate_series(1, 400)),
         s AS (SELECT unnest(appeal_hex_sizes()) AS size)
    SELECT count(*)::int AS n,
           count(*) FILTER (WHERE (c.i, c.j) IS DISTINCT FROM (SELECT (h.i, h.j) FROM ST_HexagonGrid(s.size, p.pt) h WHERE ST_Intersects(h.geom, p.pt) LIMIT 1))::int AS wrong
      FROM p, s, appeal_hex_cell(s.size, ST_X(p.pt), ST_Y(p.pt)) c`);
  assert.equal(r, { n: 400 * MAP_HEX_SIZES.length, wrong: 0 });
  assert.equal((await db.one<{ s: number[] }>('SELECT appeal_hex_sizes() AS s')).s, [...MAP_HEX_SIZES]);
});

test('a cell drawn in TypeScript is the hexagon PostGIS draws', async () => {
  const cells = await db.any<{ size: number; i: number; j: number; coordinates: [number, number][] }>(`
    SELECT s AS size, c.i, c.j, ST_AsGeoJSON(ST_Transform(ST_Hexagon(s, c.i, c.j, ST_SetSRID(ST_MakePoint(0, 0), 3857)), 4326), 6)::json -> 'coordinates' -> 0 AS coordinates
      FROM unnest(appeal_hex_sizes()) s,
           LATERAL (SELECT * FROM (VALUES (0, 0), (1, 0), (-1, 1), (3, -2)) v (i, j)
                    UNION ALL SELECT h.i, h.j FROM (VALUES (30.5234, 50.4501), (24.7111, 48.9226), (30.61, 50.39)) p (lon, lat),
                                    appeal_hex_cell(s, ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), 3857)), ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), 3857))) h) c`);
  assert.is(cells.length, 35);
  for (const c of cells) {
    const mine = hexagonPolygon(c.size, c.i, c.j);
    assert.is(mine.length, 7);
    const off = Math.max(...mine.flatMap(([x, y], k) => [Math.abs(x - c.coordinates[k][0]), Math.abs(y - c.coordinates[k][1])]));
    assert.ok(off <= 1.01e-6, `size ${c.size} (${c.i}, ${c.j}): off by ${off}`);
  }
});

test('hexagons: the period\'s appeals per cell, by category, with the cell\'s breakdown', async () => {
  const a = await cellOf(250, A);
  const roof = await get(`/api/stats/hexagons?from=${FROM}&to=${TO}&category=${CITY.roofLeak}&size=250`);
  assert.is(roof.total, 4);
  assert.is(roof.max, 3);
  assert.equal(roof.cells.map((c: { appeals: number }) => c.appeals), [3, 1]);
  assert.equal([roof.cells[0].i, roof.cells[0].j], [a.i, a.j]);
  assert.is(roof.cells[0].polygon.length, 7); // a closed hexagon, lon/lat
  const all = await get(`/api/stats/hexagons?from=${FROM}&to=${TO}&size=250`);
  assert.is(all.total, 12);
  assert.is(all.max, 6);
  // Sphere "housing" (roof leaks, no water, lifts): 4 + 2 + 1.
  assert.is((await get(`/api/stats/hexagons?from=${FROM}&to=${TO}&sphere=1&size=250`)).total, 7);
  const cell = await get(`/api/stats/hexagons/cell?from=${FROM}&to=${TO}&size=250&i=${a.i}&j=${a.j}`);
  assert.equal(cell.categories.map((c: { categoryId: number; appeals: number }) => [c.categoryId, c.appeals]), [[CITY.roofLeak, 3], [CITY.noWater, 2], [LIFT, 1]]);
});

test('Kyiv day edges: the first and the last half-minute of the period count, the ones beside it do not', async () => {
  const one = async (d: string) => (await get(`/api/stats/hexagons?from=${d}&to=${d}&category=${CITY.roofLeak}&size=1000`)).total;
  assert.is(await one(FROM), 1);
  assert.is(await one(addDays(FROM, -1)), 1);
  assert.is(await one(TO), 1);
  assert.is(await one(addDays(TO, 1)), 1);
  assert.is((await get(`/api/stats/districts?from=${addDays(FROM, -1)}&to=${addDays(TO, 1)}&category=${CITY.roofLeak}`)).total, 6);
});

test('districts: every district with its count, by building or by point', async () => {
  const all = await get(`/api/stats/districts?from=${FROM}&to=${TO}`);
  assert.equal(all.districts.map((d: { name: string; appeals: number }) => [d.name, d.appeals]), [['Центральний', 10], ['Пасічна', 2]]);
  assert.is(all.total, 12);
  assert.is(all.districts[0].geometry.type, 'Polygon');
  const garbage = await get(`/api/stats/districts?from=${FROM}&to=${TO}&category=${CITY.garbage}`);
  assert.equal(garbage.districts.map((d: { name: string; appeals: number }) => [d.name, d.appeals]), [['Пасічна', 1], ['Центральний', 0]]);
});

test('hotspots: the weekly lift failure and the repeated roof leak are found, scattered traffic lights are not', async () => {
  const from = addDays(FROM, -28);
  const r = await get(`/api/stats/hotspots?from=${from}&to=${TO}`);
  assert.equal(r.hotspots.map((h: { categoryId: number; appeals: number }) => [h.categoryId, h.appeals]), [[LIFT, 5], [CITY.roofLeak, 4]]);
  const lift = r.hotspots[0];
  assert.match(lift.address, /Незалежності, 12/);
  assert.is(lift.meanIntervalDays, 7);
  assert.is(lift.variation, 0);
  assert.is(lift.regular, true);
  assert.is(lift.first, new Date(new Date(lift.last).getTime() - 28 * 86400e3).toISOString());
  assert.ok(Math.abs(lift.lon - A[0]) < 0.0005 && Math.abs(lift.lat - A[1]) < 0.0005);
  const roof = r.hotspots[1];
  assert.is(roof.regular, false);
  assert.is(roof.category, 'Протікання покрівлі');
  // The lift alone within the period: one appeal, no hotspot; four traffic lights 300 m apart: none.
  assert.equal((await get(`/api/stats/hotspots?from=${FROM}&to=${TO}&category=${LIFT}`)).hotspots, []);
  assert.equal((await get(`/api/stats/hotspots?from=${FROM}&to=${TO}&category=${CITY.trafficLight}&min=2`)).hotspots, []);
  // A period's edge cuts the lift's set: the appeals inside it count, and `min` applies to them.
  const cut = await get(`/api/stats/hotspots?from=${addDays(FROM, -14)}&to=${TO}&category=${LIFT}`);
  assert.equal(cut.hotspots.map((h: { appeals: number }) => h.appeals), [3]);
  assert.equal((await get(`/api/stats/hotspots?from=${addDays(FROM, -14)}&to=${TO}&category=${LIFT}&min=4`)).hotspots, []);
  assert.equal([cut.radius, cut.window, cut.min], [50, 14, 3]);
  // Kyiv day edges: the roof leaks at A half a minute inside the period count, those just outside do not.
  assert.equal((await get(`/api/stats/hotspots?from=${FROM}&to=${TO}&category=${CITY.roofLeak}`)).hotspots.map((h: { appeals: number }) => h.appeals), [3]);
});

test('calls inside an announcement: inside its zone and time they count, outside either they do not', async () => {
  const r = await get(`/api/stats/announcement-calls?from=${FROM}&to=${TO}`);
  assert.equal(r.announcements.map((a: { announcementId: number; calls: number; appeals: number; buildings: number }) => [a.announcementId, a.calls, a.appeals, a.buildings]), [[1, 2, 1, 1]]);
  assert.equal(r.byUtility, [{ utility: 'cold_water', announcements: 1, calls: 2, appeals: 1 }]);
  assert.match(r.announcements[0].zone.type, /Polygon$/);
  assert.equal((await get(`/api/stats/announcement-calls?from=${FROM}&to=${TO}&utility=gas`)).announcements, []);
  // A period that ends the day before the outage sees none of it.
  assert.equal((await get(`/api/stats/announcement-calls?from=${FROM}&to=${day(1)}`)).announcements, []);
});

test('the maps are for analysts, supervisors and admins only', async () => {
  const path = `/api/stats/hexagons?from=${FROM}&to=${TO}`;
  for (const who of ['analyst1', 'supervisor1', 'admin1']) assert.is((await as[who].get(path)).status, 200, who);
  for (const who of ['operator1', 'zhek1']) assert.is((await as[who].get(path)).status, 403, who);
  assert.is((await fetch(api.url + path)).status, 401);
  assert.is((await fetch(api.url + '/api/stats/live')).status, 401);
});

test('bad input is refused with a stable code', async () => {
  const code = async (path: string) => { const r = await as.analyst1.get(path); assert.is(r.status, 400, path); return (await r.json()).error; };
  assert.is(await code(`/api/stats/hexagons?from=${TO}&to=${FROM}`), 'ends_before_start');
  assert.is(await code(`/api/stats/hexagons?from=${FROM}&to=${TO}&size=300`), 'invalid_value');
  assert.is(await code(`/api/stats/districts?from=${addDays(TO, -400)}&to=${TO}`), 'period_too_long');
  assert.is(await code(`/api/stats/districts?from=2026-02-30&to=${TO}`), 'invalid_date');
  assert.is(await code(`/api/stats/hotspots?from=${FROM}&to=${TO}&min=500`), 'too_big');
  assert.is(await code(`/api/stats/hotspots?from=${FROM}&to=${TO}&radius=400`), 'fixed_parameter');
  assert.is(await code(`/api/stats/hotspots?from=${FROM}&to=${TO}&window=1`), 'fixed_parameter');
  assert.is(await code(`/api/stats/hotspots?from=${FROM}&to=${TO}&category=abc`), 'invalid_type');
  assert.is(await code(`/api/stats/announcement-calls?from=${FROM}&to=${TO}&utility=water`), 'invalid_value');
  assert.is(await code(`/api/stats/hexagons/cell?from=${FROM}&to=${TO}&i=1`), 'required');
});

test('every table comes as CSV: UTF-8 with BOM, headers in the language asked for', async () => {
  const csv = async (path: string) => {
    const r = await as.analyst1.get(path);
    assert.is(r.status, 200, path);
    assert.match(r.headers.get('content-type')!, /^text\/csv; charset=utf-8/);
    const bytes = new Uint8Array(await r.arrayBuffer());
    assert.equal([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
    return new TextDecoder().decode(bytes.slice(3)).split('\r\n');
  };
  const hex = await csv(`/api/stats/hexagons?from=${FROM}&to=${TO}&category=${CITY.roofLeak}&size=250&format=csv`);
  assert.is(hex[0], 'i,j,довгота,широта,Звернень');
  assert.match(hex[1], /^-?\d+,-?\d+,24\.71\d+,48\.92\d+,3$/);
  const districts = await csv(`/api/stats/districts?from=${FROM}&to=${TO}&format=csv&lang=en`);
  assert.equal(districts.slice(0, 3), ['District,Appeals', 'Centre,10', 'Pasichna,2']);
  const hot = await csv(`/api/stats/hotspots?from=${addDays(FROM, -28)}&to=${TO}&format=csv`);
  assert.is(hot[0], 'Категорія,Адреса,довгота,широта,Звернень,Перше,Останнє,"Інтервал, днів",Регулярно');
  assert.match(hot[1], /^Не працює ліфт,"вул\. Незалежності, 12",.*,5,.*,7,так$/);
  const calls = await csv(`/api/stats/announcement-calls?from=${FROM}&to=${TO}&format=csv`);
  assert.is(calls[0], 'Оголошення,Ресурс,Вид,Заголовок,Початок,Кінець,Будинків,Дзвінків,Звернень');
  assert.match(calls[1], /^1,Холодна вода,Відключення,Ремонт водогону,.*,1,2,1$/);
  const cellCsv = await csv(`/api/stats/hexagons/cell?from=${FROM}&to=${TO}&size=250&i=${(await cellOf(250, A)).i}&j=${(await cellOf(250, A)).j}&format=csv`);
  assert.equal(cellCsv.slice(0, 2), ['Код,Категорія,Звернень', 'roof_leak,Протікання покрівлі,3']);
});

test('an analyst receives no personal data from any of these endpoints', async () => {
  const q = `from=${addDays(FROM, -28)}&to=${TO}`;
  const a = await cellOf(250, A);
  const paths = [
    `/api/stats/hexagons?${q}&size=250`, `/api/stats/hexagons/cell?${q}&size=250&i=${a.i}&j=${a.j}`, `/api/stats/districts?${q}`,
    `/api/stats/hotspots?${q}`, `/api/stats/announcement-calls?${q}`, '/api/stats/live',
  ];
  for (const path of paths) {
    for (const p of [path, `${path}${path.includes('?') ? '&' : '?'}format=csv`]) {
      const r = await as.analyst1.get(p);
      assert.is(r.status, 200, p);
      const body = await r.text();
      for (const secret of [PRIVATE.name, PRIVATE.phone, PRIVATE.phone.slice(4), PRIVATE.text, 'Іваненко', '+380671234567', 'apartment', 'callerPhone', 'resident']) {
        assert.not.ok(body.includes(secret), `${p} leaks ${secret}`);
      }
    }
  }
});
async function rollupEqualsScan(label: string) {
  for (const size of MAP_HEX_SIZES) {
    // Edge months read as days, and as whole months less the days outside (server/planning/periods.ts).
    const periods = [{ from: `${addDays(FROM, -40).slice(0, 8)}03`, to: addDays(TO, 5) }, { from: `${addDays(FROM, -40).slice(0, 8)}27`, to: addDays(TO, 1) },
      { from: `${FROM.slice(0, 8)}02`, to: `${FROM.slice(0, 8)}27` }];
    for (const [category, period] of [undefined, CITY.roofLeak, CITY.garbage].flatMap((c) => periods.map((q) => [c, q] as const))) {
      const p = { ...period, category };
      const fast = (await repo.hexagons(p, size)).map(({ i, j, appeals }) => ({ i, j, appeals }));
      assert.equal(fast, await repo.naiveHexagons(p, size), `${label}: size ${size}, category ${category}`);
      const byId = (rows: { districtId: number; appeals: number }[]) =>
        rows.filter((d) => d.appeals > 0).map(({ districtId, appeals }) => ({ districtId, appeals })).sort((x, y) => x.districtId - y.districtId);
      assert.equal(byId(await repo.districts(p)), byId(await repo.naiveDistricts(p)), `${label}: districts, category ${category}`);
    }
  }
}

test('the rollups equal a scan of the appeals after inserts, moves, recategorisation and deletion', async () => {
  await rollupEqualsScan('as seeded');
  const id = (await db.one<{ id: number }>(`SELECT id FROM appeal WHERE category_id = $1 AND building_id IS NULL ORDER BY id LIMIT 1`, [CITY.roofLeak])).id;
  await db.tx(async (t) => {
    await t.none('UPDATE appeal SET category_id = $2 WHERE id = $1', [id, CITY.garbage]);
    await t.none(`UPDATE appeal SET point = ST_SetSRID(ST_MakePoint(24.735, 48.925), 4326) WHERE category_id = $1`, [CITY.trafficLight]);
    await t.none(`UPDATE appeal SET status = 'in_progress' WHERE category_id = $1`, [LIFT]);
  });
  await rollupEqualsScan('after updates');
  assert.is((await get(`/api/stats/hexagons?from=${FROM}&to=${TO}&category=${CITY.roofLeak}&size=250`)).total, 3);
  await db.none('DELETE FROM appeal WHERE id = $1', [id]);
  await rollupEqualsScan('after a deletion');
  // Rebuilt from scratch (what bulk loads call), the rollups are what the triggers kept.
  const rows = (t: string) => db.any(`SELECT * FROM ${t} r WHERE appeals <> 0 ORDER BY r::text`);
  const all = async () => ({ day: await rows('appeal_hex_day'), month: await rows('appeal_hex_month'), district: await rows('appeal_district_day'),
    dayAll: await rows('appeal_hex_day_all'), monthAll: await rows('appeal_hex_month_all') });
  const before = await all();
  assert.ok(before.dayAll.length > 0 && before.monthAll.length > 0);
  await db.func('appeal_map_rebuild');
  assert.equal(await all(), before);
  await rollupEqualsScan('after a rebuild');
  assert.is((await get(`/api/stats/districts?from=${FROM}&to=${TO}&category=${CITY.garbage}`)).total, 1);
  assert.equal((await get(`/api/stats/districts?from=${FROM}&to=${TO}&category=${CITY.trafficLight}`)).districts
    .map((d: { name: string; appeals: number }) => [d.name, d.appeals]), [['Пасічна', 4], ['Центральний', 0]]);
});

test.run();
