// The lifecycle on a real PostGIS over real HTTP: each move and each refusal as the API answers it,
// what each move writes on the appeal and in its history (who, when, why), the resident's
// confirmation and Control, "not our competence" back to the contact centre and re-assignment, bulk
// moves, the inbox filters, and one organisation never touching another's appeals.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { startApi } from '../helpers/app.ts';
import { DAY, HOUR, TEST_NOW, at, iso } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import type { Db } from '../../server/db/db.ts';
import type { Services } from '../../server/services.ts';
import { seedCity, CITY } from './fixture.ts';
import { addWorkingHours } from '../../server/catalogue/deadlines.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof startApi>>;
let services: Services;
const as: Record<string, ReturnType<typeof client>> = {};
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** The first Monday-to-Friday date after TEST_NOW's date in Kyiv, as "YYYY-MM-DD". */
const nextWorkingDay = (() => {
  for (let i = 1; ; i++) {
    const d = new Date(TEST_NOW.getTime() + i * DAY);
    const weekday = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', weekday: 'short' }).format(d);
    if (!['Sat', 'Sun'].includes(weekday)) return d.toLocaleDateString('en-CA', { timeZone: 'Europe/Kyiv' });
  }
})();

test.before(async () => {
  ({ db } = await migratedDb('appeals_lifecycle'));
  await seedCity(db);
  await builder(db).user('supervisor', { login: 'super1' });
  // Cold water counts working hours; the next working day after TEST_NOW (in Kyiv) is a holiday.
  await db.none(`UPDATE category SET deadline_basis = 'working' WHERE id = $1`, [CITY.noWater]);
  await db.none(`INSERT INTO holiday (day, name) VALUES ($1, 'Свято')`, [nextWorkingDay]);
  srv = await startApi(db);
  services = srv.services;
  for (const login of ['operator1', 'admin1', 'super1', 'zhek1', 'blago', 'vodokanal']) {
    as[login] = client(srv.url);
    assert.is((await as[login].signIn(login, PASSWORD)).status, 200);
  }
});
test.after(() => srv.close());

const register = async (body: Json = {}) => {
  const res = await as.operator1.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах над кухнею', ...body });
  assert.is(res.status, 201);
  return (await res.json()).id as number;
};
const patch = (id: number, body: Json, who = 'zhek1') => as[who].fetch(`/api/appeals/${id}`, { method: 'PATCH', body: JSON.stringify(body) });
const ok = async (res: Response) => { assert.is(res.status, 200, await res.clone().text()); return res.json() as Promise<Json>; };
const refused = async (res: Response, status: number, code: string) => {
  const body = await res.json();
  assert.is(res.status, status, JSON.stringify(body));
  assert.is(body.error, code, JSON.stringify(body));
  return body as Json;
};
const row = (id: number) => db.one<Json>(`
  SELECT status, executor_id AS "executorId", planned_at AS "plannedAt", plan_reason AS "planReason", reject_reason AS "rejectReason",
         control_count AS "controlCount", returned_at AS "returnedAt", due_at AS "dueAt", done_at AS "doneAt", closed_at AS "closedAt",
         confirmation, rating, answer FROM appeal WHERE id = $1`, [id]);
const events = (id: number) => db.any<Json>(`
  SELECT ev.kind, ev.data, ev.at, u.login FROM appeal_event ev LEFT JOIN app_user u ON u.id = ev.actor_id
   WHERE appeal_id = $1 ORDER BY ev.id`, [id]);

