// Hotspots as the database keeps them (migration 132): the definition at its edges (an object, a
// building, a point inside the building are places; points elsewhere: 49 m links, 51 m does not;
// 14 days link, a minute more does not; a chain links ends 90 m apart), and on a
// few hundred random appeals the kept sets equal an independent computation over the raw table
// (server/planning/hotspot-sets.ts) after inserts, moves, recategorisation, redating, deletion and
// a rebuild from scratch.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { TEST_NOW, DAY } from '../helpers/clock.ts';
import { CITY, seedCity } from '../appeals/fixture.ts';
import { Rng } from '../../gis-data/generator/random.ts';
import { planningRepo } from '../../server/planning/planning.repo.ts';
import { hotspotSets } from '../../server/planning/hotspot-sets.ts';
import { HOTSPOT_RADIUS_M, HOTSPOT_WINDOW_DAYS } from '../../vocabulary/planning.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
let b: ReturnType<typeof builder>;
let repo: ReturnType<typeof planningRepo>;

test.before(async () => {
  ({ db } = await migratedDb('planning_hotspots'));
  await seedCity(db);
  b = builder(db);
  repo = planningRepo(db);
});

const LAT = 48.915;
/** `m` metres east of `lon` along LAT: in EPSG:3857 that is exactly m / cos φ, the migration's measure. */
const east = (lon: number, m: number) => lon + (m / (6378137 * Math.cos((LAT * Math.PI) / 180))) * (180 / Math.PI);
const START = new Date(TEST_NOW.getTime() - 200 * DAY);

const kept = () => repo.hotspotSets().then((sets) => sets.sort((x, y) => (BigInt(x[0]) < BigInt(y[0]) ? -1 : 1)));
const raw = async () => hotspotSets(await repo.hotspotInput());
/** The sets the database keeps are the ones the raw appeals make, and each set's row agrees with its members. */
async function agree(label: string) {
  assert.equal(await kept(), await raw(), label);
  const rows = await db.any(`
    SELECT h.id FROM hotspot h
      JOIN (SELECT hotspot_id, count(*)::int AS n, min(at) AS f, max(at) AS l, min(category_id) AS c, max(category_id) AS c2
              FROM hotspot_member WHERE hotspot_id IS NOT NULL GROUP BY hotspot_id) m ON m.hotspot_id = h.id
     WHERE h.appeals <> m.n OR h.first_at <> m.f OR h.last_at <> m.l OR h.category_id <> m.c OR m.c <> m.c2`);
  assert.equal(rows, [], `${label}: set rows disagree with their members`);
  // The week counts (migration 139) the list bounds edge sets by.
  const weeks = await db.any(`
    SELECT h.id FROM hotspot h
      LEFT JOIN (SELECT hotspot_id, array_agg(wk ORDER BY wk) AS w, array_agg(n ORDER BY wk) AS n
                   FROM (SELECT hotspot_id, floor(extract(epoch FROM at) / 604800)::int AS wk, count(*)::int AS n
                           FROM hotspot_member WHERE hotspot_id IS NOT NULL GROUP BY 1, 2) c GROUP BY 1) m ON m.hotspot_id = h.id
     WHERE h.weeks IS DISTINCT FROM m.w
        OR h.weeks_upto IS DISTINCT FROM (SELECT array_agg(s ORDER BY k)::int[] FROM (SELECT k, sum(n) OVER (ORDER BY k) AS s FROM unnest(m.n) WITH ORDINALITY u (n, k)) r)`);
  assert.equal(weeks, [], `${label}: week counts disagree with the members`);
  const counts = await db.one<{ sets: number; rows: number }>(`
    SELECT (SELECT count(DISTINCT hotspot_id)::int FROM hotspot_member) AS sets, (SELECT count(*)::int FROM hotspot) AS rows`);
  assert.is(counts.rows, counts.sets, `${label}: a row per set`);
}

const ids = async (where: string, params: unknown[] = []) =>
  (await db.any<{ id: string }>(`SELECT id::text AS id FROM appeal WHERE ${where} ORDER BY id`, params)).map((r) => r.id);

test('the database keeps the radius and the window the vocabulary names', async () => {
  assert.equal(await db.one('SELECT hotspot_radius_m()::int AS r, hotspot_window_days() AS w'), { r: HOTSPOT_RADIUS_M, w: HOTSPOT_WINDOW_DAYS });
});

