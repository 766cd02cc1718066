// The mayor's live dashboard: the Kyiv day's figures at the injected clock, and a fresh dashboard
// over SSE after a new appeal and a new outage (heard through NOTIFY misto_live, as another
// instance's writes would be). Counts and places only.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { startApi } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { readEventStream } from '../helpers/event-stream.ts';
import { builder } from '../helpers/build.ts';
import { TEST_NOW, HOUR } from '../helpers/clock.ts';
import { CITY } from '../appeals/fixture.ts';
import { PRIVATE, seedPlanning } from './fixture.ts';
import { kyivDay } from '../../vocabulary/calendar.ts';
import { kyivTime } from '../telephony/stats-fixture.ts';
import type { LiveDashboard } from '../../vocabulary/planning.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
let api: Awaited<ReturnType<typeof startApi>>;
let analyst: ReturnType<typeof client>;

test.before(async () => {
  ({ db } = await migratedDb('planning_live'));
  await seedPlanning(db);
  // Earlier today (Kyiv): two appeals, one still open and just past due.
  // At the first instant of the Kyiv day, so the file passes at any hour (00:00:30 included).
  const b = builder(db);
  const midnight = kyivTime(kyivDay(TEST_NOW), '00:00:00');
  await b.appeal({ category: CITY.garbage, point: [24.712, 48.921], createdAt: midnight, dueAt: new Date(TEST_NOW.getTime() - 1000) });
  await b.appeal({ category: CITY.garbage, point: [24.712, 48.921], createdAt: midnight, status: 'done' });
  // A minute before midnight: yesterday's.
  await b.appeal({ category: CITY.garbage, point: [24.712, 48.921], createdAt: new Date(midnight.getTime() - 60_000), status: 'done' });
  api = await startApi(db);
  analyst = client(api.url);
  assert.is((await analyst.signIn('analyst1', PASSWORD)).status, 200);
});
test.after(async () => { await api?.close(); });

// Every appeal of the fixture is "new" and past its due date at TEST_NOW: 18 of them.
const SEEDED = 18;

test('the dashboard counts the Kyiv day at the injected clock', async () => {
  const d = await (await analyst.get('/api/stats/live')).json() as LiveDashboard;
  assert.is(d.at, TEST_NOW.toISOString());
  assert.is(d.day, kyivDay(TEST_NOW));
  assert.equal(d.appeals, { today: 2, open: SEEDED + 1, overdue: SEEDED + 1 });
  assert.equal(d.topIssues.map((i) => [i.categoryId, i.appeals]), [[CITY.garbage, 2]]);
  assert.equal(d.outages, []);
  assert.equal(d.calls, { offered: 0, answered: 0, abandoned: 0, serviceLevel: null, averageSpeedOfAnswerSeconds: null });
});

test('the dashboard updates over SSE after a new appeal and a new outage', async () => {
  const seen: LiveDashboard[] = [];
  const ctl = new AbortController();
  const res = await fetch(`${api.url}/api/stats/live/events`, { headers: { cookie: analyst.cookie }, signal: ctl.signal });
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
  const reading = readEventStream(res.body!, (event, data) => { if (event === 'dashboard') seen.push(JSON.parse(data)); });
  const until = async (ok: () => boolean, what: string) => {
    for (let k = 0; k < 100 && !ok(); k++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(ok(), what);
  };
  await until(() => seen.length >= 1, 'the first dashboard');
  assert.is(seen[0].appeals.today, 2);

  const b = builder(db);
  await b.appeal({ category: CITY.roofLeak, point: [24.711, 48.921], createdAt: TEST_NOW, text: PRIVATE.text, callerPhone: PRIVATE.phone });
  await until(() => seen.at(-1)!.appeals.today === 3, 'a dashboard with the new appeal');
  const after = seen.at(-1)!;
  assert.equal(after.appeals, { today: 3, open: SEEDED + 2, overdue: SEEDED + 1 });
  assert.equal(after.topIssues.map((i) => [i.categoryId, i.appeals]), [[CITY.garbage, 2], [CITY.roofLeak, 1]]);

  await b.announcement({ utility: 'heating', buildings: [CITY.buildingPasichna], startsAt: new Date(TEST_NOW.getTime() - HOUR), endsAt: new Date(TEST_NOW.getTime() + HOUR), title: 'Аварія тепломережі' });
  await until(() => seen.at(-1)!.outages.length === 1, 'a dashboard with the outage');
  const o = seen.at(-1)!.outages[0];
  assert.equal([o.utility, o.title, o.buildings], ['heating', 'Аварія тепломережі', 1]);
  assert.ok(Math.abs(o.lon - 24.7311) < 0.001 && Math.abs(o.lat - 48.9211) < 0.001);
  ctl.abort();
  await reading;
  const text = JSON.stringify(seen);
  for (const secret of [PRIVATE.text, PRIVATE.phone, PRIVATE.name]) assert.not.ok(text.includes(secret), secret);
});

test('the dashboard is not for operators or executors', async () => {
  for (const login of ['operator1', 'zhek1']) {
    const c = client(api.url);
    await c.signIn(login, PASSWORD);
    assert.is((await c.get('/api/stats/live')).status, 403, login);
    assert.is((await c.get('/api/stats/live/events')).status, 403, login);
  }
});

test.run();
