import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { TEST_NOW } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import { world, signedIn, sse, until, sleep, KNOWN_PHONE, KNOWN_NAME, type World } from './harness.ts';
import { client } from '../helpers/http.ts';

let w: World;
let op1: Awaited<ReturnType<typeof signedIn>>;
let op2: Awaited<ReturnType<typeof signedIn>>;
let s1: Awaited<ReturnType<typeof sse>>;
let s2: Awaited<ReturnType<typeof sse>>;

test.before(async () => {
  w = await world('telephony_pop');
  await until(() => w.services.telephony.status().connected, 5000, 'AMI connection');
  op1 = await signedIn(w.url, 'op1');
  op2 = await signedIn(w.url, 'op2');
  s1 = await sse(w.url, op1.cookie);
  s2 = await sse(w.url, op2.cookie);
  await s1.next((e) => e.event === 'status');
  await s2.next((e) => e.event === 'status');
});
test.after(async () => { s1.close(); s2.close(); await w.close(); });

const callRow = (uniqueid: string) => w.db.oneOrNone(`SELECT * FROM call WHERE uniqueid = $1`, [uniqueid]);

test('status: connected to the PBX over AMI, not in demo mode', async () => {
  const st = await (await op1.get('/api/telephony/status')).json();
  assert.is(st.connected, true);
  assert.is(st.demo, false);
  assert.is(st.host, `127.0.0.1:${w.sim.port}`);
});

test('a known caller (number only in NewCallerid, national format) pops on the rung operator only, with card and banner', async () => {
  // The PBX shows the number the way the trunk delivers it; the card must find the E.164 resident.
  const call = w.sim.incomingCall({ phone: '0501112233', local: true });
  call.join('operators');
  call.ring('PJSIP/101');
  const ringing = (await s1.next((e) => e.event === 'call' && e.data.uniqueid === call.uniqueid && e.data.type === 'ringing')).data;
  assert.is(ringing.phone, KNOWN_PHONE);
  assert.is(ringing.queue, 'operators');
  assert.ok(ringing.callId > 0);
  assert.is(ringing.card.resident.fullName, KNOWN_NAME);
  assert.is(ringing.card.resident.apartment, '15');
  assert.equal(ringing.card.resident.phones.sort(), ['+380501112233', '+380672223344']);
  assert.is(ringing.card.resident.building.address, 'вул. Незалежності, 12');
  assert.ok(Math.abs(ringing.card.resident.building.lon - 24.71125) < 0.001);
  assert.is(ringing.card.openAppeals.length, 1, 'closed appeals are not open');
  assert.is(ringing.card.openAppeals[0].number, '15-80/2026/000001');
  assert.is(ringing.card.announcements.length, 1);
  assert.is(ringing.card.announcements[0].title, 'Гаряча вода відсутня до 18:00');
  assert.is(ringing.card.announcements[0].utility, 'hot_water');

  call.answer();
  const answered = (await s1.next((e) => e.data.uniqueid === call.uniqueid && e.data.type === 'answered')).data;
  assert.is(answered.callId, ringing.callId);
  call.hangup(16);
  const ended = (await s1.next((e) => e.data.uniqueid === call.uniqueid && e.data.type === 'ended')).data;
  assert.is(ended.reason, 'hangup');
  await sleep(150);
  assert.is(s2.calls().filter((c) => c.uniqueid === call.uniqueid).length, 0, 'the other operator got nothing');

  await w.services.telephony.tracker.settle();
  const row = await callRow(call.uniqueid);
  assert.is(row.caller_phone, KNOWN_PHONE);
  assert.is(row.queue, 'operators');
  assert.is(row.operator_id, w.users.op1);
  assert.is(row.agent_interface, 'PJSIP/101');
  assert.is(row.resident_id, 1);
  assert.is(row.hangup_cause, 16);
  assert.is(row.hangup_cause_text, 'Normal Clearing');
  assert.ok(row.entered_at <= row.answered_at && row.answered_at <= row.hungup_at);
  assert.is(row.linkedid, call.caller.linkedid);
  assert.is(row.channel, call.caller.name);
  // The caller card it showed is in the audit log: who saw which call's card (the call's id, no phone).
  const audited = await w.db.any(`SELECT * FROM audit_log WHERE action = 'desk.caller_card' AND entity_id = $1`, [String(row.id)]);
  assert.ok(audited.length >= 1, 'the pop is audited');
  assert.ok(audited.every((a) => a.user_id === w.users.op1 && a.role === 'operator'));
  assert.not.match(JSON.stringify(audited), KNOWN_PHONE.slice(4));
});

