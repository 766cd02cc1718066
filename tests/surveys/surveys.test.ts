// Survey calls end to end: an executor marks appeals done through the appeals service, the
// scheduler scans the history, claims within the channel limit and calling hours, and dials the PBX
// simulator over real TCP (AMI); the simulated residents press 1, 2, nothing, or do not pick up, are
// busy, or have a number that does not exist. The appeal moves (closed / Control), its history, the
// executor's mail caught by a real SMTP server, retries, opt-outs, two schedulers, report 3.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { createUser } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { TEST_NOW, HOUR } from '../helpers/clock.ts';
import { client } from '../helpers/http.ts';
import { telephonyOn, until, signedIn } from '../telephony/harness.ts';
import { sendPendingMail } from '../../server/mail/worker.ts';
import { smtpTransport } from '../../server/mail/transport.ts';
import { kyivDay } from '../../vocabulary/calendar.ts';
import { kyivMinutes, type SurveyStats } from '../../vocabulary/surveys.ts';
import type { OriginateOutcome, OriginateRequest } from '../../server/telephony/simulator/ami-simulator.ts';
import type { SurveySettings } from '../../server/surveys/surveys.service.ts';
import type { User } from '../../vocabulary/roles.ts';
import type { Db } from '../../server/db/db.ts';

type Far = (r: OriginateRequest, n: number) => OriginateOutcome;
/** What each resident's phone does, by the national number dialled; the call count per number. */
const far = new Map<string, Far>();
const dialled = new Map<string, number>();
let live = 0, maxLive = 0;

let db: Db;
let env: Awaited<ReturnType<typeof telephonyOn>>;
let executor: User;
let category = 0, resident = 0, executorId = 0;
let smtp: SMTPServer;
let smtpUrl = '';
const inbox: { to: string[]; raw: string }[] = [];

const ALL_DAY: Partial<SurveySettings> = { hours: { from: 0, to: 24 * 60 } };
const FAST: Partial<SurveySettings> = { ...ALL_DAY, delayMinutes: 0, ringSeconds: 2, causeWaitMs: 300, tickMs: 100, channels: 4 };

