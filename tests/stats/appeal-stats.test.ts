// Report 2, the top-10s and the ratings over a hand-built city: every measure and grouping against
// numbers worked out by hand, the Kyiv month's edges (23:59 on the last day counts in that month,
// 00:00 of the next day does not; EEST in September, EET after 25 October), whole months read from
// the month rollup and edge days from the day rollup, filters, drill-down, CSV with its BOM, the
// roles, refusals, and that an analyst gets no resident's data from any of these endpoints.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { startApi } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { TEST_NOW, DAY, HOUR, at } from '../helpers/clock.ts';
import type { Db } from '../../server/db/db.ts';
import type { AppealFigures, AppealStats, RatingStats, TopStats } from '../../vocabulary/appeal-stats.ts';

let db: Db;
let api: Awaited<ReturnType<typeof startApi>>;
const ids: Record<string, number> = {};
const SECRET = { name: 'Сергій Конфіденційний', phone: '+380671234567', apartment: 'кв-777', text: 'Прошу нікому не казати: протікає дах' };

/** Report 2's figures, zeros but for what is given. */
const fig = (f: Partial<AppealFigures>): AppealFigures => ({
  total: 0, inProgress: 0, done: 0, planned: 0, rejected: 0, explained: 0, overdue: 0, confirmed: 0, notConfirmed: 0, ...f,
});

async function as(login: string) {
  const c = client(api.url);
  assert.is((await c.signIn(login, PASSWORD)).status, 200);
  return c;
}
const json = async <T>(c: ReturnType<typeof client>, path: string): Promise<T> => {
  const r = await c.get(path);
  assert.is(r.status, 200, `${path}: ${r.status} ${await r.clone().text()}`);
  return r.json() as Promise<T>;
};