test('registered → in progress → planned → done → not confirmed (Control) → done again → confirmed', async () => {
  const id = await register();
  await ok(await patch(id, { status: 'in_progress' }));
  await refused(await patch(id, { status: 'planned', planReason: 'needs_funding' }), 400, 'needs_planned_at');
  await refused(await patch(id, { status: 'planned', plannedAt: iso(-HOUR), planReason: 'needs_funding' }), 400, 'planned_in_past');
  await refused(await patch(id, { status: 'planned', plannedAt: iso(10 * DAY) }), 400, 'needs_plan_reason');
  await refused(await patch(id, { status: 'planned', plannedAt: iso(10 * DAY), planReason: 'no_money' }), 400, 'invalid_value');
  const planned = await ok(await patch(id, { status: 'planned', plannedAt: iso(10 * DAY), planReason: 'needs_funding' }));
  assert.is(planned.status, 'planned');
  assert.is(planned.plannedAt && new Date(planned.plannedAt).toISOString(), iso(10 * DAY));
  assert.is(planned.planReason, 'needs_funding');
  // Re-planned to a later date: the same status, a new event.
  await ok(await patch(id, { status: 'planned', plannedAt: iso(20 * DAY), planReason: 'seasonal' }));
  assert.is((await row(id)).planReason, 'seasonal');

  await refused(await patch(id, { status: 'done' }), 400, 'needs_answer');
  await refused(await patch(id, { status: 'closed' }), 409, 'illegal_move');
  const done = await ok(await patch(id, { status: 'done', answer: 'Покрівлю залатано' }));
  assert.is(done.status, 'done');
  assert.is(new Date(done.doneAt).toISOString(), TEST_NOW.toISOString());
  const late = await refused(await patch(id, { status: 'in_progress' }), 409, 'illegal_move');
  assert.equal(late.params, { from: 'done', to: 'in_progress' });
  assert.equal(late.details.allowed, []);

  // The survey: "not done" → Control, a new due date of the category's 72 hours from now, a notice.
  assert.equal(await services.appeals.confirmation(id, { confirmed: false }, { survey: true }), { id, status: 'control' });
  let r = await row(id);
  assert.is(r.status, 'control');
  assert.is(r.controlCount, 1);
  assert.is(r.confirmation, 'not_confirmed');
  assert.is(r.dueAt.toISOString(), iso(72 * HOUR));
  assert.is(r.doneAt, null);
  let ev = await events(id);
  const back = ev.filter((e) => e.kind === 'status' && e.data.to === 'control');
  assert.equal(back.map((e) => [e.login, e.data.by, e.data.from]), [[null, 'survey', 'done']], 'the survey has no user');
  assert.equal(ev.at(-1)!.kind, 'notify');
  assert.equal(ev.at(-1)!.data, { executorId: CITY.zhek1, channel: 'email', state: 'pending', why: 'control' });
  await refused(await as.zhek1.post(`/api/appeals/${id}/confirmation`, { confirmed: true }), 403, 'forbidden');

  // The executor sees the flag, works again, and the second "done" is marked as a repeat survey.
  const list = await ok(await as.zhek1.get('/api/executor/appeals?status=control'));
  assert.equal(list.appeals.map((a: Json) => [a.id, a.controlCount]), [[id, 1]]);
  await ok(await patch(id, { status: 'in_progress' }));
  await ok(await patch(id, { status: 'done', answer: 'Покрівлю перекрито повністю' }));
  ev = await events(id);
  assert.is(ev.filter((e) => e.kind === 'status').at(-1)!.data.repeat, true);

  // Confirmed by hand by the supervisor, rated.
  const closed = await ok(await as.super1.post(`/api/appeals/${id}/confirmation`, { confirmed: true, rating: 5 }));
  assert.is(closed.status, 'closed');
  r = await row(id);
  assert.equal([r.confirmation, r.rating, r.closedAt?.toISOString(), r.controlCount], ['confirmed', 5, TEST_NOW.toISOString(), 1]);
  assert.ok(r.doneAt, 'closing keeps when the work was reported done');
  await refused(await as.super1.post(`/api/appeals/${id}/confirmation`, { confirmed: false }), 409, 'illegal_move');
  await refused(await patch(id, { answer: 'Інша відповідь' }), 409, 'appeal_over');
  await refused(await as.super1.post(`/api/appeals/${id}/confirmation`, { confirmed: 'так' }), 400, 'invalid_type');

  // Every change is in the history with who made it.
  const statuses = (await events(id)).filter((e) => e.kind === 'status').map((e) => [e.data.from, e.data.to, e.login]);
  assert.equal(statuses, [
    ['new', 'in_progress', 'zhek1'], ['in_progress', 'planned', 'zhek1'], ['planned', 'planned', 'zhek1'], ['planned', 'done', 'zhek1'],
    ['done', 'control', null], ['control', 'in_progress', 'zhek1'], ['in_progress', 'done', 'zhek1'], ['done', 'closed', 'super1'],
  ]);
});

