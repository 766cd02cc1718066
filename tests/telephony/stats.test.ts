// The contact centre's statistics from a hand-built call log: every figure of GET /api/stats/calls
// and of today() against numbers worked out by hand, the Kyiv day's edges (midnight on both sides
// of the period, both DST changes), the 20-second threshold, filters, calls in progress, roles and
// refusals. All instants derive from TEST_NOW, so the file passes at any date and hour.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { startApi } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { TEST_NOW, kyivYear } from '../helpers/clock.ts';
import { insertCall, kyivTime, lastSunday, plusSeconds } from './stats-fixture.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';
import type { Db } from '../../server/db/db.ts';
import type { CallFigures, CallStats } from '../../vocabulary/telephony.ts';

let db: Db;
let api: Awaited<ReturnType<typeof startApi>>;
const users: Record<string, number> = {};

// The period: two Kyiv days well before TEST_NOW, with nothing else around them.
const A = addDays(kyivDay(TEST_NOW), -9);
const B = addDays(A, 1);

test.before(async () => {
  ({ db } = await migratedDb('call_stats'));
  for (const role of ['admin', 'analyst', 'supervisor', 'operator', 'executor'] as const) {
    const executorId = role === 'executor' ? (await db.one<{ id: number }>(`INSERT INTO executor (code, name, kind, utility) VALUES ('vodokanal', 'Водоканал', 'utility', 'cold_water') RETURNING id`)).id : undefined;
    users[role] = (await createUser(db, role, role, { executorId })).id;
  }
  users.op1 = (await db.one<{ id: number }>(`UPDATE app_user SET full_name = 'Олена Коваль' WHERE id = $1 RETURNING id`, [users.operator])).id;
  users.op2 = (await createUser(db, 'operator2', 'operator')).id;
  await db.none(`UPDATE app_user SET full_name = 'Петро Іваненко' WHERE id = $1`, [users.op2]);
  const { op1, op2 } = users;
  const t = (day: string, time: string) => kyivTime(day, time);

  // The period's ended calls; q: seconds to the queue, w: wait for an answer, h: talk.
  await insertCall(db, { at: t(A, '00:00:30'), q: 10, w: 20, h: 100, outcome: 'answered', queue: '1580', operator: op1, consultation: true });
  await insertCall(db, { at: t(A, '09:15:00'), q: 5, w: 21, h: 200, outcome: 'answered', queue: '1580', operator: op1 });
  await insertCall(db, { at: t(A, '09:40:00'), q: 5, w: 5, h: 60, outcome: 'answered', queue: '1580', operator: op2 });
  await insertCall(db, { at: t(A, '09:50:00'), q: 5, w: 45, outcome: 'abandoned_queue', queue: '1580' });
  await insertCall(db, { at: t(A, '10:05:00'), q: 5, w: 30, outcome: 'abandoned_ringing', queue: '1580', operator: op2 });
  await insertCall(db, { at: t(A, '10:20:00'), q: 5, w: 2, outcome: 'no_operators', queue: '1580', queueStatus: 'JOINEMPTY' });
  await insertCall(db, { at: t(A, '10:30:00'), q: 5, w: 300, outcome: 'queue_timeout', queue: 'social', queueStatus: 'TIMEOUT' });
  await insertCall(db, { at: t(A, '11:00:00'), q: null, w: 40, outcome: 'ended_before_queue' });
  await insertCall(db, { at: t(B, '14:00:00'), q: 0, w: 4, h: 30, outcome: 'answered', operator: op2 });
  await insertCall(db, { at: t(B, '14:10:00'), q: 0, w: 25, outcome: 'unanswered', operator: op1 });
  await insertCall(db, { at: t(B, '15:00:00'), q: 5, w: 8, outcome: 'lost', queue: '1580' });
  await insertCall(db, { at: t(B, '23:59:30'), q: 5, w: 12, h: 20, outcome: 'answered', queue: 'social', operator: op2 });
  // In progress: no hangup, no outcome yet.
  await insertCall(db, { at: t(A, '12:00:00'), q: 5, w: 3, outcome: null, queue: '1580', operator: op1, answeredOpen: true });
  await insertCall(db, { at: t(A, '12:05:00'), q: 5, w: null, outcome: null, queue: '1580' });
  // Half a minute outside the period on either side.
  await insertCall(db, { at: plusSeconds(t(A, '00:00:00'), -30), q: 5, w: 3, h: 10, outcome: 'answered', queue: '1580', operator: op1 });
  await insertCall(db, { at: plusSeconds(t(addDays(B, 1), '00:00:00'), 30), q: 5, w: 3, h: 10, outcome: 'answered', queue: '1580', operator: op1 });

  api = await startApi(db);
});
test.after(async () => { await api?.close(); });

