// The call tracker replaying what a real Asterisk 22 sent (tests/fixtures/ami). The lab's incoming
// calls arrive on Local channels — an Originate to Local/1580@misto-incoming — so every call is two
// halves: ";1" (Uniqueid = Linkedid) and ";2", which runs the dialplan, records, and sits in the
// queue; the queue's member is Local/100@operators/n, whose legs are two halves again. Each call
// must be one row, with the outcome Asterisk's events say, and pop to the operator behind the member.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CardResident } from '../../server/residents/residents.repo.ts';
import { LOST_TEXT } from '../../server/telephony/call-tracker.ts';
import { readCapture, replay } from '../helpers/ami-capture.ts';
import { trackerRig, t, type TrackerRig } from '../helpers/tracker-rig.ts';
import { TEST_NOW } from '../helpers/clock.ts';

const OP100 = 21;
const OP101 = 22;
const PHONE = '+380501234567';
const RESIDENT: CardResident = { id: 7, fullName: 'Мешканець Тестовий', apartment: null, phones: [PHONE], building: null };
// The operators typed their phones as the queue lists its members, options included.
const rig = (recordingsDir?: string) =>
  trackerRig({ operators: { 'Local/100@operators/n': OP100, 'Local/101@operators/n': OP101 }, residents: { [PHONE]: RESIDENT }, recordingsDir });

async function play(scenario: string, r: TrackerRig = rig()) {
  const result = await replay({ handle: (e) => r.tracker.handle(e), reconcile: (i, o) => r.tracker.reconcile(i, o), trackedCalls: () => r.tracker.trackedCalls(), settle: r.settle }, r.clock, scenario, TEST_NOW);
  return { r, ...result };
}
const ms = (d: Date | null) => (d ? d.getTime() - TEST_NOW.getTime() : null);
/** A call row in milliseconds since the capture began. */
const row = (r: TrackerRig, uniqueid: string) => {
  const c = r.call(uniqueid);
  assert.ok(c, `a row for ${uniqueid}`);
  return {
    outcome: c!.outcome, queue: c!.queue, queueStatus: c!.queueStatus, entered: ms(c!.enteredAt), queued: ms(c!.queuedAt),
    answered: ms(c!.answeredAt), hungup: ms(c!.hungupAt), operator: c!.operatorId,
  };
};
const popsOf = (r: TrackerRig, user: number) => r.popsOf(user).map((p) => `${p.type}${p.reason ? `:${p.reason}` : ''}@${ms(new Date(p.at))}`);
const keys = (r: TrackerRig) => [...r.calls.values()].map((c) => c.uniqueid);

test('the captures parse into the events Asterisk sent, in order', () => {
  const queued = readCapture('queue-answered-local-member');
  assert.is(queued.asterisk, '22.10.1');
  const names = queued.events.map(([, e]) => e.Event);
  assert.is(names.length, 67);
  assert.ok(names.indexOf('QueueCallerJoin') < names.indexOf('AgentCalled') && names.indexOf('AgentCalled') < names.indexOf('AgentConnect'));
  const times = queued.events.map(([at]) => at);
  assert.equal(times, [...times].sort((a, b) => a - b), 'in arrival order');
  const join = queued.events.find(([, e]) => e.Event === 'QueueCallerJoin')![1];
  assert.equal([join.Uniqueid, join.Linkedid, join.Queue, join.CallerIDNum], ['1796164887.5', '1796164887.4', 'operators', '0501234567']);
});