test.before(async () => {
  ({ db } = await migratedDb('surveys'));
  const b = builder(db);
  executorId = await b.executor({ code: 'vodokanal', name: 'Водоканал', email: 'dispatch@vodokanal.test' });
  category = await b.category({ code: 'no-water', name: 'Відсутність води', executor: executorId, deadlineHours: 24, survey: true });
  resident = await b.resident({ fullName: 'Олена Коваль' });
  const u = await createUser(db, 'vodokanal', 'executor', { executorId });
  executor = { id: u.id, login: 'vodokanal', fullName: 'Водоканал', role: 'executor', executorId, sipInterface: null };
  await createUser(db, 'analyst1', 'analyst');
  await createUser(db, 'operator1', 'operator');
  env = await telephonyOn(db, {
    sim: {
      originate: (r) => {
        const n = /^PJSIP\/([^@]+)@/.exec(r.channel)?.[1] ?? '';
        const k = (dialled.get(n) ?? 0) + 1;
        dialled.set(n, k);
        return { delayMs: 40, ...(far.get(n)?.(r, k) ?? { result: 'answer', digits: ['1', '5'] }) };
      },
      timing: { surveyWaitMs: 20, keyDelayMs: 120, readTimeoutMs: 250, thanksPromptMs: 30 },
      onSend: (event, h) => {
        const ch = h.find(([k]) => k === 'Channel')?.[1] ?? '';
        if (!ch.startsWith('PJSIP/city-trunk')) return;
        if (event === 'Newchannel') { live++; maxLive = Math.max(maxLive, live); }
        if (event === 'Hangup') live--;
      },
    },
  });
  await until(() => env.services.telephony.status().connected, 5000, 'AMI connected');
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => { inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') }); cb(); });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
test.after(async () => { await env.close(); await new Promise<void>((r) => smtp.close(() => r())); });

let phoneCounter = 0;
/** A new appeal in progress with a phone of its own, marked done by the executor through the appeals service. */
async function doneAppeal(behaviour?: Far, o: { phone?: string | null } = {}) {
  const phone = o.phone === undefined ? `+38050${String(1000000 + ++phoneCounter).slice(-7)}` : o.phone;
  const id = await builder(db).appeal({ category, executor: executorId, resident, callerPhone: phone, status: 'in_progress', text: 'Немає холодної води в будинку' });
  if (phone && behaviour) far.set('0' + phone.slice(4), behaviour);
  await env.services.appeals.update(Number(id), executor, { status: 'done', answer: 'Аварію усунено, воду подано' });
  return { id: Number(id), phone, national: phone ? '0' + phone.slice(4) : '' };
}

const FAST_RETRY = { answered: { attempts: 1, afterMinutes: 0 }, invalid_number: { attempts: 1, afterMinutes: 0 },
  no_input: { attempts: 2, afterMinutes: 0 }, no_pickup: { attempts: 2, afterMinutes: 0 }, busy: { attempts: 2, afterMinutes: 0 }, failed: { attempts: 2, afterMinutes: 0 } };

const scheduler = (settings: Partial<SurveySettings> = FAST, services = env.services) =>
  services.surveys.scheduler(services.telephony, { settings: { ...FAST, ...settings }, log: () => {} });

const surveyOf = (appealId: number) => db.oneOrNone<{ id: number; state: string; result: string | null; rating: number | null; attempts: number; skip_reason: string | null; next_at: Date }>(
  'SELECT id, state, result, rating, attempts, skip_reason, next_at FROM survey WHERE appeal_id = $1 ORDER BY id DESC LIMIT 1', [appealId]);
const attemptsOf = (appealId: number) => db.any<{ outcome: string | null; reason: number | null; cause: number | null; digit: string | null; rating: number | null }>(
  'SELECT t.outcome, t.reason, t.cause, t.digit, t.rating FROM survey_attempt t JOIN survey s ON s.id = t.survey_id WHERE s.appeal_id = $1 ORDER BY t.id', [appealId]);
const appeal = (id: number) => db.one<{ status: string; confirmation: string | null; rating: number | null; due_at: Date; closed_at: Date | null }>(
  'SELECT status, confirmation, rating, due_at, closed_at FROM appeal WHERE id = $1', [id]);
const over = (appealId: number, ms = 15_000) => until(async () => (await surveyOf(appealId))?.state === 'over', ms, `the survey of appeal ${appealId} over`);
/** Runs the scheduler until every given appeal's survey is over. */
async function run(ids: number[], settings: Partial<SurveySettings> = FAST, ms = 20_000) {
  const s = scheduler(settings);
  s.start();
  try { for (const id of ids) await over(id, ms); } finally { await s.stop(); }
}

test('digit 1 then a rating of 5: the appeal is confirmed and closed, the rating stored, every step in its history', async () => {
  const a = await doneAppeal(() => ({ result: 'answer', digits: ['1', '5'] }));
  await run([a.id]);
  assert.equal(await attemptsOf(a.id), [{ outcome: 'answered', reason: 4, cause: 16, digit: '1', rating: 5 }]);
  const s = await surveyOf(a.id);
  assert.equal([s!.result, s!.rating, s!.attempts], ['confirmed', 5, 1]);
  const ap = await appeal(a.id);
  assert.equal([ap.status, ap.confirmation, ap.rating], ['closed', 'confirmed', 5]);
  assert.ok(ap.closed_at);
  const history = await env.services.appeals.get(a.id, executor);
  const steps = history.events.filter((e) => e.kind === 'survey' || (e.kind === 'status' && (e.data as { by?: string }).by === 'survey')).map((e) => [e.kind, e.data.step ?? e.data.to]);
  assert.equal(steps, [['survey', 'scheduled'], ['status', 'closed'], ['survey', 'attempt']]);
  const attempt = history.events.find((e) => e.kind === 'survey' && e.data.step === 'attempt')!;
  assert.equal([attempt.data.outcome, attempt.data.confirmed, attempt.data.rating, attempt.data.result, attempt.data.appeal], ['answered', true, 5, 'confirmed', 'closed']);
  // The dialled number is the resident's, nationally, on the trunk; the phone is not in the history.
  assert.is(dialled.get(a.national), 1);
  assert.not.ok(JSON.stringify(history.events).includes(a.national));
});

test('digit 1 and no rating: confirmed without a rating', async () => {
  const a = await doneAppeal(() => ({ result: 'answer', digits: ['1', ''] }));
  await run([a.id]);
  assert.equal((await attemptsOf(a.id)).map((t) => [t.outcome, t.digit, t.rating]), [['answered', '1', null]]);
  assert.equal([(await appeal(a.id)).status, (await appeal(a.id)).rating], ['closed', null]);
});

test('digit 2: Control with a new due date, the executor e-mailed at once; a second "done" is surveyed again and closes it', async () => {
  const a = await doneAppeal((_r, n) => (n === 1 ? { result: 'answer', digits: ['2'] } : { result: 'answer', digits: ['1', '4'] }));
  await run([a.id]);
  assert.equal((await attemptsOf(a.id)).map((t) => [t.outcome, t.digit]), [['answered', '2']]);
  const ap = await appeal(a.id);
  assert.equal([ap.status, ap.confirmation], ['control', 'not_confirmed']);
  // The product's clock runs from TEST_NOW at real speed: the call ended a little after it.
  const due = ap.due_at.getTime() - TEST_NOW.getTime();
  assert.ok(due >= 72 * HOUR && due < 72 * HOUR + 5 * 60_000, `due again 72 h later, got ${due / HOUR} h`);
  const mail = await db.one<{ to_addr: string; subject: string; text_body: string; kind: string }>(`SELECT to_addr, subject, text_body, kind FROM outbox_mail WHERE kind = 'survey_control'`);
  assert.is(mail.to_addr, 'dispatch@vodokanal.test');
  const number = (await db.one<{ number: string }>('SELECT number FROM appeal WHERE id = $1', [a.id])).number;
  assert.ok(mail.subject.includes(number) && mail.subject.startsWith('Контроль'), mail.subject);
  // Through a real SMTP server.
  const sent = await sendPendingMail(db, smtpTransport(smtpUrl), { from: 'Misto <noreply@misto.test>', clock: env.services.clock });
  assert.is(sent.sent, 1);
  assert.equal(inbox.at(-1)!.to, ['dispatch@vodokanal.test']);
  assert.ok(mail.text_body.includes(`/executor?q=${encodeURIComponent(number)}`), 'the mail links to the appeal');

  // The executor redoes it: a new status change to done is a new survey; nothing is doubled.
  await env.services.appeals.update(a.id, executor, { status: 'done', answer: 'Повторно перевірено, тиск у нормі' });
  const again = scheduler();
  again.start();
  try {
    await until(async () => (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey WHERE appeal_id = $1', [a.id])).n === 2, 5000, 'a second survey');
    await over(a.id);
  } finally { await again.stop(); }
  assert.equal((await attemptsOf(a.id)).map((t) => [t.outcome, t.digit, t.rating]), [['answered', '2', null], ['answered', '1', 4]]);
  assert.equal([(await appeal(a.id)).status, (await appeal(a.id)).rating], ['closed', 4]);
  assert.is((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey WHERE appeal_id = $1', [a.id])).n, 2);
});

test('answered without a key, no pickup, busy: retried by the policy, then unreached; a number that does not exist is not redialled', async () => {
  const silent = await doneAppeal(() => ({ result: 'answer', digits: [''] }));
  const noPickup = await doneAppeal(() => ({ result: 'no-answer' }));
  const busy = await doneAppeal(() => ({ result: 'busy' }));
  const invalid = await doneAppeal(() => ({ result: 'hangup', cause: 1 }));
  await run([silent.id, noPickup.id, busy.id, invalid.id], { retry: { ...FAST_RETRY } }, 30_000);
  assert.equal((await attemptsOf(silent.id)).map((t) => [t.outcome, t.reason, t.digit]), [['no_input', 4, ''], ['no_input', 4, '']]);
  // Reason 3 is the whole answer: the cause-19 Hangups come after it.
  assert.equal((await attemptsOf(noPickup.id)).map((t) => [t.outcome, t.reason]), [['no_pickup', 3], ['no_pickup', 3]]);
  assert.equal((await attemptsOf(busy.id)).map((t) => [t.outcome, t.reason, t.cause]), [['busy', 0, 17], ['busy', 0, 17]]);
  assert.equal((await attemptsOf(invalid.id)).map((t) => [t.outcome, t.reason, t.cause]), [['invalid_number', 0, 1]]);
  for (const a of [silent, noPickup, busy]) {
    assert.is((await surveyOf(a.id))!.result, 'unreached');
    assert.is((await appeal(a.id)).status, 'done', 'an unreached resident leaves the appeal awaiting confirmation');
  }
  assert.is((await surveyOf(invalid.id))!.result, 'invalid_number');
});

test('a retry waits its interval: busy is dialled again 15 minutes later, not before', async () => {
  const a = await doneAppeal(() => ({ result: 'busy' }));
  const s = scheduler({ retry: { ...FAST_RETRY, busy: { attempts: 3, afterMinutes: 15 } } });
  s.start();
  try {
    await until(async () => (await attemptsOf(a.id)).length === 1 && (await attemptsOf(a.id))[0].outcome !== null, 10_000, 'the first attempt');
    const sv = (await surveyOf(a.id))!;
    assert.is(sv.state, 'pending');
    const { ended } = await db.one<{ ended: Date }>('SELECT t.ended_at AS ended FROM survey_attempt t JOIN survey s ON s.id = t.survey_id WHERE s.appeal_id = $1', [a.id]);
    assert.is(sv.next_at.getTime() - ended.getTime(), 15 * 60_000);
    await new Promise((r) => setTimeout(r, 600));
    assert.is((await attemptsOf(a.id)).length, 1, 'not redialled before its time');
  } finally { await s.stop(); }
  await db.none(`UPDATE survey SET state = 'over', result = 'unreached' WHERE appeal_id = $1`, [a.id]);
});

test('outside calling hours nothing is dialled; inside them it is', async () => {
  const a = await doneAppeal(() => ({ result: 'answer', digits: ['1', '3'] }));
  const m = kyivMinutes(TEST_NOW);
  // A window that excludes the suite's instant and the minutes after it (across midnight too), whatever TEST_NOW is.
  const closed = m + 300 <= 24 * 60 ? { from: m + 30, to: m + 300 } : { from: m - 300, to: m - 30 };
  const s = scheduler({ hours: closed });
  s.start();
  await new Promise((r) => setTimeout(r, 800));
  await s.stop();
  assert.is((await attemptsOf(a.id)).length, 0, 'no call outside the hours');
  assert.is((await surveyOf(a.id))!.state, 'pending');
  await run([a.id]);
  assert.equal((await attemptsOf(a.id)).map((t) => t.outcome), ['answered']);
});

test('the channel limit holds across two schedulers of two processes, and no resident is called twice', async () => {
  // A second "process": its own services and AMI connection to the same PBX.
  const other = testServices(db, { ...env.services.config, ami: { ...env.services.config.ami } }, env.services.clock);
  await other.telephony.start({ log: () => {} });
  await until(() => other.telephony.status().connected, 5000, 'the second instance connected');
  const appeals = [];
  for (let i = 0; i < 10; i++) appeals.push(await doneAppeal(() => ({ result: 'answer', delayMs: 300, digits: ['1', '5'] })));
  live = 0; maxLive = 0;
  const one = scheduler({ channels: 3 }), two = scheduler({ channels: 3 }, other);
  one.start(); two.start();
  try { for (const a of appeals) await over(a.id, 30_000); } finally { await one.stop(); await two.stop(); await other.telephony.stop(); }
  assert.ok(maxLive <= 3, `at most 3 channels at once, saw ${maxLive}`);
  assert.ok(maxLive >= 2, `the channels were used in parallel, saw ${maxLive}`);
  for (const a of appeals) {
    assert.is(dialled.get(a.national), 1, `${a.national} dialled once`);
    assert.is((await appeal(a.id)).status, 'closed');
  }
  const per = await db.any<{ n: number }>(`SELECT count(t.id)::int AS n FROM survey s LEFT JOIN survey_attempt t ON t.survey_id = s.id WHERE s.appeal_id = ANY($1::bigint[]) GROUP BY s.id`, [appeals.map((a) => a.id)]);
  assert.equal(per.map((x) => x.n), appeals.map(() => 1), 'one survey and one attempt per appeal');
});

test('residents who asked not to be called, and appeals without a number, are skipped with a reason in the history', async () => {
  const optedOut = await builder(db).resident({ fullName: 'Не дзвонити', phones: ['+380671234567'] });
  await db.none('UPDATE resident SET no_robocalls = true WHERE id = $1', [optedOut]);
  const id = Number(await builder(db).appeal({ category, executor: executorId, resident: optedOut, callerPhone: '+380671234567', status: 'in_progress' }));
  await env.services.appeals.update(id, executor, { status: 'done', answer: 'Виконано' });
  const none = await doneAppeal(undefined, { phone: null });
  const s = scheduler();
  await s.tick();
  await s.stop();
  assert.equal([(await surveyOf(id))!.result, (await surveyOf(id))!.skip_reason], ['skipped', 'opted_out']);
  assert.equal([(await surveyOf(none.id))!.result, (await surveyOf(none.id))!.skip_reason], ['skipped', 'no_phone']);
  assert.is(dialled.get('0671234567'), undefined);
  const ev = (await env.services.appeals.get(id, executor)).events.find((e) => e.kind === 'survey')!;
  assert.equal([ev.data.step, ev.data.reason], ['skipped', 'opted_out']);
});

test('control calls: a share of closed appeals (here all of one category) is called; "not done" reopens it as Control', async () => {
  const b = builder(db);
  const made: { id: number; national: string }[] = [];
  for (const keys of [['2'], ['1', '4']]) {
    const phone = `+38050${String(1000000 + ++phoneCounter).slice(-7)}`;
    const id = Number(await b.appeal({ category, executor: executorId, resident, callerPhone: phone, status: 'closed' }));
    far.set('0' + phone.slice(4), () => ({ result: 'answer', digits: keys }));
    // Closed by someone else than a survey (the lifecycle's own closing).
    await db.none(`INSERT INTO appeal_event (appeal_id, at, kind, data) VALUES ($1, $2, 'status', $3)`, [id, env.services.clock.now(), { from: 'done', to: 'closed' }]);
    made.push({ id, national: '0' + phone.slice(4) });
  }
  const mails = async () => (await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_mail WHERE kind = 'survey_control'`)).n;
  const before = await mails();
  await run(made.map((m) => m.id), { control: { share: 0, categories: { 'no-water': 1 }, executors: {} } });
  const [no, yes] = made;
  const kinds = await db.map(`SELECT kind FROM survey WHERE appeal_id = ANY($1::bigint[]) ORDER BY appeal_id`, [made.map((m) => m.id)], (r: { kind: string }) => r.kind);
  assert.equal(kinds, ['control', 'control']);
  assert.equal([(await appeal(no.id)).status, (await appeal(no.id)).confirmation], ['control', 'not_confirmed']);
  assert.is(await mails(), before + 1, 'the executor is told at once');
  assert.equal([(await appeal(yes.id)).status, (await appeal(yes.id)).rating], ['closed', 4]);
  assert.is((await surveyOf(yes.id))!.result, 'confirmed');
});

test('report 3: the day\'s figures per executor and per category, JSON and CSV, for analysts but not operators', async () => {
  // The calls of this file started at TEST_NOW or within minutes after it: the next Kyiv day too, late at night.
  const day = kyivDay(TEST_NOW), next = kyivDay(new Date(TEST_NOW.getTime() + 24 * HOUR));
  const analyst = await signedIn(env.url, 'analyst1');
  const r = await analyst.get(`/api/stats/surveys?from=${day}&to=${next}&by=executor`);
  assert.is(r.status, 200);
  const s = await r.json() as SurveyStats;
  const t = await db.one<Record<string, number>>(`SELECT count(*)::int AS calls, count(*) FILTER (WHERE outcome = 'answered')::int AS answered,
      count(*) FILTER (WHERE outcome = 'busy')::int AS busy, count(*) FILTER (WHERE digit = '2' AND outcome = 'answered')::int AS not_confirmed FROM survey_attempt WHERE ended_at IS NOT NULL`);
  assert.ok(t.calls > 10);
  assert.equal([s.totals.calls, s.totals.answeredWithResult, s.totals.busy, s.totals.notConfirmed], [t.calls, t.answered, t.busy, t.not_confirmed]);
  assert.is(s.totals.invalidNumber, 1);
  assert.ok(s.totals.averageRating! >= 3 && s.totals.averageRating! <= 5);
  assert.equal(s.rows.map((x) => [x.id, x.name, x.calls]), [[executorId, 'Водоканал', t.calls]]);
  const byCat = await (await analyst.get(`/api/stats/surveys?from=${day}&to=${next}&by=category`)).json() as SurveyStats;
  assert.equal(byCat.rows.map((x) => [x.id, x.calls]), [[category, t.calls]]);
  const csv = await analyst.fetch(`/api/stats/surveys?from=${day}&to=${next}`, { headers: { accept: 'text/csv' } });
  assert.is(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  const lines = (await csv.text()).replace(/^\ufeff/, '').trim().split('\r\n');
  assert.is(lines[0], 'executor,id,calls,answeredWithResult,answeredWithoutResult,noPickup,busy,invalidNumber,failed,confirmed,notConfirmed,averageRating');
  assert.ok(lines[1].startsWith(`Усього,,${t.calls},`), lines[1]);
  assert.ok(lines[2].startsWith(`Водоканал,${executorId},${t.calls},`), lines[2]);
  const bad = await analyst.get(`/api/stats/surveys?from=${day}&to=2020-01-01`);
  assert.is(bad.status, 400);
  assert.is((await bad.json() as { error: string }).error, 'ends_before_start');
  const op = await signedIn(env.url, 'operator1');
  assert.is((await op.get(`/api/stats/surveys?from=${day}&to=${next}`)).status, 403);
  assert.is((await client(env.url).get(`/api/stats/surveys?from=${day}&to=${next}`)).status, 401);
});

test.run();