test.before(async () => {
  ({ db } = await migratedDb('appeal_stats'));
  assert.ok(TEST_NOW > new Date('2026-11-02T00:00:00Z'), 'the fixture lies before TEST_NOW');
  const b = builder(db);
  ids.housing = await b.sphere({ code: 'housing', name: 'Житлове господарство', nameEn: 'Housing' });
  ids.transport = await b.sphere({ code: 'transport', name: 'Транспорт та інфраструктура', nameEn: 'Transport and infrastructure' });
  ids.d1 = await b.district({ name: 'Святошинський', nameEn: 'Sviatoshynskyi' });
  ids.d2 = await b.district({ name: 'Печерський', nameEn: 'Pecherskyi' });
  ids.e1 = await b.executor({ code: 'zhek-1', name: 'ЖЕК 1', kind: 'housing_office', district: ids.d1 });
  ids.e2 = await b.executor({ code: 'zhek-2', name: 'ЖЕК 2', kind: 'housing_office', district: ids.d2 });
  ids.e3 = await b.executor({ code: 'roads', name: 'Шляхове господарство', kind: 'city_service' });
  ids.c1 = await b.category({ code: 'no-hot-water', sphere: ids.housing, name: 'Відсутність ГВП', executor: ids.e1, deadlineHours: 24 });
  ids.c2 = await b.category({ code: 'lift', sphere: ids.housing, name: 'Не працює ліфт', executor: ids.e2, deadlineHours: 24 });
  ids.c3 = await b.category({ code: 'asphalt', sphere: ids.transport, name: 'Ремонт асфальту', executor: ids.e3, deadlineHours: 72 });
  ids.b1 = await b.building({ district: ids.d1, housingOffice: ids.e1, metres: [0, 0, 20] });
  ids.b2 = await b.building({ district: ids.d2, housingOffice: ids.e2, metres: [100, 0, 20] });
  const resident = await b.resident({ fullName: SECRET.name, building: ids.b1, apartment: SECRET.apartment, phones: [SECRET.phone] });
  const person = { resident, callerPhone: SECRET.phone, apartment: SECRET.apartment, text: SECRET.text };
  const appeal = (k: string, s: Parameters<typeof b.appeal>[0]) => b.appeal({ ...person, ...s }).then((id) => { ids[k] = id; });
  const kyiv = (s: string) => new Date(s);

  // a1: September, done on time (12 h of 24), confirmed, rated 5.
  await appeal('a1', { category: ids.c1, executor: ids.e1, building: ids.b1, channel: 'phone', createdAt: kyiv('2026-09-10T10:00:00+03:00') });
  // a2: 23:59 on 30 September (Kyiv summer time): September; done 48 h after, 24 h late.
  await appeal('a2', { category: ids.c1, executor: ids.e1, building: ids.b1, channel: 'web', createdAt: kyiv('2026-09-30T23:59:00+03:00') });
  // a3: 00:00 on 1 October: October; in work and past its due date.
  await appeal('a3', { category: ids.c1, executor: ids.e2, building: ids.b2, channel: 'phone', createdAt: kyiv('2026-10-01T00:00:00+03:00') });
  // a4: done within a day, then the resident said no: Control, due again in ten days.
  await appeal('a4', { category: ids.c2, executor: ids.e2, building: ids.b2, channel: 'phone', createdAt: kyiv('2026-10-15T12:00:00+03:00') });
  // a5: planned, due in a month.
  await appeal('a5', { category: ids.c3, executor: ids.e3, building: ids.b1, channel: 'app', createdAt: kyiv('2026-10-20T09:00:00+03:00'), dueAt: at(30 * DAY) });
  // a6: 23:59 on 31 October (winter time since the 25th): October; rejected.
  await appeal('a6', { category: ids.c3, executor: ids.e3, building: ids.b2, channel: 'phone', createdAt: kyiv('2026-10-31T23:59:00+02:00') });
  // a7: 00:00 on 1 November: not October; explained.
  await appeal('a7', { category: ids.c1, executor: ids.e1, building: ids.b1, channel: 'phone', createdAt: kyiv('2026-11-01T00:00:00+02:00') });
  // a8: 23:59 on 31 August: not September.
  await appeal('a8', { category: ids.c2, executor: ids.e1, building: ids.b1, channel: 'phone', createdAt: kyiv('2026-08-31T23:59:00+03:00') });

  // Their lives, as status changes on the stored rows (the rollups follow each).
  await db.none(`UPDATE appeal SET status = 'in_progress' WHERE id IN ($1:csv)`, [[ids.a1, ids.a2, ids.a3, ids.a4]]);
  await db.none(`UPDATE appeal SET status = 'done', done_at = created_at + interval '12 hours' WHERE id = $1`, [ids.a1]);
  await db.none(`UPDATE appeal SET status = 'closed', confirmation = 'confirmed', rating = 5, closed_at = created_at + interval '1 day' WHERE id = $1`, [ids.a1]);
  await db.none(`UPDATE appeal SET status = 'done', done_at = created_at + interval '48 hours' WHERE id = $1`, [ids.a2]);
  await db.none(`UPDATE appeal SET status = 'done', done_at = created_at + interval '1 day', due_at = created_at + interval '2 days' WHERE id = $1`, [ids.a4]);
  await db.none(`UPDATE appeal SET status = 'control', confirmation = 'not_confirmed', rating = 2, control_count = control_count + 1, due_at = $2 WHERE id = $1`, [ids.a4, at(10 * DAY)]);
  await db.none(`UPDATE appeal SET status = 'planned', planned_at = $2, plan_reason = 'seasonal' WHERE id = $1`, [ids.a5, at(20 * DAY)]);
  await db.none(`UPDATE appeal SET status = 'rejected', reject_reason = 'duplicate' WHERE id = $1`, [ids.a6]);
  await db.none(`UPDATE appeal SET status = 'explained' WHERE id = $1`, [ids.a7]);
  // An answer text alone is no measure: the rollups are not touched (and stay right).
  await db.none(`UPDATE appeal SET answer = 'Відповідь', updated_at = updated_at + interval '1 hour' WHERE id = $1`, [ids.a2]);

  for (const role of ['analyst', 'supervisor', 'admin', 'operator', 'executor'] as const) {
    await createUser(db, `${role}-stats`, role, role === 'executor' ? { executorId: ids.e1 } : {});
  }
  api = await startApi(db);
});
test.after(async () => { await api?.close(); });

const P = 'from=2026-09-01&to=2026-10-31';

test('report 2 by sphere and month: every figure, the month edges in Kyiv time', async () => {
  const c = await as('analyst-stats');
  const s = await json<AppealStats>(c, `/api/stats/appeals?${P}&group=month&by=sphere`);
  assert.equal(s.totals, fig({ total: 6, inProgress: 2, done: 2, planned: 1, rejected: 1, overdue: 1, confirmed: 1, notConfirmed: 1 }));
  assert.equal(s.rows.map((r) => [r.name, r.total]), [['Житлове господарство', 4], ['Транспорт та інфраструктура', 2]]);
  assert.equal(s.rows[0], { id: ids.housing, name: 'Житлове господарство', nameEn: 'Housing', ...fig({ total: 4, inProgress: 2, done: 2, overdue: 1, confirmed: 1, notConfirmed: 1 }) });
  assert.equal(s.periods.map((p) => p.period), ['2026-09-01', '2026-10-01']);
  assert.equal(s.periods[0].totals, fig({ total: 2, done: 2, confirmed: 1 }), 'September: a1 and a2 (23:59 on the 30th)');
  assert.equal(s.periods[0].rows, [{ id: ids.housing, ...fig({ total: 2, done: 2, confirmed: 1 }) }]);
  assert.equal(s.periods[1].totals, fig({ total: 4, inProgress: 2, planned: 1, rejected: 1, overdue: 1, notConfirmed: 1 }), 'October: 00:00 on the 1st to 23:59 on the 31st');
  assert.equal(s.periods[1].rows, [
    { id: ids.housing, ...fig({ total: 2, inProgress: 2, overdue: 1, notConfirmed: 1 }) },
    { id: ids.transport, ...fig({ total: 2, planned: 1, rejected: 1 }) },
  ]);
});

