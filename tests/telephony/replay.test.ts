// The product over TCP against transcripts of a real Asterisk 22 (tests/fixtures/ami), played by a
// fake PBX at four times their pace: the real AMI client, the call log in PostGIS, screen pops over
// SSE. The operator's phone is typed as the queue names its member, "Local/100@operators/n".
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratedDb } from '../helpers/db.ts';
import { serve } from '../helpers/http.ts';
import { createUser } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { runningClock } from '../helpers/clock.ts';
import { replayServer } from '../helpers/ami-replay-server.ts';
import { createApp } from '../../server/app.ts';
import { config as baseConfig } from '../../server/config.ts';
import { LOST_TEXT } from '../../server/telephony/call-tracker.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, signedIn, sse, until, sleep } from './harness.ts';

const SPEED = 4;
let db: Db;
let op100: number;

test.before(async () => {
  ({ db } = await migratedDb('telephony_replay'));
  await seedCity(db);
  op100 = (await createUser(db, 'op100', 'operator', { sipInterface: 'Local/100@operators/n' })).id;
});

/** The product connected to a port; its clock runs as fast as the replay, so durations are Asterisk's. */
async function product(port: number) {
  const config = {
    ...baseConfig, recordingsDir: mkdtempSync(join(tmpdir(), 'misto-rec-')), sseHeartbeatMs: 150,
    ami: { ...baseConfig.ami, host: '127.0.0.1', port, user: 'misto', secret: 'misto', pingMs: 60_000 },
  };
  const services = testServices(db, config, runningClock(undefined, SPEED));
  const logs: string[] = [];
  await services.telephony.start({ log: (m) => logs.push(m) });
  const srv = await serve(createApp(services));
  return {
    services, logs, url: srv.url,
    async close() { await srv.close(); await services.telephony.stop(); },
  };
}

const callsSince = (id: number) => db.any(`SELECT * FROM call WHERE id > $1 ORDER BY id`, [id]);
const lastId = () => db.one<{ id: number }>(`SELECT coalesce(max(id), 0)::int AS id FROM call`).then((r) => r.id);

test('a queued call on Local channels: one row, answered by the member with options, popped on that operator\'s desk', async () => {
  const pbx = await replayServer('queue-answered-local-member', { speed: SPEED });
  const p = await product(pbx.port);
  try {
    const before = await lastId();
    const desk = await sse(p.url, (await signedIn(p.url, 'op100')).cookie);
    await pbx.finished;
    const ended = await desk.next((e) => e.data?.type === 'ended', 5000);
    assert.equal(desk.calls().map((c) => c.type), ['ringing', 'answered', 'ended']);
    assert.is(ended.data.uniqueid, '1796164887.4');
    await p.services.telephony.tracker.settle();
    const rows = await callsSince(before);
    assert.is(rows.length, 1, 'both halves are one call');
    const [c] = rows;
    assert.equal([c.uniqueid, c.outcome, c.queue, c.operator_id, c.caller_phone, c.channel], ['1796164887.4', 'answered', 'operators', op100, '+380501234567', 'Local/1580@misto-incoming-00000002;2']);
    // Durations as Asterisk had them: rung at ~0.5 s, answered 3 s later, talked 8.5 s.
    const s = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 1000;
    assert.ok(Math.abs(s(c.queued_at, c.answered_at) - 3.0) < 0.6, `wait ${s(c.queued_at, c.answered_at)}`);
    assert.ok(Math.abs(s(c.answered_at, c.hungup_at) - 8.5) < 0.6, `talk ${s(c.answered_at, c.hungup_at)}`);
    assert.ok(!p.logs.some((l) => /no operator has the phone interface/.test(l)), 'the interface matched');
    desk.close();
  } finally { await p.close(); await pbx.close(); }
});

test('an empty queue: the call is logged with its queue, JOINEMPTY and "no operators"; nobody is popped', async () => {
  const pbx = await replayServer('queue-joinempty', { speed: SPEED });
  const p = await product(pbx.port);
  try {
    const before = await lastId();
    const desk = await sse(p.url, (await signedIn(p.url, 'op100')).cookie);
    await pbx.finished;
    await until(async () => (await callsSince(before)).some((c) => c.hungup_at), 3000, 'the call ended');
    const [c] = await callsSince(before);
    assert.equal([c.outcome, c.queue, c.queue_status, c.answered_at], ['no_operators', 'operators', 'JOINEMPTY', null]);
    const recordings = await db.any(`SELECT path FROM recording WHERE call_id = $1`, [c.id]);
    assert.equal(recordings.map((r) => r.path), ['1796164972.29.wav']);
    assert.equal(desk.calls(), []);
    desk.close();
  } finally { await p.close(); await pbx.close(); }
});