test('a queued call on Local channels is one row under its Linkedid: the member with options pops its operator, the recording of ";2" is linked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'misto-replay-'));
  const capture = readCapture('queue-answered-local-member');
  // The file as big as Asterisk left it, where this machine sees recordings.
  writeFileSync(join(dir, '1796164887.5.wav'), Buffer.alloc(capture.recordings![0].bytes));
  const { r } = await play('queue-answered-local-member', rig(dir));
  assert.equal(keys(r), ['1796164887.4'], 'both halves are one call');
  assert.equal(row(r, '1796164887.4'), { outcome: 'answered', queue: 'operators', queueStatus: null, entered: 11, queued: 514, answered: 3521, hungup: 12016, operator: OP100 });
  const call = r.call('1796164887.4')!;
  assert.equal([call.linkedid, call.channel, call.callerPhone, call.calledNumber, call.agentInterface, call.residentId, call.hangupCause],
    ['1796164887.4', 'Local/1580@misto-incoming-00000002;2', PHONE, '1580', 'Local/100@operators', RESIDENT.id, 16]);
  assert.equal(popsOf(r, OP100), ['ringing@517', 'answered@3521', 'ended:hangup@12016']);
  assert.ok(r.popsOf(OP100).every((p) => p.card.resident?.id === RESIDENT.id && p.uniqueid === '1796164887.4'));
  // The number is known from NewCallerid of ";1" (t = 11): one lookup of it, long before the ring.
  assert.equal(r.lookups, [null, PHONE]);
  // Linked when MixMonitor named it (t = 12), measured after the hang-up.
  assert.equal(r.recordings.map((x) => [x.callId, x.path, ms(x.startedAt)]), [[call.id, '1796164887.5.wav', 12]]);
  const until = performance.now() + 3000;
  while (!r.recordings[0].endedAt && performance.now() < until) await new Promise((res) => setTimeout(res, 20));
  assert.equal([r.recordings[0].bytes, ms(r.recordings[0].endedAt)], [128_044, 12016]);
  assert.equal(r.logs, []);
  assert.is(r.tracker.channelCount(), 0, 'no channel is left in memory');
});

test('the product\'s minimal read classes see the same call the same way', async () => {
  const { r } = await play('minimal-classes-queue-answered');
  assert.equal(keys(r), ['1796164906.8']);
  assert.equal(row(r, '1796164906.8'), { outcome: 'answered', queue: 'operators', queueStatus: null, entered: 3006, queued: 3507, answered: 6512, hungup: 15008, operator: OP100 });
  assert.equal(popsOf(r, OP100), ['ringing@3508', 'answered@6512', 'ended:hangup@15008']);
});

test('the operator hangs up first (AgentComplete without channel fields); the AMI Hangup of the caller\'s channel', async () => {
  for (const [scenario, key, answered, hungup] of [['queue-answered-operator-hangs-up', '1796165512.0', 2515, 20203], ['ami-hangup-action', '1796165536.4', 2510, 5516]] as const) {
    const { r } = await play(scenario);
    assert.equal(keys(r), [key], scenario);
    assert.equal([row(r, key).outcome, row(r, key).answered, row(r, key).hungup], ['answered', answered, hungup], scenario);
    assert.equal(popsOf(r, OP100).map((p) => p.replace(/@\d+$/, '')), ['ringing', 'answered', 'ended:hangup'], scenario);
    assert.is(r.tracker.channelCount(), 0);
  }
});

test('a ring not answered in time, then the retry answered: the pop is withdrawn and comes again', async () => {
  const { r } = await play('queue-ring-noanswer-then-answer');
  assert.equal(row(r, '1796164948.22'), { outcome: 'answered', queue: 'operators', queueStatus: null, entered: 2, queued: 504, answered: 10516, hungup: 20006, operator: OP100 });
  assert.equal(popsOf(r, OP100), ['ringing@505', 'ended:no_answer@6509', 'ringing@8510', 'answered@10516', 'ended:hangup@20006']);
});

test('abandoned while ringing, and while waiting (with the wait from the queue entry)', async () => {
  const ringing = (await play('queue-abandoned-ringing')).r;
  assert.equal(row(ringing, '1796164941.18'), { outcome: 'abandoned_ringing', queue: 'operators', queueStatus: null, entered: 9, queued: 511, answered: null, hungup: 4013, operator: null });
  assert.equal(popsOf(ringing, OP100), ['ringing@512', 'ended:hangup@4013']);
  const waiting = (await play('queue-abandoned-waiting')).r;
  assert.equal(keys(waiting), ['1796164921.12', '1796164924.16']);
  assert.equal(row(waiting, '1796164924.16'), { outcome: 'abandoned_queue', queue: 'operators', queueStatus: null, entered: 3011, queued: 3515, answered: null, hungup: 8015, operator: null });
  assert.is(row(waiting, '1796164921.12').outcome, 'answered');
});

