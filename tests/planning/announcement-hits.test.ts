// Calls and appeals inside announcements read from the counts of migration 133 equal the scan of
// the raw tables (naiveAnnouncementCalls) for periods inside, across either edge of, and outside
// the announcements, with a category or sphere filter, after every kind of change the triggers
// follow, and after a rebuild from scratch. Each step also checks figures by hand, so a scan and
// a count that were both wrong (or both empty) would fail.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { HOUR } from '../helpers/clock.ts';
import { CITY } from '../appeals/fixture.ts';
import { kyivTime } from '../telephony/stats-fixture.ts';
import { A, B, FROM, PRIVATE, TO, day, outageStart, seedPlanning } from './fixture.ts';
import { addDays } from '../../vocabulary/calendar.ts';
import { planningRepo, type Period } from '../../server/planning/planning.repo.ts';
import { planningService } from '../../server/planning/planning.service.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
let repo: ReturnType<typeof planningRepo>;
let b: ReturnType<typeof builder>;
/** An outage over building 1 from the day before the period to the day after it, 12:00 Kyiv. */
const LONG = 3;
const at = (d: number, time: string) => kyivTime(day(d), time);

test.before(async () => {
  ({ db } = await migratedDb('announcement_hits'));
  await seedPlanning(db);
  repo = planningRepo(db);
  b = builder(db);
  await b.announcement({ id: LONG, utility: 'hot_water', buildings: [CITY.buildingCentre], startsAt: at(-1, '12:00:00'), endsAt: at(7, '12:00:00'), title: 'Профілактика' });
  // The last minute of day 3 and the first of day 4, Kyiv time, at A (inside building 1).
  await b.appeal({ category: CITY.garbage, point: A, createdAt: at(3, '23:59:00') });
  await b.appeal({ category: CITY.garbage, point: A, createdAt: at(4, '00:00:00') });
  await b.call({ resident: CITY.resident, callerPhone: PRIVATE.phone, enteredAt: at(3, '23:59:00') });
  await b.call({ resident: CITY.resident, callerPhone: PRIVATE.phone, enteredAt: at(4, '00:00:00') });
});

const SPHERE_HOUSING = 1, SPHERE_IMPROVEMENT = 2;
const periods = (): Period[] => [
  { from: FROM, to: TO },                           // the long outage crosses both edges
  { from: FROM, to: day(3) }, { from: day(4), to: TO }, // … and an edge at midnight of day 3/4
  { from: day(2), to: day(2) },                     // the short outage inside one day
  { from: addDays(FROM, -3), to: addDays(TO, 3) },  // all of both
  { from: addDays(TO, 2), to: addDays(TO, 9) },     // after both: nothing active
];
const filters = [{}, { category: CITY.roofLeak }, { category: CITY.garbage }, { sphere: SPHERE_HOUSING }, { sphere: SPHERE_IMPROVEMENT }];

async function equalsScan(label: string) {
  for (const p of periods()) {
    for (const f of filters) {
      const q = { ...p, ...f };
      assert.equal(await repo.announcementCalls(q), await repo.naiveAnnouncementCalls(q), `${label}: ${JSON.stringify(q)}`);
    }
    assert.equal(await repo.announcementCalls({ ...p, utility: 'hot_water' }), await repo.naiveAnnouncementCalls({ ...p, utility: 'hot_water' }), `${label}: hot water ${p.from}`);
  }
}
/** [calls, appeals] of one announcement in a period, from the kept counts. */
async function hits(id: number, q: Period): Promise<[number, number] | undefined> {
  const r = (await repo.announcementCalls(q)).find((a) => a.announcementId === id);
  return r && [r.calls, r.appeals];
}

test('a listed report keeps the announcements with the most calls, with outlines; the totals count them all', async () => {
  const p = { from: FROM, to: TO };
  const all = await planningService(repo).announcementCalls(p);
  assert.equal(all.announcements.map((a) => a.announcementId), [LONG, 1]);
  const listed = await planningService(repo).announcementCalls(p, { listed: 1 });
  assert.is(listed.count, 2);
  assert.equal(listed.announcements.map((a) => a.announcementId), [LONG]);
  assert.match((listed.announcements[0].zone as { type: string }).type, /Polygon$/);
  assert.equal(listed.byUtility, all.byUtility);
  assert.is(listed.byUtility.reduce((n, u) => n + u.announcements, 0), 2);
  // Past the listed ones the repository leaves the outline out.
  assert.equal((await repo.announcementCalls(p, { zones: 1 })).map((a) => a.zone === null), [false, true]);
});