test('report 2 by day, week and for the whole period: day rows, month rows and edge days agree', async () => {
  const c = await as('analyst-stats');
  const byDay = await json<AppealStats>(c, `/api/stats/appeals?from=2026-09-30&to=2026-10-01&group=day&by=category`);
  assert.equal(byDay.periods.map((p) => [p.period, p.totals.total, p.totals.overdue]), [['2026-09-30', 1, 0], ['2026-10-01', 1, 1]]);
  assert.equal(byDay.rows.map((r) => [r.id, r.total]), [[ids.c1, 2]]);
  // ISO weeks begin on Monday: 28 September (a2, a3), 12 October (a4), 19 October (a5), 26 October (a6).
  const byWeek = await json<AppealStats>(c, `/api/stats/appeals?from=2026-09-28&to=2026-11-01&group=week&by=sphere`);
  assert.equal(byWeek.periods.map((p) => [p.period, p.totals.total]), [['2026-09-28', 2], ['2026-10-12', 1], ['2026-10-19', 1], ['2026-10-26', 2]]);
  assert.is(byWeek.totals.explained, 1, 'a7 at 00:00 on 1 November is in the last week');
  // Partial months on both sides: day rows only.
  const partial = await json<AppealStats>(c, `/api/stats/appeals?from=2026-09-15&to=2026-10-20&group=none`);
  assert.is(partial.totals.total, 4);
  assert.equal(partial.periods, []);
  // A whole October from the month rollup, 10–30 September and 1 November from the day rollup.
  const mixed = await json<AppealStats>(c, `/api/stats/appeals?from=2026-09-10&to=2026-11-01&group=none`);
  assert.equal(mixed.totals, fig({ total: 7, inProgress: 2, done: 2, planned: 1, rejected: 1, explained: 1, overdue: 1, confirmed: 1, notConfirmed: 1 }));
  const edge = await json<AppealStats>(c, `/api/stats/appeals?from=2026-08-01&to=2026-08-31&group=month`);
  assert.is(edge.totals.total, 1, 'a8 at 23:59 on 31 August is August’s');
  assert.equal(edge.periods.map((p) => p.period), ['2026-08-01']);
});

test('report 2: drill-down sphere → category, and the district, executor and channel filters', async () => {
  const c = await as('analyst-stats');
  const drill = await json<AppealStats>(c, `/api/stats/appeals?${P}&group=none&sphere=${ids.housing}`);
  assert.is(drill.by, 'category');
  assert.equal(drill.rows.map((r) => [r.name, r.total, r.done, r.inProgress]), [['Відсутність ГВП', 3, 2, 1], ['Не працює ліфт', 1, 0, 1]]);
  assert.is(drill.totals.total, 4);
  const d2 = await json<AppealStats>(c, `/api/stats/appeals?${P}&group=none&district=${ids.d2}`);
  assert.equal(d2.totals, fig({ total: 3, inProgress: 2, rejected: 1, overdue: 1, notConfirmed: 1 }));
  const e3 = await json<AppealStats>(c, `/api/stats/appeals?${P}&group=month&executor=${ids.e3}`);
  assert.equal(e3.totals, fig({ total: 2, planned: 1, rejected: 1 }));
  assert.equal(e3.periods.map((p) => p.period), ['2026-10-01']);
  const web = await json<AppealStats>(c, `/api/stats/appeals?${P}&group=none&channel=web`);
  assert.equal(web.totals, fig({ total: 1, done: 1 }));
  const both = await json<AppealStats>(c, `/api/stats/appeals?${P}&group=none&district=${ids.d1}&channel=phone&sphere=${ids.housing}`);
  assert.equal(both.rows.map((r) => [r.id, r.total]), [[ids.c1, 1]]);
});