test('no free operators: JOINEMPTY and FULL never join the queue, yet the call has its queue, its verdict and its recording', async () => {
  for (const scenario of ['queue-joinempty', 'queue-joinempty-paused']) {
    const { r } = await play(scenario);
    assert.is(r.calls.size, 1, scenario);
    const [call] = r.calls.values();
    assert.equal([call.outcome, call.queue, call.queueStatus, call.answeredAt], ['no_operators', 'operators', 'JOINEMPTY', null], scenario);
    // The wait is nil: the queue turned it away the moment it asked.
    assert.ok(call.queuedAt && call.queuedAt.getTime() - call.enteredAt.getTime() > 400, scenario);
    assert.equal(r.recordings.map((x) => x.callId), [call.id], `${scenario}: the recording made before Queue() is linked`);
    assert.equal(r.pops, [], scenario);
  }
  const full = (await play('queue-full')).r;
  assert.equal(keys(full), ['1796165088.48', '1796165089.52', '1796165089.54']);
  assert.equal(row(full, '1796165089.54'), { outcome: 'queue_full', queue: 'operators', queueStatus: 'FULL', entered: 1008, queued: 1510, answered: null, hungup: 5821, operator: null });
  assert.equal([row(full, '1796165088.48').outcome, row(full, '1796165089.52').outcome], ['abandoned_ringing', 'abandoned_queue']);
});

test('the queue lets a waiting caller go: LEAVEEMPTY (member paused or removed) and TIMEOUT, though Asterisk calls it an abandon', async () => {
  for (const [scenario, key, queued, hungup] of [['queue-leaveempty', '1796165028.36', 3014, 15308], ['queue-leaveempty-removed', '1796165051.42', 3015, 15307]] as const) {
    const { r } = await play(scenario);
    assert.is(r.calls.size, 2, scenario);
    const w = row(r, key);
    assert.equal([w.outcome, w.queueStatus, w.queued, w.hungup], ['no_operators', 'LEAVEEMPTY', queued, hungup], scenario);
  }
  const { r } = await play('queue-timeout');
  assert.equal(row(r, '1796165072.44'), { outcome: 'queue_timeout', queue: 'operators', queueStatus: 'TIMEOUT', entered: 2, queued: 505, answered: null, hungup: 12817, operator: null });
  assert.equal(popsOf(r, OP100), ['ringing@505', 'ended:no_answer@6505']);
});

test('dialled straight to the operator: pops, answered, recorded; unanswered when the resident\'s side gives up while it rings', async () => {
  const answered = (await play('direct-dial-operator')).r;
  assert.equal(keys(answered), ['1796165134.66']);
  assert.equal(row(answered, '1796165134.66'), { outcome: 'answered', queue: null, queueStatus: null, entered: 2, queued: 3, answered: 3007, hungup: 11008, operator: OP100 });
  assert.equal(popsOf(answered, OP100), ['ringing@3', 'answered@3007', 'ended:hangup@11008']);
  assert.equal(answered.recordings.map((x) => x.path), ['1796165134.67.wav']);
  const noAnswer = (await play('direct-dial-operator-noanswer')).r;
  assert.equal(row(noAnswer, '1796165149.70'), { outcome: 'abandoned_ringing', queue: null, queueStatus: null, entered: 2, queued: 4, answered: null, hungup: 30031, operator: null });
  assert.equal(popsOf(noAnswer, OP100), ['ringing@4', 'ended:hangup@30031']);
});

