// The call tracker fed with tables of AMI events, its dependencies in memory: who is rung and
// popped, with which reason a pop ends, what the call row holds, and how few writes it costs.
// Events are plain objects as the AMI client hands them over; fields the tracker does not read are
// left out. The same calls over real TCP with the PBX simulator are tests/telephony/.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOST_TEXT } from '../../server/telephony/call-tracker.ts';
import type { CardResident } from '../../server/residents/residents.repo.ts';
import { trackerRig, t, type AmiEvent, type EventRow, type RigOptions } from '../helpers/tracker-rig.ts';

const OP1 = 11, OP2 = 12;
const PHONE = '+380501112233';
const RESIDENT: CardResident = { id: 1, fullName: 'Олена Коваль', apartment: '15', phones: [PHONE], building: null };
const rig = (o: RigOptions = {}) => trackerRig({ operators: { 'PJSIP/101': OP1, 'PJSIP/102': OP2 }, residents: { [PHONE]: RESIDENT }, ...o });

/** The city's call on a trunk channel, and operators' legs, named as Asterisk names channels (eight hex digits). */
const hex = (n: number) => n.toString(16).padStart(8, '0');
const caller = (n: number, o: Partial<AmiEvent> = {}) => ({
  Channel: `PJSIP/trunk-${hex(n)}`, Uniqueid: `1796164887.${n}`, Linkedid: `1796164887.${n}`,
  Context: 'misto-incoming', Exten: '1580', CallerIDNum: '0501112233', ...o,
});
const leg = (iface: string, n: number) => ({ DestChannel: `${iface}-${hex(n)}`, DestUniqueid: `1796164887.${n}` });
const agentChannel = (iface: string, n: number, linkedid: string) => ({ Channel: `${iface}-${hex(n)}`, Uniqueid: `1796164887.${n}`, Linkedid: linkedid });
const hangup = (who: object, cause = '16', text = 'Normal Clearing'): AmiEvent => ({ Event: 'Hangup', ...who, Cause: cause, 'Cause-txt': text });

const kinds = (pops: { type: string; reason?: string }[]) => pops.map((p) => (p.reason ? `${p.type}:${p.reason}` : p.type));

