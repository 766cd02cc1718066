// Who sees what: executors only their organisation's appeals and no personal data; residents only
// for operators and admins; the executor's status changes and answers with their history.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { TEST_NOW } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from './fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
const as: Record<string, ReturnType<typeof client>> = {};
let roofId: number, garbageId: number, neighbourId: number;

test.before(async () => {
  ({ db } = await migratedDb('appeals_access'));
  await seedCity(db);
  srv = await serve(createApp(testServices(db)));
  for (const login of ['operator1', 'admin1', 'analyst1', 'zhek1', 'blago', 'vodokanal']) {
    as[login] = client(srv.url);
    assert.is((await as[login].signIn(login, PASSWORD)).status, 200);
  }
  const reg = async (body: Record<string, unknown>) => (await (await as.operator1.post('/api/appeals', body)).json()).id as number;
  roofId = await reg({ categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах над кухнею' });
  garbageId = await reg({ categoryId: CITY.garbage, infraObjectId: CITY.containerSite, residentId: CITY.resident, text: 'Переповнений контейнер' });
  const neighbour = await builder(db).resident({ fullName: 'Бойко Іван', building: CITY.buildingCentre, apartment: '17' });
  neighbourId = await reg({ categoryId: CITY.roofLeak, residentId: neighbour, text: 'Тече дах на 9 поверсі' });
});
test.after(() => srv.close());

test('only operators and admins register appeals', async () => {
  const body = { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах над кухнею' };
  assert.is((await as.zhek1.post('/api/appeals', body)).status, 403);
  assert.is((await as.analyst1.post('/api/appeals', body)).status, 403);
  assert.is((await client(srv.url).post('/api/appeals', body)).status, 401);
  assert.is((await as.admin1.post('/api/appeals', body)).status, 201);
});

test('an executor lists only their organisation’s appeals, without names, phones or apartments', async () => {
  const mine = await (await as.zhek1.get('/api/executor/appeals')).json();
  assert.ok(mine.appeals.length >= 2);
  assert.ok(mine.appeals.every((a: { executor: { id: number } }) => a.executor.id === CITY.zhek1));
  assert.ok(mine.appeals.every((a: Record<string, unknown>) => a.residentName === null && a.callerPhone === null && a.apartment === null));
  assert.is(mine.appeals[0].address, 'вул. Незалежності, 12', 'the place of work is not withheld');
  const blago = await (await as.blago.get('/api/executor/appeals')).json();
  assert.equal(blago.appeals.map((a: { id: number }) => a.id), [garbageId]);
  assert.is(blago.appeals[0].infraObject.kind, 'container_site');
  // Asking for another organisation's appeals is ignored for executors, honoured for admins.
  const sneaky = await (await as.blago.get(`/api/executor/appeals?executorId=${CITY.zhek1}`)).json();
  assert.equal(sneaky.appeals.map((a: { id: number }) => a.id), [garbageId]);
  const all = await (await as.admin1.get('/api/executor/appeals')).json();
  assert.ok(all.total >= 3);
  assert.is(all.appeals.find((a: { id: number }) => a.id === roofId).residentName, 'Коваленко Олена Петрівна');
  assert.is((await as.operator1.get('/api/executor/appeals')).status, 403);
  const bad = await as.zhek1.get('/api/executor/appeals?status=lost');
  assert.is(bad.status, 400);
  const refused = await bad.json();
  assert.is(refused.error, 'invalid_value');
  assert.match(refused.field, /^status/);
});

test('an appeal of another organisation is 403 for an executor; detail hides personal data', async () => {
  assert.is((await as.blago.get(`/api/appeals/${roofId}`)).status, 403);
  const d = await (await as.zhek1.get(`/api/appeals/${roofId}`)).json();
  assert.is(d.residentName, null);
  assert.is(d.callerPhone, null);
  assert.is(d.residentId, null);
  const forOperator = await (await as.operator1.get(`/api/appeals/${roofId}`)).json();
  assert.is(forOperator.callerPhone, CITY.residentPhone);
  const forAnalyst = await (await as.analyst1.get(`/api/appeals/${roofId}`)).json();
  assert.is(forAnalyst.residentName, null);
  assert.is((await as.operator1.get('/api/appeals/999999')).status, 404);
});

test('the building’s other appeals: names only for operators and admins', async () => {
  const forOp = await (await as.operator1.get(`/api/buildings/${CITY.buildingCentre}/appeals?days=90&excludeResident=${CITY.resident}`)).json();
  assert.equal(forOp.map((a: { id: number }) => a.id), [neighbourId]);
  assert.is(forOp[0].residentName, 'Бойко Іван');
  const forAnalyst = await (await as.analyst1.get(`/api/buildings/${CITY.buildingCentre}/appeals`)).json();
  assert.ok(forAnalyst.length >= 3);
  assert.ok(forAnalyst.every((a: { residentName: unknown }) => a.residentName === null));
  const forBlago = await (await as.blago.get(`/api/buildings/${CITY.buildingCentre}/appeals`)).json();
  assert.equal(forBlago.map((a: { id: number }) => a.id), [garbageId]);
  assert.is((await as.operator1.get(`/api/buildings/1/appeals?days=0`)).status, 400);
});

test('residents are personal data: operators and admins only', async () => {
  for (const login of ['zhek1', 'analyst1']) {
    assert.is((await as[login].get(`/api/residents/${CITY.resident}`)).status, 403);
    assert.is((await as[login].get(`/api/residents/${CITY.resident}/appeals`)).status, 403);
    assert.is((await as[login].post('/api/residents', { fullName: 'X Y', buildingId: 1, apartment: '1' })).status, 403);
  }
  const r = await (await as.operator1.get(`/api/residents/${CITY.resident}`)).json();
  assert.is(r.fullName, 'Коваленко Олена Петрівна');
  assert.equal(r.phones, [CITY.residentPhone]);
  assert.is(r.building.address, 'вул. Незалежності, 12');
});

test('an unknown caller becomes a resident; the number is saved once and identifies them', async () => {
  const op = as.operator1;
  const created = await op.post('/api/residents', { fullName: '  Мельник   Тарас ', buildingId: CITY.buildingPasichna, apartment: '7', phone: '067 555 12 34' });
  assert.is(created.status, 201);
  const r = await created.json();
  assert.is(r.fullName, 'Мельник Тарас');
  assert.equal(r.phones, ['+380675551234']);
  assert.is(r.building.id, CITY.buildingPasichna);
  const found = await (await op.get('/api/residents/lookup?phone=%2B380675551234')).json();
  assert.is(found.resident.id, r.id);
  const unknown = await (await op.get('/api/residents/lookup?phone=0991112233')).json();
  assert.is(unknown.resident, null);
  assert.is(unknown.phone, '+380991112233');

  const dup = await op.post('/api/residents', { fullName: 'Інша Людина', buildingId: CITY.buildingCentre, apartment: '1', phone: '+380675551234' });
  assert.is(dup.status, 409);
  assert.match((await dup.json()).message, /\+380675551234 already belongs to another resident/);
  const cases: [Record<string, unknown>, string, string][] = [
    [{ buildingId: 1, apartment: '1' }, 'required', 'fullName'],
    [{ fullName: 'Мельник Тарас', apartment: '1' }, 'required', 'buildingId'],
    [{ fullName: 'Мельник Тарас', buildingId: 999 }, 'not_found', 'buildingId'],
    [{ fullName: 'Мельник Тарас', buildingId: CITY.buildingPasichna, apartment: '41' }, 'no_such_apartment', 'apartment'],
    [{ fullName: 'Мельник Тарас', buildingId: 1, phone: 'дзвоніть' }, 'invalid_phone', 'phone'],
  ];
  for (const [body, code, field] of cases) {
    const res = await op.post('/api/residents', body);
    assert.is(res.status, 400);
    const err = await res.json();
    assert.is(err.error, code, JSON.stringify(body));
    assert.is(err.field, field, JSON.stringify(body));
  }
  assert.is(await db.one(`SELECT count(*)::int AS n FROM resident WHERE full_name = 'Інша Людина'`, [], (x) => x.n), 0, 'a refused number leaves no resident');
  const inBuilding = await (await op.get(`/api/buildings/${CITY.buildingPasichna}/residents`)).json();
  assert.equal(inBuilding.map((x: { id: number }) => x.id), [r.id]);
});

test('the executor moves the appeal on and answers; each step is in the history', async () => {
  const zhek = as.zhek1;
  const patch = (id: number, body: unknown, c = zhek) => c.fetch(`/api/appeals/${id}`, { method: 'PATCH', body: JSON.stringify(body) });
  assert.is((await patch(roofId, { status: 'in_progress' }, as.blago)).status, 403);
  assert.is((await patch(roofId, { status: 'in_progress' }, as.operator1)).status, 403);
  const started = await patch(roofId, { status: 'in_progress' });
  assert.is(started.status, 200);
  assert.is((await started.json()).status, 'in_progress');
  const noAnswer = await patch(roofId, { status: 'done' });
  assert.is(noAnswer.status, 400);
  assert.match((await noAnswer.json()).message, /needs an answer/);
  const closed = await patch(roofId, { status: 'closed' });
  assert.is(closed.status, 409, 'an illegal move is a conflict with the appeal’s state');
  const refusal = await closed.json();
  assert.is(refusal.error, 'illegal_move');
  assert.equal(refusal.params, { from: 'in_progress', to: 'closed' });
  const done = await (await patch(roofId, { status: 'done', answer: 'Покрівлю залатано 22.11' })).json();
  assert.is(done.status, 'done');
  assert.is(done.answer, 'Покрівлю залатано 22.11');
  assert.ok(done.doneAt);
  const tail = done.events.slice(-3).map((e: { kind: string; data: Record<string, unknown> }) => [e.kind, e.data.to ?? e.data.text]);
  assert.equal(tail, [['status', 'in_progress'], ['status', 'done'], ['answer', 'Покрівлю залатано 22.11']]);
  const again = await patch(roofId, { status: 'in_progress' });
  assert.is(again.status, 409, 'done belongs to the control call now');
  const filtered = await (await zhek.get('/api/executor/appeals?status=done')).json();
  assert.equal(filtered.appeals.map((a: { id: number }) => a.id), [roofId]);
  assert.ok(filtered.counts.find((c: { status: string }) => c.status === 'done').n === 1);
});

test('overdue appeals are flagged and listed first', async () => {
  await db.none(`UPDATE appeal SET due_at = $2::timestamptz - interval '1 hour' WHERE id = $1`, [neighbourId, TEST_NOW]);
  const list = await (await as.zhek1.get('/api/executor/appeals')).json();
  assert.is(list.appeals[0].id, neighbourId);
  assert.is(list.appeals[0].overdue, true);
  const overdue = await (await as.zhek1.get('/api/executor/appeals?overdue=1')).json();
  assert.equal(overdue.appeals.map((a: { id: number }) => a.id), [neighbourId]);
});

test.run();