test('the definition at its edges: 49 m and 14 days link, 51 m or a minute more do not; a chain links its ends', async () => {
  const at = (d: number) => new Date(START.getTime() + d * DAY);
  const lon = 24.60;
  // Near enough, and not.
  await b.appeal({ category: CITY.roofLeak, point: [lon, LAT], createdAt: at(0) });
  await b.appeal({ category: CITY.roofLeak, point: [east(lon, 49), LAT], createdAt: at(0) });
  await b.appeal({ category: CITY.garbage, point: [lon, LAT], createdAt: at(0) });
  await b.appeal({ category: CITY.garbage, point: [east(lon, 51), LAT], createdAt: at(0) });
  // Soon enough, and not (far from the others: 2 km east).
  const l2 = east(lon, 2000);
  await b.appeal({ category: CITY.roofLeak, point: [l2, LAT], createdAt: at(0) });
  await b.appeal({ category: CITY.roofLeak, point: [l2, LAT], createdAt: at(HOTSPOT_WINDOW_DAYS) });
  await b.appeal({ category: CITY.garbage, point: [l2, LAT], createdAt: at(0) });
  await b.appeal({ category: CITY.garbage, point: [l2, LAT], createdAt: new Date(at(HOTSPOT_WINDOW_DAYS).getTime() + 60_000) });
  // Another category at the same place and time is another matter.
  await b.appeal({ category: CITY.noWater, point: [l2, LAT], createdAt: at(0) });
  // A chain: 0, 45 and 90 m, the ends too far apart to link by themselves.
  const l3 = east(lon, 4000);
  for (const m of [0, 45, 90]) await b.appeal({ category: CITY.trafficLight, point: [east(l3, m), LAT], createdAt: at(1) });

  const roof = await ids('category_id = $1', [CITY.roofLeak]);
  const lights = await ids('category_id = $1', [CITY.trafficLight]);
  assert.equal(await kept(), [roof.slice(0, 2), roof.slice(2, 4), lights]);
  await agree('the edges');

  // Places: a point inside building 1 is building 1; an object is itself wherever its point is; a
  // point beside an object is not the object; neighbouring places do not chain.
  const later = (d: number) => at(60 + d);
  const inside: [number, number] = [24.71115, 48.92110];
  const a1 = await b.appeal({ category: CITY.noWater, building: CITY.buildingCentre, point: null, createdAt: later(0) });
  const a2 = await b.appeal({ category: CITY.noWater, point: inside, createdAt: later(3) });
  await b.appeal({ category: CITY.noWater, point: [inside[0] + 0.0003, inside[1]], createdAt: later(4) }); // 22 m east, outside it
  const o1 = await b.appeal({ category: CITY.trafficLight, infraObject: CITY.light, point: [24.733, 48.9202], createdAt: later(0) });
  const o2 = await b.appeal({ category: CITY.trafficLight, infraObject: CITY.light, point: [24.733, 48.9202], createdAt: later(10) });
  await b.appeal({ category: CITY.trafficLight, point: [24.7331, 48.9202], createdAt: later(5) }); // 7 m away, no object
  const places = (await kept()).filter((set) => !roof.includes(set[0]) && !lights.includes(set[0]));
  assert.equal(places, [[String(a1), String(a2)], [String(o1), String(o2)]]);
  await agree('places');
  await db.none('DELETE FROM appeal WHERE created_at >= $1', [later(0)]);

  // Without its middle the chain falls apart; with the middle back it is whole again.
  await db.none('DELETE FROM appeal WHERE id = $1', [lights[1]]);
  assert.equal(await kept(), [roof.slice(0, 2), roof.slice(2, 4)]);
  await b.appeal({ category: CITY.trafficLight, point: [east(l3, 45), LAT], createdAt: at(1) });
  const relinked = await ids('category_id = $1', [CITY.trafficLight]);
  assert.equal(await kept(), [roof.slice(0, 2), roof.slice(2, 4), relinked]);
  // Moved 20 days later the middle links nothing: the set is gone.
  await db.none('UPDATE appeal SET created_at = created_at + interval \'20 days\' WHERE id = $1', [relinked[2]]);
  assert.equal(await kept(), [roof.slice(0, 2), roof.slice(2, 4)]);
  await agree('after the chain changes');
  await db.none('DELETE FROM appeal');
  assert.equal(await kept(), []);
  assert.is((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM hotspot')).n, 0);
});

test('random appeals: the kept sets equal the raw computation after every kind of change and after a rebuild', async () => {
  const rng = new Rng('hotspots');
  // Five places a few hundred metres apart, appeals scattered up to ~120 m around them over 150 days.
  const centres = Array.from({ length: 5 }, (_, k) => east(24.70, k * 300));
  const categories = [CITY.roofLeak, CITY.garbage, CITY.trafficLight];
  const place = (): [number, number] => [east(rng.pick(centres), rng.range(-120, 120)), LAT + rng.range(-0.001, 0.001)];
  const when = () => new Date(START.getTime() + rng.range(0, 150) * DAY);
  for (let n = 0; n < 240; n++) {
    // Some name only their building (its centroid is their place).
    if (rng.chance(0.15)) await b.appeal({ category: rng.pick(categories), point: null, building: CITY.buildingCentre, createdAt: when() });
    else await b.appeal({ category: rng.pick(categories), point: place(), createdAt: when() });
  }
  const sets = await kept();
  assert.ok(sets.length >= 10 && sets.some((s) => s.length >= 4), `a fixture with sets to keep: ${sets.map((s) => s.length)}`);
  await agree('after inserts');

  const all = await ids('true');
  for (let n = 0; n < 40; n++) {
    const id = rng.pick(all);
    const change = rng.int(0, 2);
    if (change === 0) {
      const [x, y] = place();
      await db.none('UPDATE appeal SET point = ST_SetSRID(ST_MakePoint($2, $3), 4326) WHERE id = $1', [id, x, y]);
    } else if (change === 1) await db.none('UPDATE appeal SET category_id = $2 WHERE id = $1', [id, rng.pick(categories)]);
    else await db.none('UPDATE appeal SET created_at = $2 WHERE id = $1', [id, when()]);
  }
  // A change to anything else is no change to the sets.
  await db.none(`UPDATE appeal SET status = 'in_progress' WHERE id = ANY($1::bigint[])`, [all.slice(0, 50)]);
  await agree('after moves, recategorisation and redating');

  await db.tx(async (t) => {
    for (const id of rng.shuffle([...all]).slice(0, 40)) await t.none('DELETE FROM appeal WHERE id = $1', [id]);
  });
  await agree('after deletions');

  const before = await kept();
  await db.func('hotspot_rebuild');
  assert.equal(await kept(), before, 'the rebuild makes the sets the trigger kept');
  await agree('after a rebuild');
  // …and the trigger goes on from the rebuilt state.
  for (let n = 0; n < 30; n++) await b.appeal({ category: rng.pick(categories), point: place(), createdAt: when() });
  await agree('inserts after a rebuild');
});

test('a period lists the sets with the most appeals inside it, short or long, and cut by its edges', async () => {
  const input = await repo.hotspotInput();
  const when = new Map(input.map((a) => [a.id, a.at.getTime()]));
  const sets = hotspotSets(input);
  let full = 0;
  const rng = new Rng('hotspot periods');
  const periods = [[20, 30], [45, 60], [10, 120], [0, 200], ...Array.from({ length: 12 }, () => [rng.int(0, 110), rng.int(20, 90)])];
  for (const [offset, days] of periods) {
    const from = kyivDay(new Date(START.getTime() + offset * DAY)), to = addDays(from, days - 1);
    const limit = rng.pick([1, 3, 5]);
    const s = (await repo.dayStart(from)).getTime(), e = (await repo.dayStart(addDays(to, 1))).getTime();
    const expected = sets.map((g) => g.map((id) => when.get(id)!).filter((t) => t >= s && t < e)).filter((ts) => ts.length >= 2)
      .map((ts) => {
        const sorted = [...ts].sort((a, b) => a - b);
        const gaps = sorted.slice(1).map((t, k) => (t - sorted[k]) / 86400e3);
        const mean = gaps.reduce((x, g) => x + g, 0) / gaps.length;
        return { appeals: ts.length, first: sorted[0], last: sorted[sorted.length - 1], meanIntervalDays: Math.round(mean * 100) / 100 };
      })
      .sort((a, b) => b.appeals - a.appeals || b.last - a.last).slice(0, limit);
    assert.ok(expected.length > 0, `${from}: a period with sets to list`);
    if (expected.length === limit) full++;
    const got = (await repo.hotspots({ from, to }, { min: 2, limit }))
      .map((h) => ({ appeals: h.appeals, first: new Date(h.first).getTime(), last: new Date(h.last).getTime(), meanIntervalDays: h.meanIntervalDays }));
    assert.equal(got, expected, `${from} … ${to} (${days} days)`);
  }
  assert.ok(full >= 8, `the list is cut at its limit, so the bars for the edges apply (${full} of ${periods.length})`);
});

test.run();