async function as(role: string) {
  const c = client(api.url);
  const res = await c.signIn(role, PASSWORD);
  assert.is(res.status, 200, `${role} signs in`);
  return c;
}
async function stats(query: string, role = 'analyst'): Promise<CallStats> {
  const res = await (await as(role)).get(`/api/stats/calls?${query}`);
  const body = await res.json();
  assert.is(res.status, 200, JSON.stringify(body));
  return body as CallStats;
}
const near = (actual: number | null, expected: number, what: string) => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
};
const pick = (f: CallFigures, keys: (keyof CallFigures)[]) => Object.fromEntries(keys.map((k) => [k, f[k]]));
const COUNTS: (keyof CallFigures)[] = ['offered', 'answered', 'answeredInTime', 'abandoned', 'noOperators', 'unanswered', 'lost', 'consultations', 'endedBeforeQueue'];

test('the period\'s totals: service level with 20 s in and 21 s out, abandon rate, ASA, AHT, longest wait', async () => {
  const s = await stats(`from=${A}&to=${B}`);
  assert.is(s.from, A);
  assert.is(s.to, B);
  assert.equal(s.thresholds, { serviceLevelSeconds: 20, serviceLevelTarget: 0.8 });
  assert.equal(pick(s.totals, COUNTS), {
    offered: 11, answered: 5, answeredInTime: 4, abandoned: 2, noOperators: 2, unanswered: 1, lost: 1, consultations: 1, endedBeforeQueue: 1,
  });
  near(s.totals.serviceLevel, 4 / 11, 'service level');
  assert.is(s.totals.serviceLevelMet, false);
  near(s.totals.abandonRate, 2 / 11, 'abandon rate');
  near(s.totals.averageSpeedOfAnswerSeconds, (20 + 21 + 5 + 4 + 12) / 5, 'ASA');
  near(s.totals.averageHandleTimeSeconds, (100 + 200 + 60 + 30 + 20) / 5, 'AHT');
  near(s.totals.longestWaitSeconds, 300, 'longest wait');
  // Counts only: nothing of the caller reaches the statistics.
  assert.not.match(JSON.stringify(s), /380|caller|phone|resident/i);
});

test('by hour of the Kyiv day: 24 rows, the calls half a minute after midnight and before the next', async () => {
  const s = await stats(`from=${A}&to=${B}`);
  assert.equal(s.byHour.map((h) => h.hour), Array.from({ length: 24 }, (_, i) => i));
  const row = (hour: number) => {
    const h = s.byHour[hour];
    return [h.offered, h.answered, h.abandoned, h.serviceLevel === null ? null : Math.round(h.serviceLevel * 1e6) / 1e6];
  };
  assert.equal(row(0), [1, 1, 0, 1]);
  assert.equal(row(9), [3, 2, 1, Math.round(1e6 / 3) / 1e6]);
  assert.equal(row(10), [3, 0, 1, 0]);
  assert.equal(row(11), [0, 0, 0, null]);
  assert.is(s.byHour[11].endedBeforeQueue, 1);
  assert.equal(row(14), [2, 1, 0, 0.5]);
  assert.equal(row(15), [1, 0, 0, 0]);
  assert.equal(row(23), [1, 1, 0, 1]);
  const quiet = s.byHour.filter((h) => ![0, 9, 10, 11, 14, 15, 23].includes(h.hour));
  assert.ok(quiet.every((h) => h.offered === 0 && h.serviceLevel === null && h.averageSpeedOfAnswerSeconds === null));
  assert.is(s.byHour.reduce((n, h) => n + h.offered, 0), 11);
});