test('a queued call answered by an operator: ringing, answered, ended pop to that operator; three writes', async () => {
  const r = rig();
  const c = caller(1);
  const agent = agentChannel('PJSIP/101', 2, c.Linkedid);
  const rows: EventRow[] = [
    [0, { Event: 'Newchannel', ...c, ChannelStateDesc: 'Ring' }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators', Position: '1', Count: '1' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 2), Queue: 'operators', Interface: 'PJSIP/101', MemberName: 'PJSIP/101' }],
    [0, { Event: 'DialBegin', ...c, ...leg('PJSIP/101', 2), DialString: '101' }],
    [3000, { Event: 'DialEnd', ...c, ...leg('PJSIP/101', 2), DialStatus: 'ANSWER' }],
    [3000, { Event: 'QueueCallerLeave', ...c, Queue: 'operators', Count: '0' }],
    [3000, { Event: 'AgentConnect', ...c, ...leg('PJSIP/101', 2), Queue: 'operators', Interface: 'PJSIP/101', HoldTime: '3', RingTime: '3' }],
    [3000, { Event: 'BridgeEnter', ...c, BridgeUniqueid: 'b1' }],
    [3000, { Event: 'BridgeEnter', ...agent, BridgeUniqueid: 'b1' }],
    [10000, { Event: 'BridgeLeave', ...c, BridgeUniqueid: 'b1' }],
    [10000, hangup(c)],
    [10000, { Event: 'BridgeLeave', ...agent, BridgeUniqueid: 'b1' }],
    [10000, hangup(agent)],
    [10000, { Event: 'AgentComplete', ...c, ...leg('PJSIP/101', 2), Queue: 'operators', Interface: 'PJSIP/101', TalkTime: '7', Reason: 'caller' }],
  ];
  await r.feed(rows);

  const row = r.call(c.Uniqueid)!;
  assert.equal(row, {
    id: row.id, uniqueid: c.Uniqueid, linkedid: c.Linkedid, channel: 'PJSIP/trunk-00000001', callerPhone: PHONE, calledNumber: '1580',
    queue: 'operators', operatorId: OP1, agentInterface: 'PJSIP/101', residentId: RESIDENT.id, enteredAt: t(0),
    answeredAt: t(3000), hungupAt: t(10000), hangupCause: 16, hangupCauseText: 'Normal Clearing',
    queuedAt: t(0), queueStatus: null, outcome: 'answered',
  });
  const pops = r.popsOf(OP1);
  assert.equal(kinds(pops), ['ringing', 'answered', 'ended:hangup']);
  for (const p of pops) {
    assert.is(p.callId, row.id, 'the pop names the call row, reserved before its INSERT');
    assert.is(p.uniqueid, c.Uniqueid);
    assert.is(p.phone, PHONE);
    assert.is(p.queue, 'operators');
    assert.equal(p.card, { resident: RESIDENT, openAppeals: [], announcements: [] });
  }
  assert.equal(pops.map((p) => p.seq), [1, 2, 3]);
  assert.equal(pops.map((p) => p.at), [t(0), t(3000), t(10000)].map((d) => d.toISOString()));
  assert.equal(pops.map((p) => p.answeredAt), [null, t(3000).toISOString(), t(3000).toISOString()]);
  assert.equal(r.popsOf(OP2), [], 'nobody else is popped');

  // The first burst is one INSERT with the queue, the number and the rung operator; then the answer, the hang-up.
  assert.equal(r.writes.map((w) => w.op), ['insert', 'patch', 'patch']);
  assert.equal([r.writes[0].fields.queue, r.writes[0].fields.callerPhone, r.writes[0].fields.agentInterface], ['operators', PHONE, 'PJSIP/101']);
  assert.equal(r.writes[1].fields.answeredAt, t(3000));
  assert.is(r.writes[1].fields.operatorId, OP1);
  assert.equal(r.writes[2].fields, { hungupAt: t(10000), hangupCause: 16, hangupCauseText: 'Normal Clearing', outcome: 'answered' });
  assert.equal(r.lookups, [PHONE], 'one caller lookup, started with the first event');
  assert.is(r.tracker.activeCount(), 0);
  assert.equal(r.logs, []);
});

test('a call that rings two operators: the one who answers gets the call, the other an ended pop', async () => {
  const r = rig();
  const c = caller(3);
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 4), Queue: 'operators', Interface: 'PJSIP/101' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/102', 5), Queue: 'operators', Interface: 'PJSIP/102' }],
    [2000, { Event: 'AgentConnect', ...c, ...leg('PJSIP/102', 5), Queue: 'operators', Interface: 'PJSIP/102' }],
    [2000, hangup(agentChannel('PJSIP/101', 4, c.Linkedid), '26', 'Answered elsewhere')],
    [9000, hangup(c)],
  ]);
  assert.equal(kinds(r.popsOf(OP1)), ['ringing', 'ended:answered_elsewhere']);
  assert.equal(kinds(r.popsOf(OP2)), ['ringing', 'answered', 'ended:hangup']);
  assert.is(r.popsOf(OP1)[1].at, t(2000).toISOString(), 'at the answer, not at the leg\'s hang-up');
  // One call, one sequence of pops across operators: a desk can drop what it has seen.
  assert.equal(r.pops.map((p) => p.pop.seq), [1, 2, 3, 4, 5]);
  const row = r.call(c.Uniqueid)!;
  assert.equal([row.operatorId, row.agentInterface, row.answeredAt], [OP2, 'PJSIP/102', t(2000)]);
});

test('the caller hangs up while waiting in the queue: nobody is popped, the row says so', async () => {
  const r = rig();
  const c = caller(6);
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [4000, { Event: 'QueueCallerAbandon', ...c, Queue: 'operators', Position: '1', OriginalPosition: '1', HoldTime: '4' }],
    [4000, { Event: 'QueueCallerLeave', ...c, Queue: 'operators', Count: '0' }],
    [4000, hangup(c)],
  ]);
  assert.equal(r.pops, []);
  const row = r.call(c.Uniqueid)!;
  assert.equal([row.queue, row.operatorId, row.agentInterface, row.answeredAt, row.hungupAt, row.hangupCause], ['operators', null, null, null, t(4000), 16]);
});