test('explained: a consultation answer ends the appeal; rejected needs its reason', async () => {
  const id = await register();
  await refused(await patch(id, { status: 'explained' }), 400, 'needs_answer');
  const ex = await ok(await patch(id, { status: 'explained', answer: 'Планові роботи на мережі до 18:00' }));
  assert.is(ex.status, 'explained');
  assert.is(ex.overdue, false);
  await refused(await patch(id, { status: 'in_progress' }), 409, 'illegal_move');
  const open = await ok(await as.zhek1.get('/api/executor/appeals?status=new,in_progress,planned,control'));
  assert.not.ok(open.appeals.some((a: Json) => a.id === id));

  const dup = await register();
  await refused(await patch(dup, { status: 'rejected', answer: 'Дублює попереднє' }), 400, 'needs_reject_reason');
  await ok(await patch(dup, { status: 'rejected', answer: 'Дублює попереднє', rejectReason: 'duplicate' }));
  assert.equal([(await row(dup)).status, (await row(dup)).rejectReason], ['rejected', 'duplicate']);
  await refused(await as.operator1.post(`/api/appeals/${dup}/reassign`, { executorId: CITY.vodokanal, reason: 'Інший виконавець' }), 409, 'appeal_over');
});

test('"not our competence" returns the appeal to the contact centre, which re-assigns it with a reason', async () => {
  const id = await register({ text: 'Немає холодної води у квартирі' });
  await ok(await patch(id, { status: 'in_progress' }));
  const ret = await ok(await patch(id, { status: 'rejected', rejectReason: 'not_competent', answer: 'Це мережі водоканалу' }));
  assert.is(ret.status, 'new');
  assert.ok(ret.returnedAt);
  assert.is(ret.returnReason, 'Це мережі водоканалу');
  assert.is(ret.answer, null, 'the explanation is not the resident’s answer');
  // Out of the executor's inbox and out of their hands.
  const inbox = await ok(await as.zhek1.get('/api/executor/appeals?status=new,in_progress,planned,control,done'));
  assert.not.ok(inbox.appeals.some((a: Json) => a.id === id));
  await refused(await patch(id, { status: 'in_progress' }), 409, 'appeal_returned');
  // In the contact centre's queue.
  await refused(await as.zhek1.get('/api/appeals/returned'), 403, 'forbidden');
  const queue = await ok(await as.operator1.get('/api/appeals/returned'));
  assert.equal(queue.map((a: Json) => a.id), [id]);
  assert.is(queue[0].returnReason, 'Це мережі водоканалу');

  await refused(await as.zhek1.post(`/api/appeals/${id}/reassign`, { executorId: CITY.vodokanal, reason: 'Не наше' }), 403, 'forbidden');
  await refused(await as.operator1.post(`/api/appeals/${id}/reassign`, { executorId: CITY.vodokanal, reason: 'так' }), 400, 'needs_reason');
  await refused(await as.operator1.post(`/api/appeals/${id}/reassign`, { executorId: 999, reason: 'Мережі водоканалу' }), 400, 'not_found');
  await refused(await as.operator1.post(`/api/appeals/${id}/reassign`, { executorId: CITY.vodokanal, reason: 'Мережі водоканалу', dueAt: iso(-HOUR) }), 400, 'due_in_past');
  const moved = await ok(await as.operator1.post(`/api/appeals/${id}/reassign`, { executorId: CITY.vodokanal, reason: 'Мережі водоканалу' }));
  assert.is(moved.executor.id, CITY.vodokanal);
  assert.is(moved.status, 'new');
  assert.is(moved.returnedAt, null);
  assert.equal(await ok(await as.operator1.get('/api/appeals/returned')), []);
  const tail = (await events(id)).slice(-2);
  assert.equal(tail.map((e) => [e.kind, e.login]), [['assigned', 'operator1'], ['notify', 'operator1']]);
  assert.equal(tail[0].data, { executorId: CITY.vodokanal, from: CITY.zhek1, source: 'reassign', reason: 'Мережі водоканалу' });
  assert.is(tail[1].data.executorId, CITY.vodokanal);
  // The old organisation lost it, the new one has it.
  await refused(await as.zhek1.get(`/api/appeals/${id}`), 403, 'forbidden');
  assert.ok((await ok(await as.vodokanal.get('/api/executor/appeals'))).appeals.some((a: Json) => a.id === id));
  await refused(await as.admin1.post(`/api/appeals/${id}/reassign`, { executorId: CITY.vodokanal, reason: 'Ще раз туди ж' }), 409, 'same_executor');
  // Re-assigning an appeal in Control keeps the flag.
  await ok(await patch(id, { status: 'done', answer: 'Тиск відновлено' }, 'vodokanal'));
  await services.appeals.confirmation(id, { confirmed: false }, { survey: true });
  const keep = await ok(await as.super1.post(`/api/appeals/${id}/reassign`, { executorId: CITY.zhek1, reason: 'Внутрішньобудинкові мережі' }));
  assert.is(keep.status, 'control');
});

