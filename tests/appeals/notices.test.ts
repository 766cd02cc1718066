// Executors hear of their appeals: a notice of each new or returned appeal (or only the digests),
// the 07:00/19:00 digest and the daily overdue list copied to the supervisor — each slot once with
// two instances racing, a slot missed while no server ran caught up at start-up, and a mail server
// that is down retried until it takes the mail, once. Mail is read from a real SMTP server here.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { startApi } from '../helpers/app.ts';
import { DAY, HOUR, TEST_NOW } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import { startSmtp, parseMail } from '../helpers/smtp.ts';
import { manualClock } from '../../server/clock.ts';
import { config } from '../../server/config.ts';
import { connect, type Db } from '../../server/db/db.ts';
import { sendPendingMail } from '../../server/mail/worker.ts';
import { smtpTransport } from '../../server/mail/transport.ts';
import { jobsRepo } from '../../server/jobs/jobs.repo.ts';
import { jobs, type Jobs } from '../../server/jobs/jobs.ts';
import { jobsWorker } from '../../server/jobs/scheduler.ts';
import { wallTime } from '../../server/jobs/slots.ts';
import { seedCity, CITY } from './fixture.ts';

// The day's slots in Kyiv, whatever TEST_NOW is.
const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv' }).format(TEST_NOW).split('-').map(Number);
const morning = wallTime(y, m, d, 7, 0);
const eight = wallTime(y, m, d, 8, 0);
const evening = wallTime(y, m, d, 19, 0);
const after = (base: Date, ms: number) => new Date(base.getTime() + ms);
const clock = manualClock(after(morning, -HOUR));

let db: Db;
let otherPool: Db;
let url: string;
let srv: Awaited<ReturnType<typeof startApi>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let op: ReturnType<typeof client>;
let zhek: ReturnType<typeof client>;
let A: Jobs, B: Jobs;
const SUPERVISOR = 'kc-supervisor@misto.test';
const jobsConfig = { digestTimes: ['07:00', '19:00'], overdueTimes: ['08:00'], supervisorEmail: SUPERVISOR, publicUrl: 'http://misto.test' };

test.before(async () => {
  ({ db, url } = await migratedDb('appeal_notices'));
  await seedCity(db);
  await builder(db).user('supervisor', { login: 'super1' });
  await db.none(`UPDATE executor SET notify_mode = 'digest' WHERE id = $1`, [CITY.vodokanal]);
  smtp = await startSmtp();
  // The clock jumps from morning to evening between tests: the signed-in clients stay signed in.
  srv = await startApi(db, { publicUrl: 'http://misto.test', jobs: { ...config.jobs, supervisorEmail: SUPERVISOR }, sessionIdleMinutes: 24 * 60 }, { clock });
  op = client(srv.url);
  zhek = client(srv.url);
  assert.is((await op.signIn('operator1', PASSWORD)).status, 200);
  assert.is((await zhek.signIn('zhek1', PASSWORD)).status, 200);
  // Two instances: each its own pool, as two processes would have.
  otherPool = connect(url, 4);
  A = jobs({ repo: jobsRepo(db), clock, config: jobsConfig, instance: 'a' });
  B = jobs({ repo: jobsRepo(otherPool), clock, config: jobsConfig, instance: 'b' });
});
test.after(async () => { await srv.close(); await smtp.close(); await otherPool.$pool.end(); });

const deliver = () => sendPendingMail(db, smtpTransport(smtp.url), { from: 'Misto <noreply@misto.test>', clock });
const register = async (body: Record<string, unknown>) => {
  const res = await op.post('/api/appeals', { residentId: CITY.resident, ...body });
  assert.is(res.status, 201, await res.clone().text());
  return res.json() as Promise<{ id: number; number: string }>;
};
const received = (subject: RegExp) => smtp.inbox.map(parseMail).filter((p) => subject.test(p.subject));