test('the caller hangs up while an operator\'s phone rings, in the simulator\'s order: ended "hangup"', async () => {
  const r = rig();
  const c = caller(7);
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 8), Queue: 'operators', Interface: 'PJSIP/101' }],
    [5000, { Event: 'QueueCallerAbandon', ...c, Queue: 'operators' }],
    [5000, { Event: 'QueueCallerLeave', ...c, Queue: 'operators' }],
    [5000, { Event: 'DialEnd', ...c, ...leg('PJSIP/101', 8), DialStatus: 'CANCEL' }],
    [5000, hangup(agentChannel('PJSIP/101', 8, c.Linkedid), '26', 'Answered elsewhere')],
    [5000, hangup(c)],
  ]);
  assert.equal(kinds(r.popsOf(OP1)), ['ringing', 'ended:hangup']);
  const row = r.call(c.Uniqueid)!;
  // A trunk caller's QueueCallerAbandon precedes its Hangup: still abandoned while ringing.
  assert.equal([row.agentInterface, row.operatorId, row.answeredAt, row.hungupAt, row.outcome], ['PJSIP/101', null, null, t(5000), 'abandoned_ringing']);
});

test('the same hang-up in Asterisk 22\'s order (DialEnd CANCEL, member leg gone with cause 0, then the abandon): "hangup", abandoned while ringing', async () => {
  // Asterisk cancels the ringing member leg (DialEnd CANCEL, Hangup with Cause 0) before it reports
  // QueueCallerAbandon: the cancel itself says the caller went away.
  const r = rig();
  const c = caller(9);
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 10), Queue: 'operators', Interface: 'PJSIP/101' }],
    [5000, { Event: 'DialEnd', ...c, ...leg('PJSIP/101', 10), DialStatus: 'CANCEL' }],
    [5000, { Event: 'DialEnd', ...c, ...leg('PJSIP/101', 10), DialStatus: 'CANCEL' }],
    [5000, hangup(agentChannel('PJSIP/101', 10, c.Linkedid), '0', 'Unknown')],
    [5000, { Event: 'QueueCallerAbandon', ...c, Queue: 'operators' }],
    [5000, { Event: 'QueueCallerLeave', ...c, Queue: 'operators' }],
    [5000, hangup(c)],
  ]);
  assert.equal(kinds(r.popsOf(OP1)), ['ringing', 'ended:hangup']);
  assert.is(r.call(c.Uniqueid)!.outcome, 'abandoned_ringing');
});

test('an operator who lets it ring: ended "no_answer", and the next one rung gets the call', async () => {
  const r = rig();
  const c = caller(1, { Uniqueid: '1796164887.11', Linkedid: '1796164887.11' });
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 12), Queue: 'operators', Interface: 'PJSIP/101' }],
    [6000, { Event: 'AgentRingNoAnswer', ...c, ...leg('PJSIP/101', 12), Queue: 'operators', Interface: 'PJSIP/101', RingTime: '6000' }],
    [6000, hangup(agentChannel('PJSIP/101', 12, c.Linkedid), '0', 'Unknown')],
    [8000, { Event: 'AgentCalled', ...c, ...leg('PJSIP/102', 13), Queue: 'operators', Interface: 'PJSIP/102' }],
    [9000, { Event: 'AgentConnect', ...c, ...leg('PJSIP/102', 13), Queue: 'operators', Interface: 'PJSIP/102' }],
    [20000, hangup(c)],
  ]);
  assert.equal(kinds(r.popsOf(OP1)), ['ringing', 'ended:no_answer']);
  assert.equal(kinds(r.popsOf(OP2)), ['ringing', 'answered', 'ended:hangup']);
  assert.is(r.call(c.Uniqueid)!.operatorId, OP2);
});

test('direct dialling: DialBegin rings the operator, the operator\'s leg entering the bridge answers', async () => {
  const r = rig();
  const c = caller(1, { Uniqueid: '1796164887.20', Linkedid: '1796164887.20' });
  const agent = agentChannel('PJSIP/102', 21, c.Linkedid);
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'DialBegin', ...c, ...leg('PJSIP/102', 21), DialString: 'PJSIP/102' }],
    [2500, { Event: 'DialEnd', ...c, ...leg('PJSIP/102', 21), DialStatus: 'ANSWER' }],
    [2500, { Event: 'BridgeEnter', ...c, BridgeUniqueid: 'b2' }],
    [2500, { Event: 'BridgeEnter', ...agent, BridgeUniqueid: 'b2' }],
    [8000, hangup(agent)],
    [8000, hangup(c)],
  ]);
  assert.equal(kinds(r.popsOf(OP2)), ['ringing', 'answered', 'ended:hangup']);
  assert.is(r.popsOf(OP2)[0].queue, null);
  const row = r.call(c.Uniqueid)!;
  assert.equal([row.queue, row.agentInterface, row.operatorId, row.answeredAt, row.hungupAt], [null, 'PJSIP/102', OP2, t(2500), t(8000)]);
});