test('a call that began while the link was down: adopted from CoreShowChannels (four channels, one call), popped as answered, logged once', async () => {
  const pbx = await replayServer('reconnect-call-started-while-down', { speed: SPEED });
  const p = await product(pbx.port);
  try {
    const before = await lastId();
    const desk = await sse(p.url, (await signedIn(p.url, 'op100')).cookie);
    const answered = await desk.next((e) => e.data?.type === 'answered', 8000);
    assert.is(answered.data.uniqueid, '1796165342.104');
    assert.is(answered.data.phone, '+380501234567');
    await pbx.finished;
    await desk.next((e) => e.data?.type === 'ended', 5000);
    await p.services.telephony.tracker.settle();
    const rows = await callsSince(before);
    assert.equal(rows.map((c) => [c.uniqueid, c.outcome, c.operator_id, c.queue]), [['1796165342.104', 'answered', op100, 'operators']]);
    assert.ok(p.logs.some((l) => /1 calls logged late/.test(l)), p.logs.join('\n'));
    // The capture's second connection ends where the lab's did; the product may log in a third time by now.
    assert.ok(pbx.logins >= 2, `${pbx.logins} logins`);
    desk.close();
  } finally { await p.close(); await pbx.close(); }
});

/** Asterisk back on `port` after a restart: logins accepted, no channels, no queues. */
async function emptyPbx(port: number) {
  const sockets = new Set<net.Socket>();
  let loggedInAt: number | undefined;
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.write('Asterisk Call Manager/11.0.0\r\n');
    s.on('data', (d) => {
      for (const block of d.toString().split('\r\n\r\n').filter(Boolean)) {
        const id = /ActionID: (.*)/.exec(block)?.[1] ?? '';
        if (/Action: Login/i.test(block)) { loggedInAt ??= performance.now(); s.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`); }
        else if (/Action: (CoreShowChannels|QueueStatus)/i.test(block)) s.write(`Response: Success\r\nActionID: ${id}\r\nEventList: start\r\n\r\nEvent: ListComplete\r\nActionID: ${id}\r\nEventList: Complete\r\nListItems: 0\r\n\r\n`);
        else s.write(`Response: Success\r\nActionID: ${id}\r\nPing: Pong\r\n\r\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    openedAt: performance.now(),
    get loggedInAt() { return loggedInAt; },
    async close() { for (const s of sockets) s.destroy(); await new Promise<void>((r) => server.close(() => r())); },
  };
}

test('Asterisk killed mid-call: the call ends when the link was lost, not when it came back; counted once', async () => {
  const pbx = await replayServer('kill9', { speed: SPEED, thenGone: true });
  const p = await product(pbx.port);
  let back: Awaited<ReturnType<typeof emptyPbx>> | undefined;
  try {
    const before = await lastId();
    const desk = await sse(p.url, (await signedIn(p.url, 'op100')).cookie);
    await desk.next((e) => e.data?.type === 'answered', 5000);
    await pbx.finished;
    const finishedAt = p.services.clock.now();
    await sleep(500);
    const reconciled = p.services.telephony.reconciled();
    back = await emptyPbx(pbx.port);
    const ended = await desk.next((e) => e.data?.type === 'ended', 3000);
    assert.is(ended.data.reason, 'lost');
    // The pop goes out mid-reconciliation; its log line comes once the call log is written.
    await reconciled;
    await p.services.telephony.tracker.settle();
    const [c] = await callsSince(before);
    assert.equal([c.outcome, c.hangup_cause_text], ['answered', LOST_TEXT]);
    assert.ok(c.hungup_at.getTime() <= finishedAt.getTime(), 'ended at the last frame heard, not at the reconnect 2 s (replay time) later');
    assert.ok(p.logs.some((l) => /1 ended while the link was down, 0 left open/.test(l)), p.logs.join('\n'));
    desk.close();
  } finally { await p.close(); await back?.close(); await pbx.close(); }
});

test('a graceful shutdown is heard (Event: Shutdown), and the product is back within a second of the port answering again', async () => {
  const pbx = await replayServer('shutdown-with-live-call', { speed: SPEED, thenGone: true });
  const p = await product(pbx.port);
  let back: Awaited<ReturnType<typeof emptyPbx>> | undefined;
  try {
    await pbx.finished;
    await until(() => !p.services.telephony.status().connected, 3000, 'disconnected');
    assert.ok(p.logs.some((l) => /announced its shutdown \(Cleanly, restart: False\)/.test(l)), p.logs.join('\n'));
    assert.match(p.services.telephony.status().error ?? '', /shut down|unreachable/);
    // The port stays closed for 1.5 s (Asterisk restarting); then it answers again.
    await sleep(1500);
    back = await emptyPbx(pbx.port);
    await until(() => p.services.telephony.status().connected, 2000, 'reconnected');
    const delay = back.loggedInAt! - back.openedAt;
    assert.ok(delay < 1000, `logged in ${Math.round(delay)} ms after the port opened`);
  } finally { await p.close(); await back?.close(); await pbx.close(); }
});

test.run();