test('a new appeal’s notice is mailed once by racing senders; digest-only and address-less organisations get none', async () => {
  const roof = await register({ categoryId: CITY.roofLeak, text: 'Тече дах над кухнею' });
  const garbage = await register({ categoryId: CITY.garbage, infraObjectId: CITY.containerSite, text: 'Переповнений контейнер' });
  const water = await register({ categoryId: CITY.noWater, text: 'Немає холодної води' });
  const [a, b] = await Promise.all([A.sendNotices(), B.sendNotices()]);
  assert.is(a.handled + b.handled, 3);
  assert.is(a.mailed + b.mailed, 1);
  const outcomes = await db.map('SELECT appeal_id, outcome FROM appeal_notice ORDER BY appeal_id', [], (r) => [Number(r.appeal_id), r.outcome]);
  assert.equal(outcomes, [[roof.id, 'mailed'], [garbage.id, 'no_address'], [water.id, 'digest']]);
  assert.equal(await A.sendNotices(), { handled: 0, mailed: 0 });

  assert.equal(await deliver(), { sent: 1, failed: 0 });
  const [mail] = received(/Нове звернення/);
  assert.is(mail.subject, `Нове звернення ${roof.number}`);
  assert.equal(smtp.inbox.at(-1)!.to, ['zhek1@misto.local']);
  assert.match(mail.text, 'Тече дах над кухнею');
  assert.match(mail.text, `http://misto.test/executor?appeal=${roof.id}`);
  assert.match(mail.html, 'Протікання покрівлі');
});

test('an appeal returned by the resident (Control) is mailed to its executor at once', async () => {
  const roof = await register({ categoryId: CITY.roofLeak, text: 'Знову тече дах' });
  await A.sendNotices();
  const res = await zhek.fetch(`/api/appeals/${roof.id}`, { method: 'PATCH', body: JSON.stringify({ status: 'done', answer: 'Залатано' }) });
  assert.is(res.status, 200);
  await srv.services.appeals.confirmation(roof.id, { confirmed: false }, { survey: true });
  assert.equal(await B.sendNotices(), { handled: 1, mailed: 1 });
  await deliver();
  const back = received(/повернуто на контроль/);
  assert.equal(back.map((x) => x.subject), [`Звернення ${roof.number} повернуто на контроль: заявник не підтвердив виконання`]);
});

let fresh: number, late: number, control: number;
test('07:00: two instances race for the digest slot — one runs it, each organisation gets one digest', async () => {
  const b = builder(db);
  fresh = await b.appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre, createdAt: after(morning, -2 * HOUR), dueAt: after(morning, 3 * HOUR) });
  late = await b.appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre, createdAt: after(morning, -5 * DAY), dueAt: after(morning, -26 * HOUR) });
  control = await b.appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre, createdAt: after(morning, -4 * DAY), dueAt: after(morning, 2 * DAY), status: 'control' });
  await db.none('UPDATE appeal SET control_count = 1 WHERE id = $1', [control]);
  const numbers = Object.fromEntries(await db.map('SELECT id, number FROM appeal WHERE id = ANY($1)', [[fresh, late, control]], (r) => [Number(r.id), r.number as string]));

  clock.set(after(morning, 5_000));
  const before = smtp.inbox.length;
  const runs = await Promise.all([A.runDue('digest'), B.runDue('digest')]);
  assert.is(runs.filter(Boolean).length, 1, 'one instance ran the slot');
  const ran = runs.find(Boolean)!;
  assert.is(ran.slot.toISOString(), morning.toISOString());
  assert.equal((await srv.services.repos.jobs.slots('digest')).map((s) => s.slot.toISOString()), [morning.toISOString()]);
  assert.is(await A.runDue('digest'), null, 'the slot does not run twice');

  await deliver();
  const digests = smtp.inbox.slice(before).filter((x) => /Зведення/.test(parseMail(x).subject));
  assert.equal(digests.map((x) => x.to[0]).sort(), ['vodokanal@misto.local', 'zhek1@misto.local'], 'one digest per organisation with news; none without an address');
  assert.is(digests.length, ran.mails);
  const mail = parseMail(digests.find((x) => x.to[0] === 'zhek1@misto.local')!);
  assert.match(mail.subject, 'Зведення для «ЖЕК №1»');
  const text = mail.text;
  const news = text.split('Нові з попереднього зведення')[1].split('\n\n')[0];
  assert.match(news, numbers[fresh]);
  assert.not.match(news, numbers[late], 'registered before the previous slot: not news');
  assert.match(text, /Повернуті на контроль \(\d+\):/);
  assert.match(text, `${numbers[control]}`);
  assert.match(text, 'повернуто заявником: 1');
  assert.match(text, /Прострочені \(\d+\):/);
  assert.match(text, new RegExp(`${numbers[late].replace(/\//g, '\\/')}[^\\n]*прострочено на 26 год`));
  assert.match(text, /Термін спливає протягом 24 годин \(\d+\):/);
  assert.match(mail.html, '<h2');
  assert.match(mail.html, 'Прострочені');
  assert.match(mail.html, 'http://misto.test/executor');
});