test('by day, by queue (no queue last) and by operator with names', async () => {
  const s = await stats(`from=${A}&to=${B}`);
  assert.equal(s.byDay.map((d) => [d.day, d.offered, d.answered, d.abandoned, d.endedBeforeQueue]), [[A, 7, 3, 2, 1], [B, 4, 2, 0, 0]]);
  assert.equal(s.byQueue.map((q) => [q.queue, q.offered, q.answered, q.answeredInTime, q.abandoned, q.noOperators, q.lost, q.endedBeforeQueue]), [
    ['1580', 7, 3, 2, 2, 1, 1, 0],
    ['social', 2, 1, 1, 0, 1, 0, 0],
    [null, 2, 1, 1, 0, 0, 0, 1],
  ]);
  near(s.byQueue[0].longestWaitSeconds, 45, '1580 longest wait');
  assert.equal(s.byOperator.map((o) => [o.operatorId, o.name, o.answered, o.consultations]), [
    [users.op2, 'Петро Іваненко', 3, 0],
    [users.op1, 'Олена Коваль', 2, 1],
  ]);
  near(s.byOperator[0].averageSpeedOfAnswerSeconds, (5 + 4 + 12) / 3, 'op2 ASA');
  near(s.byOperator[0].averageHandleTimeSeconds, (60 + 30 + 20) / 3, 'op2 AHT');
  near(s.byOperator[1].averageSpeedOfAnswerSeconds, 20.5, 'op1 ASA');
  near(s.byOperator[1].averageHandleTimeSeconds, 150, 'op1 AHT');
});

test('the calls half a minute outside the period belong to the days next to it', async () => {
  const before = await stats(`from=${addDays(A, -1)}&to=${addDays(A, -1)}`);
  assert.equal([before.totals.offered, before.byHour[23].offered, before.byDay.length], [1, 1, 1]);
  const after = await stats(`from=${addDays(B, 1)}&to=${addDays(B, 1)}`);
  assert.equal([after.totals.offered, after.byHour[0].offered], [1, 1]);
  const all = await stats(`from=${addDays(A, -1)}&to=${addDays(B, 1)}`);
  assert.is(all.totals.offered, 13);
  assert.equal(all.byDay.map((d) => d.offered), [1, 7, 4, 1]);
});

test('filters: one queue, one operator, both', async () => {
  const q = await stats(`from=${A}&to=${B}&queue=1580`);
  assert.is(q.queue, '1580');
  assert.equal(pick(q.totals, ['offered', 'answered', 'answeredInTime', 'abandoned', 'noOperators', 'lost']), { offered: 7, answered: 3, answeredInTime: 2, abandoned: 2, noOperators: 1, lost: 1 });
  near(q.totals.serviceLevel, 2 / 7, 'queue service level');
  near(q.totals.averageSpeedOfAnswerSeconds, (20 + 21 + 5) / 3, 'queue ASA');
  near(q.totals.averageHandleTimeSeconds, 120, 'queue AHT');
  near(q.totals.longestWaitSeconds, 45, 'queue longest wait');
  assert.equal(q.byQueue.map((r) => r.queue), ['1580']);

  const o = await stats(`from=${A}&to=${B}&operator=${users.op1}`);
  assert.is(o.operator, users.op1);
  assert.equal(pick(o.totals, ['offered', 'answered', 'answeredInTime', 'unanswered', 'consultations']), { offered: 3, answered: 2, answeredInTime: 1, unanswered: 1, consultations: 1 });
  near(o.totals.longestWaitSeconds, 25, 'operator longest wait');
  assert.equal(o.byOperator.map((r) => r.operatorId), [users.op1]);

  const both = await stats(`from=${A}&to=${B}&queue=1580&operator=${users.op1}`);
  assert.equal([both.totals.offered, both.totals.answered, both.totals.serviceLevel], [2, 2, 0.5]);
  const none = await stats(`from=${A}&to=${B}&queue=nosuch`);
  assert.equal([none.totals.offered, none.totals.serviceLevel, none.totals.averageSpeedOfAnswerSeconds, none.byQueue.length], [0, null, null, 0]);
  assert.is(none.byHour.length, 24);
});