test('direct dialling not answered: the dial status is the reason, and the caller\'s hang-up adds nothing', async () => {
  for (const [status, reason] of [['NOANSWER', 'no_answer'], ['BUSY', 'busy'], ['CANCEL', 'hangup'], ['CONGESTION', 'congestion']]) {
    const r = rig();
    const c = caller(1, { Uniqueid: '1796164887.30', Linkedid: '1796164887.30' });
    await r.feed([
      [0, { Event: 'Newchannel', ...c }],
      [0, { Event: 'DialBegin', ...c, ...leg('PJSIP/101', 31) }],
      [30000, { Event: 'DialEnd', ...c, ...leg('PJSIP/101', 31), DialStatus: status }],
      [30000, hangup(agentChannel('PJSIP/101', 31, c.Linkedid), '19', 'User alerting, no answer')],
      [31000, hangup(c)],
    ]);
    assert.equal(kinds(r.popsOf(OP1)), ['ringing', `ended:${reason}`], status);
    assert.is(r.call(c.Uniqueid)!.answeredAt, null);
  }
});

test('a Local channel: "<unknown>" at first, the number from NewCallerid, the card looked up again', async () => {
  const r = rig();
  const local = { Channel: 'Local/1580@misto-incoming-0000000a;2', Uniqueid: '1796164887.40', Linkedid: '1796164887.40', Context: 'misto-incoming', Exten: '1580' };
  await r.feed([
    [0, { Event: 'Newchannel', ...local, CallerIDNum: '<unknown>', CallerIDName: '<unknown>' }],
    [0, { Event: 'NewCallerid', ...local, CallerIDNum: '0501112233', CallerIDName: 'Resident' }],
    [0, { Event: 'QueueCallerJoin', ...local, CallerIDNum: '0501112233', Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...local, CallerIDNum: '0501112233', ...leg('PJSIP/101', 41), Queue: 'operators', Interface: 'PJSIP/101' }],
    [1000, { Event: 'AgentConnect', ...local, CallerIDNum: '0501112233', ...leg('PJSIP/101', 41), Queue: 'operators', Interface: 'PJSIP/101' }],
    [4000, hangup({ ...local, CallerIDNum: '0501112233' })],
  ]);
  assert.equal(r.lookups, [null, PHONE], 'the unknown caller first, then the number once it is known');
  const pops = r.popsOf(OP1);
  assert.equal(kinds(pops), ['ringing', 'answered', 'ended:hangup']);
  assert.ok(pops.every((p) => p.phone === PHONE && p.card.resident?.id === RESIDENT.id), 'every pop has the number and the resident');
  const row = r.call(local.Uniqueid)!;
  assert.equal([row.channel, row.callerPhone, row.residentId], [local.Channel, PHONE, RESIDENT.id]);
});

test('a channel from a context that is not inbound is tracked from its queue events, with the number it got meanwhile', async () => {
  const r = rig();
  const ch = { Channel: 'PJSIP/other-00000050', Uniqueid: '1796164887.50', Linkedid: '1796164887.50', Context: 'from-partner', Exten: 's' };
  await r.feed([
    [0, { Event: 'Newchannel', ...ch, CallerIDNum: '<unknown>' }],
    [0, { Event: 'NewCallerid', ...ch, CallerIDNum: '+380501112233' }],
    [1500, { Event: 'QueueCallerJoin', ...ch, CallerIDNum: '<unknown>', Queue: 'operators' }],
    [1500, { Event: 'AgentCalled', ...ch, CallerIDNum: '<unknown>', ...leg('PJSIP/101', 51), Queue: 'operators', Interface: 'PJSIP/101' }],
  ]);
  assert.is(r.calls.size, 1);
  const row = r.call(ch.Uniqueid)!;
  assert.equal([row.callerPhone, row.calledNumber, row.enteredAt], [PHONE, null, t(0)], 'entered when its channel was made; "s" is no number');
  assert.equal(kinds(r.popsOf(OP1)), ['ringing']);
  assert.is(r.popsOf(OP1)[0].phone, PHONE);
});

