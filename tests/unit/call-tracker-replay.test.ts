// The call tracker replaying what a real Asterisk 22 sent for two calls (tests/fixtures/ami): a
// queued call answered by the queue member Local/100@operators/n, and a call dialled straight to
// that member. The lab's calls enter as Local channels (an Originate to Local/1580@misto-incoming),
// so each call is two halves: ";1" (Uniqueid = Linkedid, never queued) and ";2", which runs the
// dialplan, joins the queue and carries the recording. The tests say what the tracker does with
// that today, including where it goes wrong.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CardResident } from '../../server/residents/residents.repo.ts';
import { readCapture } from '../helpers/ami-capture.ts';
import { trackerRig, t } from '../helpers/tracker-rig.ts';

const OPERATOR = 21;
const PHONE = '+380501234567';
const RESIDENT: CardResident = { id: 7, fullName: 'Мешканець Тестовий', apartment: null, phones: [PHONE], building: null };
const rig = (recordingsDir?: string) =>
  trackerRig({ operators: { 'Local/100@operators/n': OPERATOR }, residents: { [PHONE]: RESIDENT }, recordingsDir });

test('the captures parse into the events Asterisk sent, in order', () => {
  const queued = readCapture('queue-answered-local-member');
  assert.is(queued.asterisk, '22.10.1');
  const names = queued.events.map(([, e]) => e.Event);
  assert.is(names.length, 67);
  for (const e of ['Newchannel', 'NewCallerid', 'QueueCallerJoin', 'AgentCalled', 'AgentConnect', 'BridgeEnter', 'Hangup', 'AgentComplete']) assert.ok(names.includes(e), e);
  assert.ok(names.indexOf('QueueCallerJoin') < names.indexOf('AgentCalled') && names.indexOf('AgentCalled') < names.indexOf('AgentConnect'));
  const times = queued.events.map(([ms]) => ms);
  assert.equal(times, [...times].sort((a, b) => a - b), 'in arrival order');
  const join = queued.events.find(([, e]) => e.Event === 'QueueCallerJoin')![1];
  assert.equal([join.Uniqueid, join.Linkedid, join.Queue, join.CallerIDNum, join.AccountCode], ['1796164887.5', '1796164887.4', 'operators', '0501234567', '']);
});

test('a queued call answered by the member: ringing, answered, ended pop with the caller\'s card; the call row; the recording', async () => {
  const capture = readCapture('queue-answered-local-member');
  const dir = mkdtempSync(join(tmpdir(), 'misto-replay-'));
  // The file as big as Asterisk left it, where this machine sees recordings.
  writeFileSync(join(dir, '1796164887.5.wav'), Buffer.alloc(capture.recordings![0].bytes));
  const r = rig(dir);
  await r.feed(capture.events);

  const pops = r.popsOf(OPERATOR);
  assert.equal(pops.map((p) => [p.type, p.reason ?? null, p.at]), [
    ['ringing', null, t(517).toISOString()], ['answered', null, t(3521).toISOString()], ['ended', 'hangup', t(12017).toISOString()],
  ]);
  for (const p of pops) {
    assert.equal([p.uniqueid, p.phone, p.queue, p.card.resident?.id], ['1796164887.5', PHONE, 'operators', RESIDENT.id]);
  }
  const call = r.call('1796164887.5')!;
  assert.equal(call, {
    id: call.id, uniqueid: '1796164887.5', linkedid: '1796164887.4', channel: 'Local/1580@misto-incoming-00000002;2',
    callerPhone: PHONE, calledNumber: '1580', queue: 'operators', enteredAt: t(11), operatorId: OPERATOR,
    agentInterface: 'Local/100@operators/n', residentId: RESIDENT.id, answeredAt: t(3521), hungupAt: t(12017),
    hangupCause: 16, hangupCauseText: 'Normal Clearing',
  });
  assert.equal(r.recordings.map((x) => [x.callId, x.path]), [[call.id, '1796164887.5.wav']]);
  const until = performance.now() + 3000;
  while (!r.recordings[0].endedAt && performance.now() < until) await new Promise((res) => setTimeout(res, 20));
  assert.equal([r.recordings[0].bytes, r.recordings[0].endedAt], [128_044, t(12017)]);
  assert.equal(r.logs, []);
});

test('today: the ";1" half of that call is logged as a second call, unqueued and unanswered', async () => {
  // Newchannel of ";1" is in the inbound context with Uniqueid = Linkedid, so it is tracked as a
  // call of its own; the queue events then name ";2", which becomes the call operators see.
  const r = rig();
  await r.feed(readCapture('queue-answered-local-member').events);
  assert.equal([...r.calls.values()].map((c) => c.uniqueid), ['1796164887.4', '1796164887.5']);
  const half = r.call('1796164887.4')!;
  assert.equal([half.channel, half.callerPhone, half.queue, half.operatorId, half.answeredAt, half.hungupAt],
    ['Local/1580@misto-incoming-00000002;1', PHONE, null, null, null, t(12016)]);
  assert.equal(r.lookups, [null, PHONE, PHONE], 'the caller is looked up for both halves');
  // The recording starts when the queue makes ";2" a call (t = 514), not when MixMonitor did (t = 12).
  assert.equal(r.recordings.map((x) => x.startedAt), [t(514)]);
});

test('today: a call dialled straight to the member pops nobody and loses its recording', async () => {
  // The ";2" half runs Dial(), but only ";1" is tracked: DialBegin and BridgeEnter name a call the
  // tracker does not know, and the MIXMONITOR_FILENAME of ";2" stays with an untracked channel.
  const r = rig();
  await r.feed(readCapture('direct-dial-operator').events);
  assert.equal(r.pops, []);
  assert.equal(r.recordings, []);
  assert.equal([...r.calls.values()].map((c) => [c.uniqueid, c.channel, c.callerPhone, c.operatorId, c.answeredAt, c.hungupAt]), [
    ['1796165134.66', 'Local/1580@misto-incoming-00000021;1', PHONE, null, null, t(11008)],
  ]);
});

test.run();
