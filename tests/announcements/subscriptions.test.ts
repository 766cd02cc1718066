// "My building" subscriptions end to end: double opt-in, notices on publish/change/cancel,
// unsubscribe — through the outbox worker and a real SMTP server in this process.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { testClock, TEST_NOW } from '../helpers/clock.ts';
import { createApp } from '../../server/app.ts';
import { config } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { sendPendingMail, backoffSeconds } from '../../server/mail/worker.ts';
import { smtpTransport } from '../../server/mail/transport.ts';
import { seedGrid, buildingId } from './fixture.ts';
import { parseMail, startSmtp } from '../helpers/smtp.ts';
import { builder } from '../helpers/build.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const clock = testClock();

test.before(async () => {
  ({ db } = await migratedDb('ann_mail'));
  await seedGrid(db);
  await createUser(db, 'oblenergo', 'executor', { executorId: 1 });
  // A gas outage comes from the gas company: an organisation announces its own utility only.
  await builder(db).executor({ id: 3, code: 'gaz', name: 'Газорозподільна компанія', nameEn: null, utility: 'gas' });
  await createUser(db, 'gaz', 'executor', { executorId: 3 });
  srv = await serve(createApp(testServices(db, { publicUrl: 'http://misto.test' }, clock)));
  smtp = await startSmtp();
});
test.after(async () => { await srv.close(); await smtp.close(); });

const transport = () => smtpTransport(smtp.url);
const deliver = () => sendPendingMail(db, transport(), { from: 'Misto <noreply@misto.test>', clock });
const linkIn = (text: string, kind: 'confirm' | 'unsubscribe') => {
  const m = text.match(new RegExp(`http://misto\\.test(/api/announcements/subscriptions/${kind}\\?token=[\\w-]+)`));
  assert.ok(m, `no ${kind} link in:\n${text}`);
  return m![1];
};
const iso = (ms: number) => new Date(TEST_NOW.getTime() + ms).toISOString();
const B = buildingId(3, 3);

test('double opt-in: subscribing sends a confirmation, nothing else until it is confirmed', async () => {
  const pub = client(srv.url);
  const res = await pub.post('/api/announcements/subscriptions', { email: 'Olena@Example.org', buildingId: B });
  assert.is(res.status, 202);
  assert.is((await res.json()).status, 'confirmation_sent');
  assert.is((await pub.post('/api/announcements/subscriptions', { email: 'not-an-email', buildingId: B })).status, 400);
  assert.is((await pub.post('/api/announcements/subscriptions', { email: 'a@b.ua', buildingId: 99999 })).status, 404);

  // Published before confirmation: no notice for Olena.
  const c = client(srv.url);
  await c.signIn('oblenergo', PASSWORD);
  const early = await (await c.post('/api/announcements', {
    kind: 'outage', utility: 'electricity', startsAt: iso(3600e3), endsAt: iso(7200e3),
    zone: { source: 'buildings', buildingIds: [B] } })).json();
  await c.post(`/api/announcements/${early.id}/cancel`, {});

  assert.equal(await deliver(), { sent: 1, failed: 0 });
  assert.is(smtp.inbox.length, 1);
  const m = parseMail(smtp.inbox[0]);
  assert.equal(smtp.inbox[0].to, ['olena@example.org']);
  assert.is(smtp.inbox[0].from, 'noreply@misto.test');
  assert.is(m.subject, 'Підтвердіть підписку на оголошення');
  assert.match(m.text, /вул\. Тестова, 34/);
  assert.match(m.html, /Підтвердити підписку/);
  const confirm = linkIn(m.text, 'confirm');
  linkIn(m.text, 'unsubscribe'); // even the first mail lets them opt out

  const r = await client(srv.url).get(confirm);
  assert.is(r.status, 302);
  assert.is(r.headers.get('location'), `/announcements?subscription=confirmed&building=${B}`);
  assert.ok((await db.one('SELECT confirmed_at FROM announcement_subscription')).confirmed_at);
  assert.is((await client(srv.url).get('/api/announcements/subscriptions/confirm?token=nonexistent-token-xyz')).headers.get('location'), '/announcements?subscription=invalid');
  assert.equal(await deliver(), { sent: 0, failed: 0 });
});