test('an anonymous caller gets the unknown-caller card; an operator nobody configured is rung without a pop', async () => {
  const r = rig();
  const c = caller(1, { Uniqueid: '1796164887.60', Linkedid: '1796164887.60', CallerIDNum: 'anonymous' });
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/109', 61), Queue: 'operators', Interface: 'PJSIP/109' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 62), Queue: 'operators', Interface: 'PJSIP/101' }],
  ]);
  assert.equal(r.lookups, [null]);
  assert.equal(r.pops.map((p) => [p.userId, p.pop.type, p.pop.phone, p.pop.card.resident]), [[OP1, 'ringing', null, null]]);
  assert.is(r.call(c.Uniqueid)!.callerPhone, null);
});

test('recordings: the file MixMonitor names, relative to the recordings folder, measured after the hang-up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'misto-rec-unit-'));
  const r = rig({ recordingsDir: dir });
  const c = caller(1, { Uniqueid: '1796164887.70', Linkedid: '1796164887.70' });
  writeFileSync(join(dir, '1796164887.70.wav'), Buffer.alloc(12_044));
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'VarSet', ...c, Variable: 'MIXMONITOR_FILENAME', Value: join(dir, '1796164887.70.wav') }],
    [0, { Event: 'MixMonitorStart', ...c }],
    [0, { Event: 'VarSet', ...c, Variable: 'MIXMONITOR_FILENAME', Value: join(dir, '1796164887.70.wav') }],
    [0, { Event: 'VarSet', ...c, Variable: 'QUEUENAME', Value: 'operators' }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 71), Queue: 'operators', Interface: 'PJSIP/101' }],
    // The operator's leg records too (another MixMonitor); a file elsewhere keeps its name only.
    [1000, { Event: 'VarSet', ...agentChannel('PJSIP/101', 71, c.Linkedid), Variable: 'MIXMONITOR_FILENAME', Value: '/mnt/other/op-101.wav' }],
    [1000, { Event: 'AgentConnect', ...c, ...leg('PJSIP/101', 71), Queue: 'operators', Interface: 'PJSIP/101' }],
    [6000, hangup(c)],
  ]);
  const id = r.call(c.Uniqueid)!.id;
  assert.equal(r.recordings.map((x) => [x.callId, x.path, x.startedAt]), [[id, '1796164887.70.wav', t(0)], [id, 'op-101.wav', t(1000)]]);
  // The PBX closes the file right after the hang-up; the tracker measures it a moment later.
  const until = performance.now() + 3000;
  while (r.recordings.some((x) => !x.endedAt) && performance.now() < until) await new Promise((res) => setTimeout(res, 20));
  assert.equal(r.recordings.map((x) => [x.bytes, x.endedAt]), [[12_044, t(6000)], [null, t(6000)]], 'a file this machine cannot see has no size');
});

test('a recording named before the call is tracked is kept with its channel and attached to the call', async () => {
  const r = rig();
  const ch = { Channel: 'PJSIP/other-00000080', Uniqueid: '1796164887.80', Linkedid: '1796164887.80', Context: 'from-partner', CallerIDNum: '0501112233' };
  await r.feed([
    [0, { Event: 'Newchannel', ...ch }],
    [0, { Event: 'VarSet', ...ch, Variable: 'MIXMONITOR_FILENAME', Value: '2026/11/20/1796164887.80.wav' }],
    [500, { Event: 'QueueCallerJoin', ...ch, Queue: 'operators' }],
  ]);
  assert.equal(r.recordings.map((x) => [x.callId, x.path]), [[r.call(ch.Uniqueid)!.id, '2026/11/20/1796164887.80.wav']]);
});

test('recording by the product (AMI_RECORD=ami): MixMonitor on the caller\'s channel at the answer', async () => {
  const sent: Record<string, string | undefined>[] = [];
  const ok = rig({ record: 'ami', action: async (m) => { sent.push(m); return { Response: 'Success' }; } });
  const c = caller(1, { Uniqueid: '1796164887.90', Linkedid: '1796164887.90' });
  const rows: EventRow[] = [
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 91), Queue: 'operators', Interface: 'PJSIP/101' }],
    [800, { Event: 'AgentConnect', ...c, ...leg('PJSIP/101', 91), Queue: 'operators', Interface: 'PJSIP/101' }],
  ];
  await ok.feed(rows);
  assert.equal(sent, [{ Action: 'MixMonitor', Channel: 'PJSIP/trunk-00000001', File: '1796164887.90.wav', Options: 'b' }]);
  assert.equal(ok.recordings.map((x) => [x.path, x.startedAt]), [['1796164887.90.wav', t(800)]]);

  const refused = rig({ record: 'ami', action: async () => ({ Response: 'Error', Message: 'No such channel' }) });
  await refused.feed(rows);
  assert.equal(refused.recordings, []);
  assert.equal(refused.logs, ['MixMonitor on PJSIP/trunk-00000001: No such channel']);
});