// Ukraine's clocks move with the EU's: the last Sunday of March 03:00 → 04:00 (UTC 01:00), the last
// Sunday of October 04:00 → 03:00 (UTC 01:00). A year before TEST_NOW's, far from the period above.
const DST_YEAR = kyivYear() - 1;

test('spring forward: a 23-hour day, no hour 3, midnights at UTC+2 and UTC+3', async () => {
  const sunday = lastSunday(DST_YEAR, 3);
  const prev = addDays(sunday, -1), monday = addDays(sunday, 1);
  const z = (day: string, time: string) => new Date(`${day}T${time}Z`);
  for (const [at, outcome] of [
    [z(prev, '21:59:30'), 'answered'],   // Saturday 23:59:30 EET
    [z(prev, '22:00:30'), 'answered'],   // Sunday 00:00:30 EET
    [z(sunday, '00:30:00'), 'answered'], // 02:30 EET
    [z(sunday, '01:30:00'), 'answered'], // 04:30 EEST
    [z(sunday, '20:59:30'), 'answered'], // Sunday 23:59:30 EEST
    [z(sunday, '21:00:30'), 'answered'], // Monday 00:00:30 EEST
  ] as const) await insertCall(db, { at, q: 2, w: 3, h: 10, outcome, queue: 'dst' });
  const s = await stats(`from=${sunday}&to=${sunday}&queue=dst`);
  assert.is(s.totals.offered, 4);
  assert.equal(s.byHour.filter((h) => h.offered).map((h) => [h.hour, h.offered]), [[0, 1], [2, 1], [4, 1], [23, 1]]);
  const around = await stats(`from=${prev}&to=${monday}&queue=dst`);
  assert.equal(around.byDay.map((d) => [d.day, d.offered]), [[prev, 1], [sunday, 4], [monday, 1]]);
});

test('fall back: a 25-hour day whose hour 3 happens twice', async () => {
  const sunday = lastSunday(DST_YEAR, 10);
  const prev = addDays(sunday, -1), monday = addDays(sunday, 1);
  const z = (day: string, time: string) => new Date(`${day}T${time}Z`);
  for (const at of [
    z(prev, '20:59:30'),   // Saturday 23:59:30 EEST
    z(prev, '21:00:30'),   // Sunday 00:00:30 EEST
    z(sunday, '00:30:00'), // 03:30 EEST
    z(sunday, '01:30:00'), // 03:30 EET
    z(sunday, '02:30:00'), // 04:30 EET
    z(sunday, '21:30:00'), // Sunday 23:30 EET
    z(sunday, '22:00:30'), // Monday 00:00:30 EET
  ]) await insertCall(db, { at, q: 2, w: 3, h: 10, outcome: 'answered', queue: 'dst' });
  const s = await stats(`from=${sunday}&to=${sunday}&queue=dst`);
  assert.is(s.totals.offered, 5);
  assert.equal(s.byHour.filter((h) => h.offered).map((h) => [h.hour, h.offered]), [[0, 1], [3, 2], [4, 1], [23, 1]]);
  const around = await stats(`from=${prev}&to=${monday}&queue=dst`);
  assert.equal(around.byDay.map((d) => [d.day, d.offered]), [[prev, 1], [sunday, 5], [monday, 1]]);
});