test('top-10: spheres with shares, issues × district with totals, issues month by month', async () => {
  const c = await as('supervisor-stats');
  const t = await json<TopStats>(c, `/api/stats/top?${P}`);
  assert.is(t.total, 6);
  assert.equal(t.spheres.map((s) => [s.name, s.count, Math.round(s.share * 1000) / 1000]), [['Житлове господарство', 4, 0.667], ['Транспорт та інфраструктура', 2, 0.333]]);
  assert.equal(t.issues.categories.map((x) => [x.name, x.total]), [['Відсутність ГВП', 3], ['Ремонт асфальту', 2], ['Не працює ліфт', 1]]);
  assert.equal(t.issues.districts.map((d) => d.name), ['Святошинський', 'Печерський']);
  assert.equal(t.issues.cells, [[2, 1], [1, 1], [0, 1]]);
  assert.equal(t.issues.columnTotals, [3, 3]);
  assert.is(t.issues.total, 6);
  assert.equal(t.months.months, ['2026-09-01', '2026-10-01']);
  assert.equal(t.months.cells, [[2, 1], [0, 2], [0, 1]]);
  assert.equal(t.months.columnTotals, [2, 4]);
  const one = await json<TopStats>(c, `/api/stats/top?${P}&district=${ids.d1}`);
  assert.equal(one.issues.categories.map((x) => [x.id, x.total]), [[ids.c1, 2], [ids.c3, 1]]);
});

test('ratings of executors, districts and housing offices: components, product, rank, weights', async () => {
  const c = await as('analyst-stats');
  const r = await json<RatingStats>(c, `/api/stats/ratings?${P}&of=executor`);
  assert.is(r.formula, 'R = K1 × K2 × K3 × K4 × K5');
  assert.equal(r.rows.map((x) => [x.name, x.rank, x.received, Math.round(x.score * 10_000) / 10_000]),
    [['Шляхове господарство', 1, 2, 1], ['ЖЕК 1', 2, 2, 0.375], ['ЖЕК 2', 3, 2, 0]]);
  const e1 = r.rows[1];
  // a2 done a day late: K1 = 1/2; nothing returned; a1 confirmed; speeds 1 and 24/48; rating 5.
  assert.equal(e1.components, { onTime: 0.5, withoutReturn: 1, confirmed: 1, speed: 0.75, satisfaction: 1 });
  // a3 overdue, a4 returned to Control and not confirmed (rated 2).
  assert.equal(r.rows[2].components, { onTime: 0.5, withoutReturn: 0, confirmed: 0, speed: 1, satisfaction: 0.4 });
  assert.equal(r.rows[0].components, { onTime: 1, withoutReturn: null, confirmed: null, speed: null, satisfaction: null });
  const weighted = await json<RatingStats>(c, `/api/stats/ratings?${P}&of=executor&weights=2,1,1,1,1`);
  assert.is(weighted.formula, 'R = K1^2 × K2 × K3 × K4 × K5');
  assert.is(weighted.rows.find((x) => x.id === ids.e1)!.score, 0.1875);
  const noSpeed = await json<RatingStats>(c, `/api/stats/ratings?${P}&of=executor&weights=1,1,1,0,1`);
  assert.is(noSpeed.rows.find((x) => x.id === ids.e1)!.score, 0.5);
  const districts = await json<RatingStats>(c, `/api/stats/ratings?${P}&of=district`);
  assert.equal(districts.rows.map((x) => [x.name, x.rank, x.received]), [['Святошинський', 1, 3], ['Печерський', 2, 3]]);
  assert.ok(Math.abs(districts.rows[0].score - (2 / 3) * 0.75) < 1e-12);
  const offices = await json<RatingStats>(c, `/api/stats/ratings?${P}&of=housing_office`);
  assert.equal(offices.rows.map((x) => x.name), ['ЖЕК 1', 'ЖЕК 2']);
});