test('an executor cannot read or change another organisation’s appeal, one by one or in bulk', async () => {
  const mine = [await register(), await register()];
  const theirs = await register({ categoryId: CITY.garbage, infraObjectId: CITY.containerSite, text: 'Переповнений контейнер' });
  await refused(await as.blago.get(`/api/appeals/${mine[0]}`), 403, 'forbidden');
  await refused(await patch(mine[0], { status: 'in_progress' }, 'blago'), 403, 'forbidden');
  await refused(await patch(mine[0], { comment: 'Чуже' }, 'blago'), 403, 'forbidden');
  await refused(await as.blago.get(`/api/appeals/${mine[0]}/templates`), 403, 'forbidden');
  // Answer templates: the category's own first, then the generic ones.
  await db.none(`INSERT INTO answer_template (category_id, title, body) VALUES ($1, 'Покрівля', 'Покрівлю відремонтовано.')`, [CITY.roofLeak]);
  const templates = await ok(await as.zhek1.get(`/api/appeals/${mine[0]}/templates`)) as unknown as Json[];
  assert.is(templates[0].title, 'Покрівля');
  assert.ok(templates.length >= 2 && templates.slice(1).every((x) => x.title !== 'Покрівля'));
  const bulk = await ok(await as.zhek1.post('/api/executor/appeals/bulk', { ids: [...mine, theirs], status: 'in_progress' }));
  assert.is(bulk.moved, 2);
  assert.equal(bulk.results.map((r: Json) => [r.id, r.ok, r.error]), [[mine[0], true, undefined], [mine[1], true, undefined], [theirs, false, 'forbidden']]);
  assert.is((await row(theirs)).status, 'new', 'the other organisation’s appeal did not move');
  const plan = await ok(await as.zhek1.post('/api/executor/appeals/bulk', { ids: mine, status: 'planned', plannedAt: iso(5 * DAY), planReason: 'seasonal' }));
  assert.is(plan.moved, 2);
  const fresh = [await register(), await register()];
  const noDate = await ok(await as.zhek1.post('/api/executor/appeals/bulk', { ids: fresh, status: 'planned', planReason: 'seasonal' }));
  assert.equal(noDate.results.map((r: Json) => r.error), ['needs_planned_at', 'needs_planned_at']);
  await refused(await as.zhek1.post('/api/executor/appeals/bulk', { ids: mine, status: 'done' }), 400, 'invalid_value');
  await refused(await as.operator1.post('/api/executor/appeals/bulk', { ids: mine, status: 'in_progress' }), 403, 'forbidden');
  // A comment is history too.
  await ok(await patch(mine[0], { comment: 'Чекаємо на матеріали' }));
  assert.equal((await events(mine[0])).at(-1)!.data, { text: 'Чекаємо на матеріали' });
});