test('an unknown caller gets the "unknown caller" card on the other operator only', async () => {
  const call = w.sim.incomingCall({ phone: '+380939998877' });
  call.join('operators');
  call.ring('PJSIP/102');
  const pop = (await s2.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ringing')).data;
  assert.is(pop.phone, '+380939998877');
  assert.is(pop.card.resident, null);
  assert.equal(pop.card.openAppeals, []);
  assert.equal(pop.card.announcements, []);
  call.hangup(16);   // the caller gives up while it rings
  const ended = (await s2.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ended')).data;
  assert.is(ended.reason, 'hangup');
  await sleep(100);
  assert.is(s1.calls().filter((c) => c.uniqueid === call.uniqueid).length, 0);
  await w.services.telephony.tracker.settle();
  const row = await callRow(call.uniqueid);
  assert.is(row.operator_id, null, 'nobody answered');
  assert.is(row.answered_at, null);
  assert.is(row.resident_id, null);
  assert.ok(row.hungup_at);
});

test('ring-all: the operator who did not pick up sees the pop withdrawn', async () => {
  const call = w.sim.incomingCall({ phone: KNOWN_PHONE });
  call.join('operators');
  call.ring('PJSIP/101');
  await s1.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ringing');
  call.noAnswer();
  const noAnswer = (await s1.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ended')).data;
  assert.is(noAnswer.reason, 'no_answer');
  call.ring('PJSIP/102');
  await s2.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ringing');
  call.answer();
  await s2.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'answered');
  call.hangup(16, 'agent');
  await s2.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ended');
  await w.services.telephony.tracker.settle();
  assert.is((await callRow(call.uniqueid)).operator_id, w.users.op2);
});

test('direct dialling (DialBegin/BridgeEnter, no queue) pops and logs the answer', async () => {
  const call = w.sim.incomingCall({ phone: KNOWN_PHONE });
  call.dial('PJSIP/102');
  const ringing = (await s2.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ringing')).data;
  assert.is(ringing.queue, null);
  assert.is(ringing.card.resident.fullName, KNOWN_NAME);
  call.answer();
  await s2.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'answered');
  call.hangup(17);
  await s2.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ended');
  await w.services.telephony.tracker.settle();
  const row = await callRow(call.uniqueid);
  assert.is(row.operator_id, w.users.op2);
  assert.ok(row.answered_at);
  assert.is(row.hangup_cause, 17);
});

test('a stream opened during a call gets the call at once', async () => {
  const call = w.sim.incomingCall({ phone: KNOWN_PHONE });
  call.join('operators');
  call.ring('PJSIP/101');
  call.answer();
  await s1.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'answered');
  const late = await sse(w.url, op1.cookie);
  const replay = (await late.next((e) => e.event === 'call' && e.data.uniqueid === call.uniqueid)).data;
  assert.is(replay.type, 'answered');
  assert.is(replay.card.resident.fullName, KNOWN_NAME);
  late.close();
  call.hangup(16);
  await s1.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ended');
});

test('consultation: the answering operator marks an answered call; others and unanswered calls are refused', async () => {
  const call = w.sim.incomingCall({ phone: KNOWN_PHONE });
  call.join('operators');
  call.ring('PJSIP/101');
  const ringing = (await s1.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ringing')).data;
  // No waiting for the database here: the API waits for the call's own writes (pops are faster).
  const early = await op1.post(`/api/calls/${ringing.callId}/consultation`, {});
  assert.is(early.status, 409);
  assert.match((await early.json()).message, /not been answered/);
  call.answer();
  await s1.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'answered');
  assert.is((await op2.post(`/api/calls/${ringing.callId}/consultation`, {})).status, 403);
  const ok = await op1.post(`/api/calls/${ringing.callId}/consultation`, { note: 'Гаряча вода до 18:00' });
  assert.is(ok.status, 200);
  const body = await ok.json();
  assert.is(body.consultation, true);
  assert.is(body.note, 'Гаряча вода до 18:00');
  // An appeal registered during the call makes it not a consultation.
  const c2 = w.sim.incomingCall({ phone: KNOWN_PHONE });
  c2.join('operators'); c2.ring('PJSIP/101'); c2.answer();
  const a2 = (await s1.next((e) => e.data?.uniqueid === c2.uniqueid && e.data.type === 'answered')).data;
  await w.services.telephony.tracker.settle();
  await builder(w.db).appeal({ number: '15-80/2026/000099', category: 1, executor: 1, dueAt: TEST_NOW, call: a2.callId });
  const refused = await op1.post(`/api/calls/${a2.callId}/consultation`, {});
  assert.is(refused.status, 409);
  assert.match((await refused.json()).message, /15-80\/2026\/000099/);
  assert.is((await op1.post(`/api/calls/abc/consultation`, {})).status, 400);
  assert.is((await op1.post(`/api/calls/999999/consultation`, {})).status, 404);
  call.hangup(); c2.hangup();
});

test('only operators and admins receive personal data', async () => {
  assert.is((await client(w.url).get('/api/desk/events')).status, 401);
  for (const login of ['analyst1', 'vodokanal']) {
    const c = await signedIn(w.url, login);
    const stream = await sse(w.url, c.cookie);
    assert.is(stream.status, 403, `${login} may not open the pop stream`);
    stream.close();
    assert.is((await c.get(`/api/residents/card?phone=${encodeURIComponent(KNOWN_PHONE)}`)).status, 403);
    assert.is((await c.get('/api/calls')).status, 403);
  }
  const card = await (await op1.get(`/api/residents/card?phone=${encodeURIComponent('050 111 22 33')}`)).json();
  assert.is(card.resident.fullName, KNOWN_NAME);
  assert.is(card.announcements.length, 1);
  const admin = await signedIn(w.url, 'admin1');
  assert.is((await admin.get(`/api/residents/card?phone=${encodeURIComponent(KNOWN_PHONE)}`)).status, 200);
  const bad = await op1.get('/api/residents/card?phone=hello');
  assert.is(bad.status, 400);
  assert.equal(await bad.json().then((b: { error: string; field: string }) => [b.error, b.field]), ['invalid_phone', 'phone']);
  // The call log: an operator sees own calls only.
  const mine = await (await op1.get('/api/calls')).json();
  assert.ok(mine.length > 0);
  assert.ok(mine.every((c: { operatorId: number }) => c.operatorId === w.users.op1));
});

test('signing out closes the stream: no more personal data to that browser', async () => {
  const c = await signedIn(w.url, 'op2');
  const stream = await sse(w.url, c.cookie);
  await stream.next((e) => e.event === 'status');
  assert.is((await c.fetch('/api/auth/logout', { method: 'POST' })).status, 204);
  // At once, not at the next heartbeat (tests/security/sessions.test.ts times it).
  await until(() => stream.ended, 2000, 'stream closed by the server');
});

test('pops reach an operator whose stream is held by another instance (NOTIFY)', async () => {
  // A second product instance over the same database, not connected to the PBX.
  const { testServices } = await import('../helpers/app.ts');
  const { createApp } = await import('../../server/app.ts');
  const { serve } = await import('../helpers/http.ts');
  const { config } = await import('../../server/config.ts');
  const other = testServices(w.db, { ami: { ...config.ami, host: 'none' } });
  await other.telephony.start({ log: () => {} });
  const srv = await serve(createApp(other));
  try {
    await sleep(300);   // LISTEN established
    const remote = await sse(srv.url, op2.cookie);
    await remote.next((e) => e.event === 'status');
    await until(() => w.services.telephony.hub.remotelyPresent(w.users.op2), 3000, 'presence of op2 on the other instance');
    const call = w.sim.incomingCall({ phone: KNOWN_PHONE });
    call.join('operators');
    call.ring('PJSIP/102');
    const pop = (await remote.next((e) => e.event === 'call' && e.data.uniqueid === call.uniqueid)).data;
    assert.is(pop.type, 'ringing');
    assert.is(pop.card.resident.fullName, KNOWN_NAME);
    await sleep(200);
    assert.is(remote.calls().filter((c) => c.uniqueid === call.uniqueid && c.type === 'ringing').length, 1, 'no duplicate');
    call.hangup();
    remote.close();
  } finally {
    await srv.close();
    await other.telephony.stop();
  }
});

test('the call log takes any set of column changes in one prepared UPDATE, repeatedly', async () => {
  const { telephonyRepo, popPathRepo } = await import('../../server/telephony/telephony.repo.ts');
  const repo = telephonyRepo(w.db);
  const [id] = await popPathRepo(w.db).reserveCallIds(1);
  assert.is(await repo.insertCall({ id, uniqueid: 'patch.1', linkedid: 'patch.1', channel: 'PJSIP/trunk-1', callerPhone: null, calledNumber: '1580', queue: null, enteredAt: TEST_NOW }), id);
  const all = { linkedid: 'patch.1', channel: 'PJSIP/trunk-1', callerPhone: KNOWN_PHONE, calledNumber: '1580', queue: 'operators',
    operatorId: w.users.op1, agentInterface: 'PJSIP/101', residentId: 1, answeredAt: TEST_NOW, hungupAt: TEST_NOW, hangupCause: 16, hangupCauseText: 'Normal Clearing',
    queuedAt: TEST_NOW, queueStatus: 'TIMEOUT', outcome: 'queue_timeout' };
  // The same column set twice on the pool's connections: the prepared statement is reused, not re-declared.
  await Promise.all(Array.from({ length: 12 }, () => repo.patchCall(id, all)));
  const row = await w.db.one(`SELECT queue, operator_id, hangup_cause, outcome FROM call WHERE id = $1`, [id]);
  assert.equal(row, { queue: 'operators', operator_id: w.users.op1, hangup_cause: 16, outcome: 'queue_timeout' });
  // Reconnect-style insert of a known uniqueid keeps the row's id.
  assert.is(await repo.insertCall({ uniqueid: 'patch.1', linkedid: null, channel: null, callerPhone: null, calledNumber: null, queue: null, enteredAt: TEST_NOW }), id);
});

test.run();