test('CSV: UTF-8 with a BOM, the report’s columns, Ukrainian names', async () => {
  const c = await as('analyst-stats');
  const res = await c.get(`/api/stats/appeals?${P}&group=month&by=sphere&format=csv`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/csv; charset=utf-8/);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="appeals-sphere-month-2026-09-01-2026-10-31\.csv"/);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = new TextDecoder().decode(bytes).trimEnd().split('\r\n');
  assert.is(lines[0], 'period,sphere,id,total,inProgress,done,planned,rejected,explained,overdue,confirmed,notConfirmed');
  assert.ok(lines.includes(`2026-09-01,Житлове господарство,${ids.housing},2,0,2,0,0,0,0,1,0`), lines.join('\n'));
  assert.is(lines.at(-1), 'Усього,Усього,,6,2,2,1,1,0,1,1,1');
  // (Response.text() reads the BOM away, as a spreadsheet does.)
  const top = await (await c.get(`/api/stats/top?${P}&format=csv&lang=en`)).text();
  assert.is(top.split('\r\n')[0], 'category,id,Sviatoshynskyi,Pecherskyi,total');
  assert.is(top.trimEnd().split('\r\n').at(-1), 'Total,,3,3,6');
  const ratings = await (await c.get(`/api/stats/ratings?${P}&of=executor&format=csv`)).text();
  assert.is(ratings.split('\r\n')[0], 'rank,executor,id,received,K1 onTime %,K2 withoutReturn %,K3 confirmed %,K4 speed %,K5 satisfaction %,rating %');
  assert.is(ratings.split('\r\n')[2], `2,ЖЕК 1,${ids.e1},2,50.00,100.00,100.00,75.00,100.00,37.50`);
});

test('roles: analyst, supervisor and admin; others are refused; bad input is a 400 with its code', async () => {
  for (const login of ['operator-stats', 'executor-stats']) {
    const c = await as(login);
    for (const p of ['appeals', 'top', 'ratings']) assert.is((await c.get(`/api/stats/${p}?${P}`)).status, 403, `${login} ${p}`);
  }
  assert.is((await client(api.url).get(`/api/stats/appeals?${P}`)).status, 401);
  const admin = await as('admin-stats');
  assert.is((await admin.get(`/api/stats/ratings?${P}`)).status, 200);
  const refusals: [string, string][] = [
    ['appeals?from=2026-10-31&to=2026-10-01', 'ends_before_start'],
    ['appeals?from=2025-01-01&to=2026-10-01', 'period_too_long'],
    ['appeals?from=2026-02-30&to=2026-03-01', 'invalid_date'],
    [`appeals?${P}&group=year`, 'invalid_value'],
    [`appeals?${P}&channel=pigeon`, 'invalid_value'],
    [`appeals?${P}&district=x`, 'invalid_type'],
    [`ratings?${P}&of=mayor`, 'invalid_value'],
    [`ratings?${P}&weights=1,1,1`, 'invalid_weights'],
    [`ratings?${P}&weights=1,1,1,1,9`, 'invalid_weights'],
    ['top?from=2026-10-01', 'required'],
  ];
  for (const [q, code] of refusals) {
    const r = await admin.get(`/api/stats/${q}`);
    assert.is(r.status, 400, q);
    assert.is(((await r.json()) as { error: string }).error, code, q);
  }
});

test('privacy: an analyst receives no resident’s name, phone, apartment or text from any endpoint', async () => {
  const c = await as('analyst-stats');
  const paths = [
    `/api/stats/appeals?${P}&group=day&by=category`, `/api/stats/appeals?${P}&group=month&by=sphere&format=csv`,
    `/api/stats/appeals?${P}&group=none&sphere=${ids.housing}&district=${ids.d1}`,
    `/api/stats/top?${P}`, `/api/stats/top?${P}&format=csv`,
    ...['executor', 'district', 'housing_office'].flatMap((of) => [`/api/stats/ratings?${P}&of=${of}`, `/api/stats/ratings?${P}&of=${of}&format=csv`]),
  ];
  const digits = SECRET.phone.slice(4);
  for (const p of paths) {
    const res = await c.get(p);
    assert.is(res.status, 200, p);
    assert.is(res.headers.get('cache-control'), 'no-store', p);
    const body = await res.text();
    for (const word of [SECRET.name, 'Конфіденційний', digits, SECRET.apartment, 'протікає', 'Відповідь', 'Тестове']) {
      assert.not.ok(body.includes(word), `${p} carries "${word}"`);
    }
  }
});

test('overdue follows the clock: an open appeal becomes overdue when its due date passes', async () => {
  const c = await as('analyst-stats');
  const before = await json<AppealStats>(c, `/api/stats/appeals?${P}&group=none&executor=${ids.e3}`);
  assert.is(before.totals.overdue, 0);
  await db.none(`UPDATE appeal SET due_at = $2 WHERE id = $1`, [ids.a5, new Date(TEST_NOW.getTime() - HOUR)]);
  const after = await json<AppealStats>(c, `/api/stats/appeals?${P}&group=none&executor=${ids.e3}`);
  assert.is(after.totals.overdue, 1);
  await db.none(`UPDATE appeal SET due_at = $2 WHERE id = $1`, [ids.a5, at(30 * DAY)]);
});

test.run();