test('notices for publish, change, cancel; an English subscriber gets English; unsubscribe stops them', async () => {
  smtp.inbox.length = 0;
  // A second, English-speaking subscriber confirmed via the API.
  await client(srv.url).post('/api/announcements/subscriptions', { email: 'john@example.com', buildingId: B, lang: 'en' });
  await deliver();
  const confirmEn = linkIn(parseMail(smtp.inbox.pop()!).text, 'confirm');
  assert.is((await client(srv.url).fetch(confirmEn, { headers: { accept: 'application/json' } }).then((r) => r.json())).subscription, 'confirmed');

  const c = client(srv.url);
  await c.signIn('oblenergo', PASSWORD);
  const a = await (await c.post('/api/announcements', {
    kind: 'outage', utility: 'electricity', title: 'Заміна трансформатора', contact: '(0342) 55-55-55',
    startsAt: iso(3600e3), endsAt: iso(5 * 3600e3),
    zone: { source: 'buildings', buildingIds: [B, B + 1] } })).json();
  assert.equal(await deliver(), { sent: 2, failed: 0 });
  const uk = parseMail(smtp.inbox.find((x) => x.to[0] === 'olena@example.org')!);
  const en = parseMail(smtp.inbox.find((x) => x.to[0] === 'john@example.com')!);
  assert.is(uk.subject, 'Нове оголошення для вашого будинку: Відключення: електропостачання — вул. Тестова, 34');
  assert.match(uk.text, /Заміна трансформатора/);
  assert.match(uk.text, /Прикарпаттяобленерго/);
  assert.match(uk.text, /\(0342\) 55-55-55/);
  assert.match(uk.html, /<b>вул\. Тестова, 34<\/b>/);
  assert.match(uk.headers['list-unsubscribe'] ?? '', /unsubscribe\?token=/);
  assert.is(en.subject, 'New announcement for your building: Outage: electricity — вул. Тестова, 34');
  assert.match(en.text, /Unsubscribe: http/);

  smtp.inbox.length = 0;
  // Moving the zone away tells the subscribers their building is no longer affected.
  await c.fetch(`/api/announcements/${a.id}`, { method: 'PUT', body: JSON.stringify({ zone: { source: 'buildings', buildingIds: [B + 1] } }) });
  assert.equal(await deliver(), { sent: 2, failed: 0 });
  const moved = parseMail(smtp.inbox.find((x) => x.to[0] === 'olena@example.org')!);
  assert.match(moved.subject, /^Оголошення для вашого будинку змінено/);
  assert.match(moved.text, /більше не входить до зони/);

  smtp.inbox.length = 0;
  await c.fetch(`/api/announcements/${a.id}`, { method: 'PUT', body: JSON.stringify({ zone: { source: 'buildings', buildingIds: [B] }, endsAt: iso(8 * 3600e3) }) });
  await c.post(`/api/announcements/${a.id}/cancel`, { reason: 'Перенесено' });
  assert.equal(await deliver(), { sent: 4, failed: 0 });
  const subjects = smtp.inbox.map((x) => parseMail(x).subject).sort();
  assert.ok(subjects.some((s) => s.startsWith('Оголошення для вашого будинку скасовано')));
  assert.ok(subjects.some((s) => s.startsWith('An announcement for your building was cancelled')));

  // Olena unsubscribes with the link from her last mail.
  const last = parseMail(smtp.inbox.find((x) => x.to[0] === 'olena@example.org')!);
  const un = await client(srv.url).get(linkIn(last.text, 'unsubscribe'));
  assert.is(un.headers.get('location'), '/announcements?subscription=unsubscribed');
  smtp.inbox.length = 0;
  const gas = client(srv.url);
  await gas.signIn('gaz', PASSWORD);
  await gas.post('/api/announcements', {
    kind: 'excavation', utility: 'gas', startsAt: iso(3600e3), endsAt: iso(5 * 3600e3),
    zone: { source: 'buildings', buildingIds: [B] } });
  assert.equal(await deliver(), { sent: 1, failed: 0 });
  assert.equal(smtp.inbox.map((x) => x.to[0]), ['john@example.com']);
  assert.match(parseMail(smtp.inbox[0]).subject, /Excavation: gas/);
});

test('a refused delivery is retried later with backoff and the error kept; no row is sent twice', async () => {
  smtp.inbox.length = 0;
  await client(srv.url).post('/api/announcements/subscriptions', { email: 'retry@example.com', buildingId: B });
  smtp.refuse(1);
  assert.equal(await deliver(), { sent: 0, failed: 1 });
  const row = await db.one(`SELECT attempts, last_error, next_attempt_at > $1::timestamptz + interval '50 seconds' AS later FROM outbox_mail WHERE to_addr = 'retry@example.com'`, [clock.now()]);
  assert.is(row.attempts, 1);
  assert.match(row.last_error, /Mailbox busy/);
  assert.ok(row.later);
  assert.equal(await deliver(), { sent: 0, failed: 0 }); // not due yet
  clock.advance(backoffSeconds(1) * 1000);
  // Two workers at once: SKIP LOCKED hands the row to one of them.
  const [x, y] = await Promise.all([deliver(), deliver()]);
  assert.is(x.sent + y.sent, 1);
  assert.is(smtp.inbox.length, 1);
});

test.run();