test('19:00 covers what came since 07:00; a slot missed while no server ran runs once at start-up', async () => {
  const b = builder(db);
  const noon = await b.appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre, createdAt: after(morning, 5 * HOUR), dueAt: after(morning, 3 * DAY) });
  const noonNumber = await db.one('SELECT number FROM appeal WHERE id = $1', [noon], (r) => r.number as string);
  clock.set(after(morning, 11 * HOUR));
  assert.is(await A.runDue('digest'), null, '18:00: the latest slot is 07:00, which ran');

  clock.set(after(evening, 60_000));
  const before = smtp.inbox.length;
  // Start-up of an instance after every server was down at 08:00: the overdue list runs now, once.
  const log: string[] = [];
  const stop = await jobsWorker(srv.services, (m) => log.push(m));
  await stop();
  assert.ok(log.some((l) => l.includes(`overdue for ${eight.toISOString()}`)), log.join('\n'));
  assert.ok(log.some((l) => l.includes(`digest for ${evening.toISOString()}`)), log.join('\n'));
  const again = await jobsWorker(srv.services, () => {});
  await again();
  assert.equal((await srv.services.repos.jobs.slots('overdue')).map((s) => s.slot.toISOString()), [eight.toISOString()]);
  assert.equal((await srv.services.repos.jobs.slots('digest')).map((s) => s.slot.toISOString()), [morning.toISOString(), evening.toISOString()]);

  await deliver();
  const arrived = smtp.inbox.slice(before);
  const evDigest = parseMail(arrived.find((x) => x.to[0] === 'zhek1@misto.local' && /Зведення/.test(parseMail(x).subject))!);
  const freshPart = evDigest.text.split('Нові з попереднього зведення')[1]?.split('\n\n')[0] ?? '';
  assert.match(freshPart, noonNumber);
  assert.not.match(freshPart, await db.one('SELECT number FROM appeal WHERE id = $1', [fresh], (r) => r.number as string), 'the morning’s news is not news again');
  const overdue = arrived.filter((x) => /Прострочені звернення/.test(parseMail(x).subject));
  assert.is(overdue.length, 1, 'only zhek1 has overdue appeals');
  assert.equal(overdue[0].to, ['zhek1@misto.local', SUPERVISOR], 'copied to the supervisor');
  assert.match(parseMail(overdue[0]).text, await db.one('SELECT number FROM appeal WHERE id = $1', [late], (r) => r.number as string));
});

test('SMTP down: the outbox retries with backoff and, once the server is back, delivers each mail once', async () => {
  const roof = await register({ categoryId: CITY.roofLeak, text: 'Протікає дах у під’їзді' });
  await A.sendNotices();
  smtp.refuse(1000);
  assert.equal(await deliver(), { sent: 0, failed: 1 });
  const row = await db.one(`SELECT attempts, next_attempt_at FROM outbox_mail WHERE subject = $1`, [`Нове звернення ${roof.number}`]);
  assert.is(row.attempts, 1);
  assert.is(row.next_attempt_at.getTime(), clock.now().getTime() + 60_000);
  assert.equal(await deliver(), { sent: 0, failed: 0 }, 'not before its time');
  clock.advance(61_000);
  assert.equal(await deliver(), { sent: 0, failed: 1 }, 'still down');
  smtp.refuse(0);
  clock.advance(121_000);
  assert.equal(await deliver(), { sent: 1, failed: 0 });
  assert.equal(await deliver(), { sent: 0, failed: 0 });
  assert.is(received(new RegExp(`Нове звернення ${roof.number.replace(/\//g, '\\/')}`)).length, 1, 'delivered exactly once');
});

test.run();