test('a desk opened mid-call is shown what it would have been popped', async () => {
  const r = rig();
  const c = caller(1, { Uniqueid: '1796164887.100', Linkedid: '1796164887.100' });
  await r.feed([
    [0, { Event: 'Newchannel', ...c }],
    [0, { Event: 'QueueCallerJoin', ...c, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/101', 101), Queue: 'operators', Interface: 'PJSIP/101' }],
    [0, { Event: 'AgentCalled', ...c, ...leg('PJSIP/102', 102), Queue: 'operators', Interface: 'PJSIP/102' }],
  ]);
  r.clock.set(t(1500));
  assert.equal((await r.tracker.current(OP1)).map((p) => [p.type, p.uniqueid, p.at]), [['ringing', c.Uniqueid, t(1500).toISOString()]]);
  await r.feed([[2000, { Event: 'AgentConnect', ...c, ...leg('PJSIP/102', 102), Queue: 'operators', Interface: 'PJSIP/102' }]]);
  assert.equal(await r.tracker.current(OP1), [], 'answered elsewhere');
  assert.equal((await r.tracker.current(OP2)).map((p) => [p.type, p.answeredAt]), [['answered', t(2000).toISOString()]]);
  await r.feed([[3000, hangup(c)]]);
  assert.equal(await r.tracker.current(OP2), []);
});

test('after a reconnect: a call the PBX no longer has ended while the link was down; one it has is adopted', async () => {
  const r = rig();
  const gone = caller(1, { Uniqueid: '1796164887.110', Linkedid: '1796164887.110' });
  await r.feed([
    [0, { Event: 'Newchannel', ...gone }],
    [0, { Event: 'QueueCallerJoin', ...gone, Queue: 'operators' }],
    [0, { Event: 'AgentCalled', ...gone, ...leg('PJSIP/101', 111), Queue: 'operators', Interface: 'PJSIP/101' }],
    [1000, { Event: 'AgentConnect', ...gone, ...leg('PJSIP/101', 111), Queue: 'operators', Interface: 'PJSIP/101' }],
  ]);
  // The link was lost 5 s after the answer; back after a minute: the PBX lists a call answered by 102 that began during the gap.
  r.clock.set(t(61_000));
  const live = { Channel: 'PJSIP/trunk-00000112', Uniqueid: '1796164887.112', Linkedid: '1796164887.112', Context: 'misto-incoming', CallerIDNum: '0671234567' };
  const result = await r.tracker.reconcile([
    { Event: 'CoreShowChannel', ...live, Application: 'Queue', ApplicationData: 'operators,tT,,,300', BridgeId: 'b9', Duration: '00:00:20' },
    { Event: 'CoreShowChannel', Channel: 'PJSIP/102-00000113', Uniqueid: '1796164887.113', Linkedid: live.Uniqueid, Application: 'AppQueue', BridgeId: 'b9', Duration: '00:00:12' },
  ], { before: r.tracker.trackedCalls(), lostAt: t(6000), orphansAt: t(6000) });
  await r.settle();
  assert.equal([result.adopted, result.live, result.ended, result.closedOrphans], [1, 2, 1, 0]);
  const ended = r.call(gone.Uniqueid)!;
  // Ended when the link was lost, not when it came back: talk time holds no outage.
  assert.equal([ended.hungupAt, ended.hangupCauseText, ended.outcome], [t(6000), LOST_TEXT, 'answered']);
  assert.equal(kinds(r.popsOf(OP1)), ['ringing', 'answered', 'ended:lost']);
  const adopted = r.call(live.Uniqueid)!;
  assert.equal([adopted.enteredAt, adopted.queue, adopted.callerPhone, adopted.operatorId, adopted.answeredAt], [t(41_000), 'operators', '+380671234567', OP2, t(49_000)]);
  // The answer happened in the gap: no earlier than the operator's leg existed (49 s) nor the loss (6 s).
  assert.equal(kinds(r.popsOf(OP2)), ['answered']);
});

test.run();