test('today(now): the Kyiv day containing now, from its first second to its last', async () => {
  const { callStats } = api.services;
  const day = await callStats.today(kyivTime(A, '13:00:00'));
  assert.equal(pick(day as CallFigures, ['offered', 'answered', 'abandoned', 'noOperators']), { offered: 7, answered: 3, abandoned: 2, noOperators: 2 });
  near(day.serviceLevel, 2 / 7, 'today service level');
  near(day.averageSpeedOfAnswerSeconds, (20 + 21 + 5) / 3, 'today ASA');
  assert.is((await callStats.today(kyivTime(A, '00:00:00'))).offered, 7);
  assert.is((await callStats.today(plusSeconds(kyivTime(A, '00:00:00'), -1))).offered, 1);
  assert.is((await callStats.today(kyivTime(B, '23:59:59'))).offered, 4);
  const empty = await callStats.today(kyivTime(addDays(A, -5), '12:00:00'));
  assert.equal(empty, { offered: 0, answered: 0, abandoned: 0, noOperators: 0, serviceLevel: null, averageSpeedOfAnswerSeconds: null });
});

test('who may: supervisor, analyst and admin; not operators or executors; not anonymous', async () => {
  for (const role of ['supervisor', 'analyst', 'admin']) assert.is((await stats(`from=${A}&to=${B}`, role)).totals.offered, 11);
  for (const role of ['operator', 'executor']) {
    const res = await (await as(role)).get(`/api/stats/calls?from=${A}&to=${B}`);
    assert.is(res.status, 403, role);
    assert.is((await res.json()).error, 'forbidden');
  }
  assert.is((await client(api.url).get(`/api/stats/calls?from=${A}&to=${B}`)).status, 401);
});

test('bad parameters: 400 with the code and the field', async () => {
  const c = await as('supervisor');
  const refused = async (q: string) => {
    const res = await c.get(`/api/stats/calls?${q}`);
    const body = await res.json();
    assert.is(res.status, 400, `${q}: ${JSON.stringify(body)}`);
    return [body.error, body.field, body.params?.max];
  };
  assert.equal(await refused(`to=${B}`), ['required', 'from', undefined]);
  assert.equal(await refused(`from=${A}`), ['required', 'to', undefined]);
  assert.equal(await refused(`from=${DST_YEAR}-02-30&to=${B}`), ['invalid_date', 'from', undefined]);
  assert.equal(await refused(`from=${A}T00:00:00Z&to=${B}`), ['invalid_date', 'from', undefined]);
  assert.equal(await refused(`from=${A}&to=20.11.2026`), ['invalid_date', 'to', undefined]);
  assert.equal(await refused(`from=${B}&to=${A}`), ['ends_before_start', 'to', undefined]);
  assert.equal(await refused(`from=${addDays(B, -366)}&to=${B}`), ['period_too_long', 'to', 366]);
  assert.equal(await refused(`from=${A}&to=${B}&operator=abc`), ['invalid_type', 'operator', undefined]);
  assert.equal(await refused(`from=${A}&to=${B}&operator=0`), ['too_small', 'operator', undefined]);
  assert.equal(await refused(`from=${A}&to=${B}&queue=${'q'.repeat(81)}`), ['too_long', 'queue', 80]);
  assert.equal(await refused(`from=${A}&from=${A}&to=${B}`), ['invalid_type', 'from', undefined]);
  // The longest period allowed is answered, one row per day.
  const year = await stats(`from=${addDays(B, -365)}&to=${B}`, 'supervisor');
  assert.is(year.byDay.length, 366);
  // The period's 11 and the call half a minute before it (a DST test's calls may fall in the year too).
  assert.is(year.totals.offered - (year.byQueue.find((q) => q.queue === 'dst')?.offered ?? 0), 12);
});

test.run();
