// What an organisation may announce is tied to the organisation: its own id and its utility kinds.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { builder } from '../helpers/build.ts';
import { TEST_NOW, HOUR } from '../helpers/clock.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
const iso = (ms: number) => new Date(TEST_NOW.getTime() + ms).toISOString();
const form = (utility: string, extra: Record<string, unknown> = {}) => ({
  kind: 'outage', utility, title: 'Аварійні роботи', description: 'Ремонт мережі', contact: '15-80',
  startsAt: iso(-HOUR), endsAt: iso(5 * HOUR), zone: { source: 'buildings', buildingIds: [CITY.buildingCentre] }, ...extra,
});

test.before(async () => {
  ({ db } = await migratedDb('sec_announcements'));
  await seedCity(db);
  srv = await serve(createApp(testServices(db)));
});
test.after(() => srv.close());

async function as(login: string) {
  const c = client(srv.url);
  assert.is((await c.signIn(login, PASSWORD)).status, 200);
  return c;
}
const announcements = () => db.one<{ n: number }>('SELECT count(*)::int n FROM announcement').then((r) => r.n);

test('a housing office cannot publish a gas outage, nor any utility\'s', async () => {
  const zhek = await as('zhek1');
  const before = await announcements();
  for (const utility of ['gas', 'electricity', 'cold_water']) {
    const res = await zhek.post('/api/announcements', form(utility));
    assert.is(res.status, 403, utility);
    const body = await res.json();
    assert.is(body.error, 'utility_not_yours');
    assert.is(body.field, 'utility');
  }
  assert.is(await announcements(), before);
});

test('a utility publishes its own utility, under its own name whatever executorId it sends', async () => {
  const water = await as('vodokanal');
  const gas = await water.post('/api/announcements', form('gas'));
  assert.is(gas.status, 403);
  assert.is((await gas.json()).error, 'utility_not_yours');
  const own = await water.post('/api/announcements', form('cold_water', { executorId: CITY.zhek1 }));
  assert.is(own.status, 201);
  const id = (await own.json()).id;
  assert.is((await db.one('SELECT executor_id FROM announcement WHERE id = $1', [id])).executor_id, CITY.vodokanal);
  // Nor can an edit move the announcement to another utility.
  const moved = await water.fetch(`/api/announcements/${id}`, { method: 'PUT', body: JSON.stringify({ utility: 'gas' }) });
  assert.is(moved.status, 403);
  assert.is((await moved.json()).error, 'utility_not_yours');
  assert.is((await db.one('SELECT utility FROM announcement WHERE id = $1', [id])).utility, 'cold_water');
});

test('further utility kinds granted to an organisation may be announced; an admin publishes only what the organisation may', async () => {
  await db.none(`INSERT INTO executor_utility (executor_id, utility) VALUES ($1, 'hot_water')`, [CITY.vodokanal]);
  const water = await as('vodokanal');
  assert.is((await water.post('/api/announcements', form('hot_water'))).status, 201);
  const admin = await as('admin1');
  const forOffice = await admin.post('/api/announcements', form('gas', { executorId: CITY.zhek1 }));
  assert.is(forOffice.status, 403);
  assert.is((await forOffice.json()).error, 'utility_not_yours');
  assert.is((await admin.post('/api/announcements', form('cold_water', { executorId: CITY.vodokanal }))).status, 201);
});

test('an organisation cannot cancel another organisation\'s announcement', async () => {
  const id = await builder(db).announcement({ executor: CITY.vodokanal, utility: 'cold_water', buildings: [CITY.buildingCentre], startsAt: new Date(TEST_NOW.getTime() - HOUR) });
  await builder(db).user('executor', { login: 'power', executor: await builder(db).executor({ code: 'oblenergo', name: 'Обленерго', utility: 'electricity' }) });
  const power = await as('power');
  const res = await power.post(`/api/announcements/${id}/cancel`, { reason: 'не наше' });
  assert.is(res.status, 403);
  assert.is((await db.one('SELECT status FROM announcement WHERE id = $1', [id])).status, 'published');
});

test.run();