test('as seeded: the counts equal the scan, periods clip at Kyiv midnight, filters apply', async () => {
  await equalsScan('as seeded');
  // The short outage: two calls and one appeal, as the maps test has it.
  assert.equal(await hits(1, { from: FROM, to: TO }), [2, 1]);
  // The long one, in the period: the fixture's in-period calls from building 1 (two at the short
  // outage, the one an hour after it and a minute before it) and the two at midnight of day 3/4.
  assert.equal((await hits(LONG, { from: FROM, to: TO }))![0], 6);
  assert.equal((await hits(LONG, { from: FROM, to: day(3) }))![0], 5);
  assert.equal((await hits(LONG, { from: day(4), to: TO }))![0], 1);
  // 23:59 on the last day counts; 00:00 the next day belongs to the next period.
  assert.equal((await hits(LONG, { from: FROM, to: day(3), category: CITY.garbage }))![1], 1);
  assert.equal((await hits(LONG, { from: day(4), to: TO, category: CITY.garbage }))![1], 1);
  // Roof leaks at building 1 in the period: three; the half-minutes beside the period are out.
  assert.equal((await hits(LONG, { from: FROM, to: TO, category: CITY.roofLeak }))![1], 3);
  assert.equal((await hits(LONG, { from: FROM, to: TO, sphere: SPHERE_IMPROVEMENT }))![1], 2);
  // The cancelled gas outage is not listed.
  assert.not.ok(await hits(2, { from: FROM, to: TO }));
  assert.ok((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM announcement_call_day WHERE announcement_id = 2')).n === 0);
});

test('calls: a new one, one tied to its resident later, an outbound one, one moved in time', async () => {
  const q = { from: FROM, to: TO };
  const before = (await hits(LONG, q))![0];
  const unknown = await b.call({ resident: null, callerPhone: '+380939999999', enteredAt: at(5, '10:00:00') });
  assert.is((await hits(LONG, q))![0], before);
  // The operator recognises the caller: the call now comes from building 1.
  await db.none('UPDATE call SET resident_id = $2 WHERE id = $1', [unknown, CITY.resident]);
  assert.is((await hits(LONG, q))![0], before + 1);
  await b.call({ resident: CITY.resident, callerPhone: PRIVATE.phone, enteredAt: at(5, '11:00:00'), direction: 'out' });
  assert.is((await hits(LONG, q))![0], before + 1);
  // Answering or hanging up does not touch the counts; moving the call past the period does.
  await db.none('UPDATE call SET answered_at = entered_at, hungup_at = entered_at + interval \'1 minute\' WHERE id = $1', [unknown]);
  assert.is((await hits(LONG, q))![0], before + 1);
  await db.none(`UPDATE call SET entered_at = $2 WHERE id = $1`, [unknown, at(8, '10:00:00')]);
  assert.is((await hits(LONG, q))![0], before);
  assert.is((await hits(LONG, { from: FROM, to: day(8) }))![0], before);  // past the outage's end
  await db.none(`UPDATE call SET entered_at = $2 WHERE id = $1`, [unknown, at(6, '10:00:00')]);
  assert.is((await hits(LONG, q))![0], before + 1);
  await equalsScan('after calls');
});

test('appeals: inserted, moved out and back, recategorised, deleted', async () => {
  const q = { from: FROM, to: TO, category: CITY.trafficLight };
  assert.is((await hits(LONG, q))![1], 0);
  const id = await b.appeal({ category: CITY.trafficLight, point: A, createdAt: at(5, '09:00:00') });
  assert.is((await hits(LONG, q))![1], 1);
  await equalsScan('after an insert');
  await db.none('UPDATE appeal SET point = ST_SetSRID(ST_MakePoint($2, $3), 4326) WHERE id = $1', [id, B[0], B[1]]);
  assert.is((await hits(LONG, q))![1], 0);
  await equalsScan('after a move out');
  // No point: placed by its building again.
  await db.none('UPDATE appeal SET point = NULL, building_id = $2 WHERE id = $1', [id, CITY.buildingCentre]);
  assert.is((await hits(LONG, q))![1], 1);
  await db.none('UPDATE appeal SET category_id = $2 WHERE id = $1', [id, CITY.roofLeak]);
  assert.is((await hits(LONG, q))![1], 0);
  assert.is((await hits(LONG, { from: FROM, to: TO, category: CITY.roofLeak }))![1], 4);
  await equalsScan('after a recategorisation');
  await db.none('DELETE FROM appeal WHERE id = $1', [id]);
  assert.is((await hits(LONG, { from: FROM, to: TO, category: CITY.roofLeak }))![1], 3);
  await equalsScan('after a deletion');
});

test('announcements: zone moved, time shortened, cancelled and restored', async () => {
  const q = { from: FROM, to: TO };
  const [calls, appeals] = (await hits(LONG, q))!;
  assert.ok(calls > 0 && appeals > 0);
  // Over Пасічна: its resident's call at the short outage and the two appeals at B.
  await db.none('UPDATE announcement SET zone = (SELECT ST_Multi(geom) FROM building WHERE id = $2) WHERE id = $1', [LONG, CITY.buildingPasichna]);
  assert.equal(await hits(LONG, q), [1, 0]);  // B lies 1.4 km east, outside building 2
  await equalsScan('after a zone edit');
  await db.none('UPDATE announcement SET zone = (SELECT ST_Multi(geom) FROM building WHERE id = $2) WHERE id = $1', [LONG, CITY.buildingCentre]);
  assert.equal(await hits(LONG, q), [calls, appeals]);
  // From day 4 on only: the calls and appeals before it drop out.
  await db.none('UPDATE announcement SET starts_at = $2 WHERE id = $1', [LONG, at(4, '00:00:00')]);
  assert.is((await hits(LONG, q))![0], (await hits(LONG, { from: day(4), to: TO }))![0]);
  assert.is((await hits(LONG, { from: FROM, to: TO, category: CITY.garbage }))![1], 1);
  await equalsScan('after a time edit');
  await db.none(`UPDATE announcement SET status = 'cancelled' WHERE id = $1`, [LONG]);
  assert.not.ok(await hits(LONG, q));
  assert.is((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM announcement_appeal_day WHERE announcement_id = $1', [LONG])).n, 0);
  // A call while it is cancelled is not counted against it, nor lost when it is restored.
  await b.call({ resident: CITY.resident, callerPhone: PRIVATE.phone, enteredAt: at(5, '12:00:00') });
  await equalsScan('cancelled');
  await db.none(`UPDATE announcement SET status = 'published', starts_at = $2 WHERE id = $1`, [LONG, at(-1, '12:00:00')]);
  assert.equal(await hits(LONG, q), [calls + 1, appeals]);
  await equalsScan('restored');
  // A new announcement counts what already happened in its zone and time.
  await b.announcement({ id: 9, utility: 'electricity', buildings: [CITY.buildingCentre], startsAt: outageStart(), endsAt: new Date(outageStart().getTime() + 4 * HOUR) });
  assert.equal(await hits(9, q), await hits(1, q));
  await equalsScan('after an insert');
});

test('the rebuild from scratch equals what the triggers kept', async () => {
  const rows = (t: string) => db.any(`SELECT * FROM ${t} r WHERE ${t === 'announcement_call_day' ? 'calls' : 'appeals'} <> 0 ORDER BY r::text`);
  const before = { calls: await rows('announcement_call_day'), appeals: await rows('announcement_appeal_day') };
  assert.ok(before.calls.length > 3 && before.appeals.length > 3);
  await db.none('TRUNCATE announcement_call_day, announcement_appeal_day');
  assert.is.not((await repo.announcementCalls({ from: FROM, to: TO }))[0].calls, (await repo.naiveAnnouncementCalls({ from: FROM, to: TO }))[0].calls);
  await db.func('announcement_hits_rebuild');
  assert.equal({ calls: await rows('announcement_call_day'), appeals: await rows('announcement_appeal_day') }, before);
  await equalsScan('after a rebuild');
});

test.run();