test('two callers, two members (QueueStatus capture): each pops its own operator', async () => {
  const { r } = await play('queuestatus-action');
  assert.equal(keys(r), ['1796165106.58', '1796165108.62']);
  assert.equal(popsOf(r, OP100), ['ringing@505', 'answered@2508', 'ended:hangup@25011']);
  assert.equal(popsOf(r, OP101), ['ringing@11004', 'ended:hangup@14520']);
  assert.is(row(r, '1796165108.62').outcome, 'abandoned_ringing');
});

test('reconnecting during a call: the call goes on under its row; a call that began while the link was down is adopted, both halves, and popped', async () => {
  const during = (await play('reconnect-call-in-progress')).r;
  assert.equal(keys(during), ['1796165309.100']);
  assert.equal(row(during, '1796165309.100'), { outcome: 'answered', queue: 'operators', queueStatus: null, entered: 3, queued: 506, answered: 2512, hungup: 30016, operator: OP100 });
  assert.equal(popsOf(during, OP100), ['ringing@506', 'answered@2512', 'ended:hangup@30016']);

  const gap = (await play('reconnect-call-started-while-down')).r;
  assert.equal(keys(gap), ['1796165342.104'], 'one call although CoreShowChannels listed four channels');
  // CoreShowChannels at 7517 says the channels are 7 s old and the member is in the caller's bridge.
  assert.equal(row(gap, '1796165342.104'), { outcome: 'answered', queue: 'operators', queueStatus: null, entered: 517, queued: 517, answered: 517, hungup: 22008, operator: OP100 });
  assert.equal(gap.call('1796165342.104')!.channel, 'Local/1580@misto-incoming-00000034;2', 'the half in the queue, to hang up or record');
  assert.equal(popsOf(gap, OP100), ['answered@7517', 'ended:hangup@22008']);
  assert.is(gap.tracker.channelCount(), 0);
});

test('Asterisk killed mid-call: at the next login the PBX has no channels; the call ended when the link was lost', async () => {
  const { r, lostAt } = await play('kill9');
  assert.is(r.tracker.activeCount(), 1, 'nothing said the call ended');
  assert.is(ms(lostAt), 2515, 'the last frame before the FIN');
  r.clock.set(t(9000));
  const result = await r.tracker.reconcile([], { before: r.tracker.trackedCalls(), lostAt, orphansAt: lostAt! });
  await r.settle();
  assert.equal([result.ended, result.adopted, result.closedOrphans], [1, 0, 0], 'counted once');
  const [call] = r.calls.values();
  assert.equal([call.outcome, ms(call.answeredAt), ms(call.hungupAt), call.hangupCauseText], ['answered', 2515, 2515, LOST_TEXT]);
  assert.equal(popsOf(r, OP100), ['ringing@509', 'answered@2515', 'ended:lost@9000']);
  assert.is(r.tracker.channelCount(), 0);
});

test('a graceful shutdown ends the call with the PBX\'s own hang-ups before the link goes', async () => {
  const { r } = await play('shutdown-with-live-call');
  assert.equal(keys(r), ['1796165389.108']);
  assert.equal(row(r, '1796165389.108'), { outcome: 'answered', queue: 'operators', queueStatus: null, entered: 7, queued: 510, answered: 2518, hungup: 5545, operator: OP100 });
  assert.is(r.tracker.activeCount(), 0);
});

test('survey calls and a login during boot are not incoming calls: no row, no pop, nothing left in memory', async () => {
  for (const scenario of ['survey-confirm-rate', 'survey-busy', 'survey-no-answer', 'survey-two-concurrent', 'survey-unallocated']) {
    const { r } = await play(scenario);
    assert.equal([r.calls.size, r.pops.length, r.tracker.channelCount()], [0, 0, 0], scenario);
  }
  const boot = (await play('boot-fullybooted')).r;
  assert.equal([...boot.calls.values()].map((c) => [c.outcome, c.queueStatus]), [['no_operators', 'JOINEMPTY']]);
});

test.run();