test('two confirmations of one appeal at once: one moves it, the other is refused', async () => {
  const id = await register();
  await ok(await patch(id, { status: 'done', answer: 'Виконано' }));
  const results = await Promise.allSettled([
    services.appeals.confirmation(id, { confirmed: false }, { survey: true }),
    services.appeals.confirmation(id, { confirmed: false }, { survey: true }),
  ]);
  assert.equal(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.is(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as { code: string }).code, 'illegal_move');
  assert.is((await row(id)).controlCount, 1);
});

test('working hours and holidays are data: a category counting working hours gets its due date from them, at registration and at Control', async () => {
  const cal = await services.catalogue.calendar();
  assert.equal(cal.week.map((w) => w.isodow), [1, 2, 3, 4, 5]);
  assert.equal(cal.holidays, [nextWorkingDay]);
  const id = await register({ categoryId: CITY.noWater, text: 'Немає холодної води' });
  const due = (await row(id)).dueAt as Date;
  assert.is(due.toISOString(), addWorkingHours(TEST_NOW, 12, cal).toISOString());
  assert.ok(due.getTime() > TEST_NOW.getTime() + 24 * HOUR, '12 working hours are more than a day, more still over a holiday');
  // The holiday counts: without it the deadline would be earlier.
  assert.ok(addWorkingHours(TEST_NOW, 12, { ...cal, holidays: [] }).getTime() < due.getTime());
  await ok(await patch(id, { status: 'done', answer: 'Подачу відновлено' }, 'vodokanal'));
  await services.appeals.confirmation(id, { confirmed: false }, { survey: true });
  assert.is(((await row(id)).dueAt as Date).toISOString(), addWorkingHours(TEST_NOW, 12, cal).toISOString(), 'Control counts the same way');
  // The desk's suggestion says the same before registering.
  const suggestion = await ok(await as.operator1.get(`/api/catalogue/suggestion?categoryId=${CITY.noWater}&buildingId=${CITY.buildingCentre}`));
  assert.is(suggestion.dueAt, due.toISOString());
  assert.is(suggestion.deadlineBasis, 'working');
});

test('inbox filters: due within 24 hours, category, district, with counts', async () => {
  const b = builder(db);
  const soon = await b.appeal({ category: CITY.noWater, executor: CITY.vodokanal, building: CITY.buildingPasichna, dueAt: at(3 * HOUR) });
  const far = await b.appeal({ category: CITY.noWater, executor: CITY.vodokanal, building: CITY.buildingCentre, dueAt: at(3 * DAY) });
  const gone = await b.appeal({ category: CITY.noWater, executor: CITY.vodokanal, building: CITY.buildingCentre, dueAt: at(-HOUR) });
  const ids = (l: Json) => l.appeals.map((a: Json) => a.id).filter((x: number) => [soon, far, gone].includes(x));
  const soonList = await ok(await as.vodokanal.get('/api/executor/appeals?dueSoon=1'));
  assert.equal(ids(soonList), [soon]);
  assert.ok(soonList.counts.find((c: Json) => c.status === 'new').soon >= 1);
  assert.equal(ids(await ok(await as.vodokanal.get(`/api/executor/appeals?districtId=${CITY.centre}`))), [gone, far], 'overdue first');
  assert.equal(ids(await ok(await as.vodokanal.get(`/api/executor/appeals?categoryId=${CITY.noWater}&overdue=1`))), [gone]);
  assert.equal(ids(await ok(await as.vodokanal.get(`/api/executor/appeals?categoryId=${CITY.roofLeak}`))), []);
});

test.run();
