// The PBX simulator against a real Asterisk 22.10.1: every captured scenario of tests/fixtures/ami/
// is replayed — the lab's connections, actions and steps at the capture's times, scaled by S, with
// the lab's queue, dialplan and operator behaviour — and what the simulator sends is compared with
// what Asterisk sent, burst by burst (captures.ts explains the tokens and roles). Then the actions,
// the classes, the lifecycle and the queue's rules, each over real TCP with a raw AMI client.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { header, type Headers } from '../../server/telephony/ami-wire.ts';
import { AmiSimulator, type OriginateOutcome, type SimulatorOptions } from '../../server/telephony/simulator/ami-simulator.ts';
import { compareTokens, RawAmi, readCapture, received, replay, Roles, tokens, type Lab, type Received } from './captures.ts';

/** Capture time × S = test time. The simulator's timings (queue, dialplan, lab operator) are scaled alike. */
const S = Number(process.env.SIM_CAPTURE_SCALE || 0.3);
const LAB_EMPTY = 'paused,unavailable,invalid';
const ev = (b: Headers) => header(b, 'Event');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => T, ms = 3000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------------- the lab

/** [resident] of the lab dialplan, by number (survey calls). */
const RESIDENTS: Record<string, OriginateOutcome> = {
  '0501000001': { result: 'answer', delayMs: 0, digits: ['1', { digit: '4', afterMs: 2450 * S }] },
  '0501000002': { result: 'answer', delayMs: 0, digits: ['2'] },
  '0501000003': { result: 'answer', delayMs: 0, digits: [''] },
  '0501000004': { result: 'busy' },
  '0501000005': { result: 'congestion' },
  '0501000006': { result: 'no-answer' },
  '0501000007': { result: 'hangup', cause: 1, delayMs: 0 },
  '0501000008': { result: 'answer', delayMs: 0, hangupAfterMs: 2500 * S, cause: 17 },
  '0501000009': { result: 'hangup', cause: 17, delayMs: 1000 * S, ringing: true },
  '0501000010': { result: 'hangup', cause: 21, delayMs: 1000 * S, ringing: true },
  '0501000011': { result: 'hangup', cause: 34, delayMs: 0 },
};

interface LabSetup {
  /** [operators]: answers OP_DELAY s after the ring (null: never), hangs up after tt-monkeys (16.7 s) + OP_TALK s. */
  opDelay?: number | null;
  opTalk?: number;
  /** The first rings are not answered (OP_SKIP_RINGS). */
  skipRings?: number;
  /** Interfaces that never answer in this scenario. */
  never?: string[];
  /** Queue()'s timeout argument (QTIMEOUT). */
  queueTimeout?: number;
  /** Local/100@operators/n added before the capture's connection (with the CLI). */
  member?: boolean;
}

function labSimulator(setup: LabSetup, extra: Partial<SimulatorOptions> = {}) {
  const ms = (s: number) => s * 1000 * S;
  return new AmiSimulator({
    users: { misto: 'misto', mistomin: { secret: 'misto', read: 'call,agent,dialplan,user', write: 'reporting,call,originate' } },
    recordingsDir: null,
    queues: {
      operators: {
        strategy: 'rrmemory', timeout: 6 * S, retry: 2 * S, wrapuptime: 3 * S, maxlen: 2, joinempty: LAB_EMPTY, leavewhenempty: LAB_EMPTY,
        persistentMembers: false, queueTimeout: setup.queueTimeout ? setup.queueTimeout * S : 300, members: [],
      },
    },
    operator: (iface, ring) => {
      if (setup.opDelay === null || setup.opDelay === undefined || setup.never?.includes(iface) || ring.attempt <= (setup.skipRings ?? 0)) return { answerAfterMs: null };
      return { answerAfterMs: ms(setup.opDelay), hangupAfterMs: ms(16.7 + (setup.opTalk ?? 30)) };
    },
    originate: (r) => RESIDENTS[/^Local\/(\d+)@/.exec(r.channel)?.[1] ?? ''] ?? { result: 'no-answer' },
    timing: {
      answerToQueueMs: ms(0.5), noOperatorsPromptMs: ms(4.3), queueAnnounceMs: ms(7), queueRecheckMs: ms(1), shutdownEventMs: ms(1.1),
      restartDownMs: 60_000, surveyWaitMs: ms(1), readTimeoutMs: ms(10.45), keyDelayMs: ms(2.2), thanksPromptMs: ms(2.06),
    },
    ...extra,
  });
}

interface Scenario { capture: string; lab: LabSetup; what: string }

const SCENARIOS: Scenario[] = [
  { capture: 'queue-answered-local-member', lab: { opDelay: 3 }, what: 'a queued call answered by a Local member, the caller hangs up' },
  { capture: 'minimal-classes-queue-answered', lab: { opDelay: 3, member: true }, what: 'the same call seen with the product\'s minimal classes; QueueAdd/QueuePause/Command refused' },
  { capture: 'queue-answered-operator-hangs-up', lab: { opDelay: 2, opTalk: 1 }, what: 'the operator hangs up first: AgentComplete last, without channel fields' },
  { capture: 'ami-hangup-action', lab: { opDelay: 2, opTalk: 60 }, what: 'AMI Hangup of the ;2 half' },
  { capture: 'queue-abandoned-waiting', lab: { opDelay: 2 }, what: 'a second caller hangs up while waiting' },
  { capture: 'queue-abandoned-ringing', lab: { opDelay: null }, what: 'the caller hangs up while the member rings: two CANCELs, cause 0' },
  { capture: 'queue-ring-noanswer-then-answer', lab: { opDelay: 2, skipRings: 1 }, what: 'AgentRingNoAnswer, retry on a new leg, answered' },
  { capture: 'queue-joinempty', lab: {}, what: 'no member: JOINEMPTY, no queue event' },
  { capture: 'queue-joinempty-paused', lab: {}, what: 'the only member paused: JOINEMPTY' },
  { capture: 'queue-leaveempty', lab: { opDelay: 2 }, what: 'the member paused while a caller waits: LEAVEEMPTY at the next check' },
  { capture: 'queue-leaveempty-removed', lab: { opDelay: 2 }, what: 'the member removed while a caller waits: LEAVEEMPTY' },
  { capture: 'queue-timeout', lab: { opDelay: null, queueTimeout: 8 }, what: 'Queue()\'s own timeout: TIMEOUT after a ring and the retry pause' },
  { capture: 'queue-full', lab: { opDelay: null }, what: 'maxlen reached: FULL for the third caller' },
  { capture: 'queuestatus-action', lab: { opDelay: 2, never: ['Local/101@operators/n'] }, what: 'QueueStatus and QueueSummary with a paused member and a waiting caller' },
  { capture: 'direct-dial-operator', lab: { opDelay: 3 }, what: 'MISTO_RING: Dial of the operator, no queue' },
  { capture: 'direct-dial-operator-noanswer', lab: { opDelay: null }, what: 'MISTO_RING, never answered: Reason 3, cause 19 everywhere' },
  { capture: 'reconnect-call-in-progress', lab: { opDelay: 2, opTalk: 60 }, what: 'a reconnect during an answered call: CoreShowChannels, then the live end' },
  { capture: 'reconnect-call-started-while-down', lab: { opDelay: 2, opTalk: 60 }, what: 'a call that began while disconnected: only in CoreShowChannels' },
  { capture: 'kill9', lab: { opDelay: 2, opTalk: 60 }, what: 'kill -9 during a call: a FIN and nothing else' },
  ...['survey-confirm-rate', 'survey-not-confirmed', 'survey-silent', 'survey-hangup-17-after-answer', 'survey-busy', 'survey-congestion',
    'survey-no-answer', 'survey-unallocated', 'survey-hangup-17-before-answer', 'survey-rejected-21', 'survey-congestion-34',
    'survey-two-concurrent'].map((capture) => ({ capture, lab: {}, what: 'a survey call: Reason, causes, DialStatus, SurveyResult' })),
];

/** Compares one run with one capture, connection by connection. */
function differences(captureName: string, got: Received[], unscale: Map<string, string>, conns?: Map<number, number>): string | null {
  const cap = readCapture(captureName);
  const want = tokens(received(cap));
  const have = tokens(got, new Roles(got), unscale);
  for (const conn of new Set(want.map((t) => t.conn))) {
    const simConn = conns?.get(conn) ?? conn;
    const r = compareTokens(want.filter((t) => t.conn === conn), have.filter((t) => t.conn === simConn));
    if (r) return `${captureName}, connection ${conn}: ${r}`;
  }
  return null;
}

async function runScenario(sc: Scenario): Promise<string | null> {
  const sim = labSimulator(sc.lab);
  await sim.start(0);
  try {
    if (sc.lab.member) sim.addMember({ interface: 'Local/100@operators/n', name: 'Operator 100' });
    const lab: Lab = { scale: S, steps: { 'lab: kill -9': () => sim.kill() } };
    if (sc.capture === 'reconnect-call-started-while-down') {
      // The lab originated this call on a connection the capture did not record.
      lab.at = [{ t: 5, run: async () => {
        const hidden = await RawAmi.connect(sim.port);
        await hidden.login();
        hidden.action({ Action: 'Originate', ActionID: 'lab-call-1', Channel: 'Local/1580@misto-incoming', Context: 'caller', Exten: 's', Priority: '1',
          CallerID: '"Resident" <0501234567>', Timeout: String(30000 * S), Async: 'true', Variable: `CALLER_HANGUP=${(22 * S).toFixed(3)}` });
      } }];
    }
    const { items, unscale } = await replay(() => sim.port, readCapture(sc.capture), lab);
    unscale.set((22 * S).toFixed(3), '22');
    return differences(sc.capture, items, unscale);
  } finally { await sim.kill(); }
}

/** Runs the jobs `width` at a time (they wait on timers, not the CPU, so scenarios overlap well). */
function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T>[] {
  const slots = jobs.map(() => {
    let resolve!: (v: T) => void, reject!: (e: unknown) => void;
    const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
    return { promise, resolve, reject };
  });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      try { slots[i].resolve(await jobs[i]()); } catch (e) { slots[i].reject(e); }
    }
  };
  for (let k = 0; k < width; k++) void worker();
  return slots.map((x) => x.promise);
}

/** The port refuses connections (Asterisk is down). */
async function refused(port: number) {
  try { (await RawAmi.connect(port)).socket.destroy(); } catch { return; }
  assert.unreachable(`port ${port} accepted a connection`);
}

const results = new Map<string, Promise<string | null>>();
test.before(() => {
  const runs = pool(SCENARIOS.map((sc) => () => runScenario(sc)), 6);
  SCENARIOS.forEach((sc, i) => { results.set(sc.capture, runs[i]); runs[i].catch(() => {}); });
});

for (const sc of SCENARIOS) {
  test(`capture ${sc.capture}: ${sc.what}`, async () => {
    const diff = await results.get(sc.capture)!;
    if (diff) assert.unreachable(diff);
  });
}

test('capture shutdown-with-live-call (+ -minimal): core stop now — Hangups, Shutdown only to the system class, FIN', async () => {
  const sim = labSimulator({ opDelay: 2, opTalk: 60 });
  await sim.start(0);
  let minimal: RawAmi | null = null;
  try {
    const { items, unscale } = await replay(() => sim.port, readCapture('shutdown-with-live-call'), {
      scale: S,
      steps: { 'lab: asterisk -rx "core stop now"': () => sim.restart({ downMs: 60_000 }) },
      // The second capture is the same shutdown seen by a session of the minimal user, logged in 2.5 s earlier.
      at: [{ t: 2524, run: async () => { minimal = await RawAmi.connect(sim.port); minimal.action({ Action: 'Login', ActionID: 'login-1', Username: 'mistomin', Secret: 'misto' }); } }],
    });
    const main = differences('shutdown-with-live-call', items, unscale);
    if (main) assert.unreachable(main);
    const m = minimal as RawAmi | null;
    assert.ok(m, 'the minimal session connected');
    await m!.closed;
    const mine: Received[] = m!.blocks.map((b) => ({ conn: 1, t: 0, block: b.block }));
    if (m!.endedAt !== null) mine.push({ conn: 1, t: 0, block: 'closed' });
    const second = differences('shutdown-with-live-call-minimal', mine, unscale);
    if (second) assert.unreachable(second);
  } finally { await sim.kill(); }
});

test('capture boot-fullybooted: Originate refused until FullyBooted, which reaches sessions logged in during boot', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const sim = labSimulator({}, { timing: { bootMs: 150, answerToQueueMs: 500 * S, noOperatorsPromptMs: 4300 * S } });
  try {
    const { items, unscale } = await replay(() => port, readCapture('boot-fullybooted'), { scale: S, at: [{ t: 0, run: () => { void sim.start(port); } }] });
    const diff = differences('boot-fullybooted', items, unscale);
    if (diff) assert.unreachable(diff);
  } finally { await sim.kill(); }
});

// ---------------------------------------------------------------------------------- relations

/** A simulator with the lab's queue, logged-in raw session and one Local member. */
async function labSession(setup: LabSetup = { opDelay: 0.5 }) {
  const sim = labSimulator(setup);
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  await s.login();
  return { sim, s, async close() { s.socket.destroy(); await sim.kill(); } };
}

const originateLab = (s: RawAmi, id: string, hangupS: number, extra: Record<string, string> = {}) => s.action({
  Action: 'Originate', ActionID: id, Channel: 'Local/1580@misto-incoming', Context: 'caller', Exten: 's', Priority: '1',
  CallerID: '"Resident" <0501234567>', Timeout: '30000', Async: 'true', Variable: `CALLER_HANGUP=${hangupS}`, ...extra,
});

test('relations: the queue\'s caller is the ;2 half, every leg carries the ;1 Linkedid, RingTime of AgentRingNoAnswer is in ms', async () => {
  const { sim, s, close } = await labSession({ opDelay: 0.2, skipRings: 1 });
  try {
    sim.addMember({ interface: 'Local/100@operators/n', name: 'Operator 100' });
    originateLab(s, 'o1', 6);
    const connect = await s.waitFor((b) => ev(b) === 'AgentConnect', 8000);
    const chans = s.blocks.filter((x) => ev(x.block) === 'Newchannel').map((x) => x.block);
    const one = chans[0], two = chans[1];
    assert.match(header(one, 'Channel')!, /^Local\/1580@misto-incoming-[0-9a-f]{8};1$/);
    assert.is(header(two, 'Channel'), header(one, 'Channel')!.replace(';1', ';2'));
    assert.is(header(one, 'Uniqueid'), header(one, 'Linkedid'));
    assert.is(header(two, 'Linkedid'), header(one, 'Uniqueid'));
    const [epoch, seq] = header(one, 'Uniqueid')!.split('.');
    assert.is(header(two, 'Uniqueid'), `${epoch}.${Number(seq) + 1}`, 'consecutive uniqueids');
    for (const c of [one, two]) { assert.is(header(c, 'Context'), 'misto-incoming'); assert.is(header(c, 'CallerIDNum'), '<unknown>'); }
    const join = s.blocks.find((x) => ev(x.block) === 'QueueCallerJoin')!.block;
    assert.is(header(join, 'Uniqueid'), header(two, 'Uniqueid'));
    assert.is(header(join, 'Linkedid'), header(one, 'Uniqueid'));
    const legs = chans.slice(2);
    assert.is(legs.length, 4, 'two rings, a new Local pair each');
    for (const l of legs) {
      assert.match(header(l, 'Channel')!, /^Local\/100@operators-[0-9a-f]{8};[12]$/);
      assert.is(header(l, 'Linkedid'), header(one, 'Uniqueid'));
      assert.is(header(l, 'Context'), 'operators');
    }
    const rna = s.blocks.find((x) => ev(x.block) === 'AgentRingNoAnswer')!.block;
    assert.is(header(rna, 'RingTime'), String(Math.round(6 * S * 1000)), 'the ring timeout in ms');
    assert.is(header(connect, 'Interface'), 'Local/100@operators/n');
    assert.is(header(connect, 'DestChannel'), header(legs[2], 'Channel'));
    const mix = s.blocks.find((x) => header(x.block, 'Variable') === 'MIXMONITOR_FILENAME')!.block;
    assert.is(header(mix, 'Value'), `/var/spool/asterisk/monitor/${header(two, 'Uniqueid')}.wav`, 'an absolute path, named by the ;2 uniqueid');
    assert.not.ok(s.blocks.some((x) => ev(x.block) === 'MixMonitorStop'));
    const member = s.blocks.filter((x) => ev(x.block) === 'QueueMemberStatus').map((x) => header(x.block, 'Status'));
    assert.equal(member, ['2', '1', '2'], 'a Local member is in use (2) while it rings');
    await s.waitFor((b) => ev(b) === 'Hangup' && header(b, 'Uniqueid') === header(two, 'Uniqueid'), 8000);
  } finally { await close(); }
});

test('relations: MistoQueueResult is the shipped dialplan\'s UserEvent: one Uniqueid, one Linkedid (the channel\'s own)', async () => {
  const { s, close } = await labSession();
  try {
    originateLab(s, 'o1', 30);
    const ue = await s.waitFor((b) => ev(b) === 'UserEvent', 3000);
    assert.is(header(ue, 'UserEvent'), 'MistoQueueResult');
    assert.is(header(ue, 'QueueStatus'), 'JOINEMPTY');
    assert.is(header(ue, 'Queue'), 'operators');
    assert.is(ue.filter(([k]) => k === 'Uniqueid').length, 1);
    assert.is(ue.filter(([k]) => k === 'Linkedid').length, 1);
    const qs = s.blocks.find((x) => header(x.block, 'Variable') === 'QUEUESTATUS')!.block;
    assert.is(header(qs, 'Value'), 'JOINEMPTY');
    assert.not.ok(s.blocks.some((x) => /^Queue/.test(ev(x.block) ?? '')), 'no queue event at all');
  } finally { await close(); }
});

// ---------------------------------------------------------------------------------- actions

test('actions: QueueStatus — params, one QueueMember per member, one QueueEntry per waiting caller, Complete with ListItems; ActionID, no Privilege', async () => {
  const sim = new AmiSimulator({ users: { misto: 'pbx-secret' }, queueMembers: ['PJSIP/101'] });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login('misto', 'pbx-secret');
    s.action({ Action: 'QueueAdd', ActionID: 'a1', Queue: 'operators', Interface: 'Local/100@operators/n', MemberName: 'Operator 100', Paused: 'true', Reason: 'lunch' });
    await s.waitFor((b) => ev(b) === 'QueueMemberAdded');
    const call = sim.incomingCall({ phone: '0501234567', local: true });
    call.join('operators');
    s.action({ Action: 'QueueStatus', ActionID: 'qs' });
    await s.waitFor((b) => ev(b) === 'QueueStatusComplete');
    const list = s.answers('qs');
    assert.equal(list[0].map(([k]) => k), ['Response', 'ActionID', 'EventList', 'Message']);
    assert.is(header(list[0], 'Message'), 'Queue status will follow');
    assert.is(header(list[0], 'EventList'), 'start');
    assert.equal(list.slice(1).map(ev), ['QueueParams', 'QueueMember', 'QueueMember', 'QueueEntry', 'QueueStatusComplete']);
    for (const item of list.slice(1)) assert.is(header(item, 'Privilege'), undefined, `${ev(item)} has no Privilege`);
    assert.equal(list[1].map(([k]) => k), ['Event', 'Queue', 'Max', 'Strategy', 'Calls', 'Holdtime', 'TalkTime', 'Completed', 'Abandoned',
      'ServiceLevel', 'ServicelevelPerf', 'ServicelevelPerf2', 'Weight', 'ActionID']);
    assert.equal(list[2].map(([k]) => k), ['Event', 'Queue', 'Name', 'Location', 'StateInterface', 'Membership', 'Penalty', 'CallsTaken',
      'LastCall', 'LastPause', 'LoginTime', 'InCall', 'Status', 'Paused', 'PausedReason', 'Wrapuptime', 'ActionID']);
    const local = list.find((b) => header(b, 'Location') === 'Local/100@operators/n')!;
    assert.equal([header(local, 'Name'), header(local, 'Membership'), header(local, 'Paused'), header(local, 'PausedReason'), header(local, 'Status')],
      ['Operator 100', 'dynamic', '1', 'lunch', '1']);
    assert.is(header(list.find((b) => header(b, 'Location') === 'PJSIP/101')!, 'Membership'), 'static');
    assert.equal(list[4].map(([k]) => k), ['Event', 'Queue', 'Position', 'Channel', 'Uniqueid', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum',
      'ConnectedLineName', 'Wait', 'Priority', 'ActionID']);
    assert.is(header(list[4], 'Channel'), call.caller.name);
    assert.match(call.caller.name, /;2$/);
    assert.equal(list[5].map(([k]) => k), ['Event', 'ActionID', 'EventList', 'ListItems']);
    assert.is(header(list[5], 'ListItems'), '4');
    s.action({ Action: 'QueueSummary', ActionID: 'sum', Queue: 'operators' });
    await s.waitFor((b) => ev(b) === 'QueueSummaryComplete');
    const sum = s.answers('sum');
    assert.is(header(sum[0], 'Message'), 'Queue summary will follow');
    assert.equal([header(sum[1], 'LoggedIn'), header(sum[1], 'Available'), header(sum[1], 'Callers')], ['2', '1', '1']);
    assert.is(header(sum[2], 'ListItems'), '1');
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('actions: CoreShowChannels lists both halves of every Local channel, with Linkedid, Duration HH:MM:SS and the bridge', async () => {
  const sim = new AmiSimulator({ queueMembers: ['Local/100@operators/n'] });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const call = sim.incomingCall({ phone: '0501234567', local: true });
    call.join();
    call.ring('Local/100@operators/n');
    call.answer();
    s.action({ Action: 'CoreShowChannels', ActionID: 'c1' });
    await s.waitFor((b) => ev(b) === 'CoreShowChannelsComplete');
    const list = s.answers('c1');
    assert.equal(list[0].map(([k]) => k), ['Response', 'ActionID', 'EventList', 'Message']);
    const items = list.filter((b) => ev(b) === 'CoreShowChannel');
    assert.is(items.length, 4);
    assert.is(header(list[list.length - 1], 'ListItems'), '4');
    for (const it of items) {
      assert.is(it[1][0], 'ActionID', 'the ActionID right after Event');
      assert.is(header(it, 'Privilege'), undefined);
      assert.is(header(it, 'Linkedid'), call.uniqueid);
      assert.match(header(it, 'Duration')!, /^\d\d:\d\d:\d\d$/);
    }
    const by = (re: RegExp) => items.find((b) => re.test(header(b, 'Channel')!))!;
    const two = by(/misto-incoming-.*;2$/), one = by(/misto-incoming-.*;1$/), m1 = by(/operators-.*;1$/), m2 = by(/operators-.*;2$/);
    assert.equal([header(two, 'Application'), header(two, 'ApplicationData')], ['Queue', 'operators,tT,,,300']);
    assert.equal([header(m1, 'Application'), header(m1, 'ApplicationData'), header(m1, 'Exten')], ['AppQueue', '(Outgoing Line)', '1580']);
    assert.ok(header(two, 'BridgeId') && header(two, 'BridgeId') === header(m1, 'BridgeId'), 'the talking pair shares the bridge');
    assert.is(header(one, 'BridgeId'), '');
    assert.is(header(m2, 'BridgeId'), '');
    call.hangup();
    s.action({ Action: 'CoreShowChannels', ActionID: 'c2' });
    await s.waitFor((b) => ev(b) === 'CoreShowChannelsComplete' && header(b, 'ActionID') === 'c2');
    assert.is(header(s.answers('c2').pop()!, 'ListItems'), '0');
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('actions: Ping, Getvar, Hangup of an unknown channel, Originate into an unknown context, an unknown action', async () => {
  const sim = new AmiSimulator();
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    s.action({ Action: 'Ping', ActionID: 'p' });
    const pong = await s.waitFor((b) => header(b, 'ActionID') === 'p');
    assert.equal(pong.map(([k]) => k), ['Response', 'ActionID', 'Ping', 'Timestamp']);
    assert.match(header(pong, 'Timestamp')!, /^\d+\.\d{6}$/);
    const call = sim.incomingCall({ phone: '0501234567', local: true });
    s.action({ Action: 'Getvar', ActionID: 'g', Channel: call.caller.name, Variable: 'MIXMONITOR_FILENAME' });
    assert.match(header(await s.waitFor((b) => header(b, 'ActionID') === 'g'), 'Value')!, /^\/var\/spool\/asterisk\/monitor\/\d+\.\d+\.wav$/);
    s.action({ Action: 'Hangup', ActionID: 'h', Channel: 'PJSIP/nobody-00000000' });
    assert.is(header(await s.waitFor((b) => header(b, 'ActionID') === 'h'), 'Message'), 'No such channel');
    s.action({ Action: 'Originate', ActionID: 'o', Channel: 'Local/1@nowhere', Context: 'nowhere', Exten: 's', Async: 'true' });
    assert.is(header(await s.waitFor((b) => header(b, 'ActionID') === 'o'), 'Message'), 'Extension does not exist.');
    s.action({ Action: 'NoSuchThing', ActionID: 'x' });
    assert.match(header(await s.waitFor((b) => header(b, 'ActionID') === 'x'), 'Message')!, /^Invalid\/unknown command: NoSuchThing/);
    s.action({ Action: 'Hangup', ActionID: 'h2', Channel: call.first.name, Cause: '16' });
    assert.is(header(await s.waitFor((b) => header(b, 'ActionID') === 'h2'), 'Message'), 'Channel Hungup');
    await s.waitFor((b) => ev(b) === 'Hangup' && header(b, 'Channel') === call.caller.name);
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('actions: the MixMonitor action records to the monitor folder; the file is a WAV of the bridged time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'misto-sim-rec-'));
  const sim = new AmiSimulator({ recordingsDir: dir, dialplanRecording: false, queueMembers: ['PJSIP/101'] });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const call = sim.incomingCall({ phone: '0501234567' });
    call.join(); call.ring('PJSIP/101'); call.answer();
    s.action({ Action: 'MixMonitor', ActionID: 'm', Channel: call.caller.name, File: 'talk.wav', Options: 'b' });
    await s.waitFor((b) => header(b, 'ActionID') === 'm');
    const v = await s.waitFor((b) => header(b, 'Variable') === 'MIXMONITOR_FILENAME');
    assert.is(header(v, 'Value'), join(dir, 'talk.wav'));
    const open = readFileSync(join(dir, 'talk.wav'));
    assert.is(open.readUInt32LE(40), 0, 'sizes are written when the file is closed');
    await sleep(300);
    call.hangup();
    const size = statSync(join(dir, 'talk.wav')).size;
    assert.ok(size > 44 + 16000 * 0.25, `about 0.3 s of 8 kHz 16-bit audio (${size} bytes)`);
    assert.is(readFileSync(join(dir, 'talk.wav')).readUInt32LE(40), size - 44);
    const unbridged = sim.incomingCall({ phone: '0501234567', dialplan: false });
    unbridged.hangup();
    assert.ok(!existsSync(join(dir, `${unbridged.caller.uniqueid}.wav`)), 'dialplanRecording: false records nothing by itself');
  } finally { s.socket.destroy(); await sim.kill(); }
});

// ---------------------------------------------------------------------------------- classes

test('classes: events reach only sessions whose read classes include theirs; write classes gate actions', async () => {
  const sim = new AmiSimulator({
    users: { misto: 'pbx-secret', mistomin: { secret: 'm', read: 'call,agent,dialplan,user', write: 'reporting,call,originate' } },
    queueMembers: ['PJSIP/101'],
    originate: () => ({ result: 'answer', delayMs: 0, digits: ['2'] }),
    timing: { surveyWaitMs: 10, keyDelayMs: 150, thanksPromptMs: 10 },
  });
  await sim.start(0);
  const full = await RawAmi.connect(sim.port);
  const min = await RawAmi.connect(sim.port);
  try {
    await full.login('misto', 'pbx-secret');
    const r = await min.login('mistomin', 'm');
    assert.is(header(r, 'Message'), 'Authentication accepted');
    await full.waitFor((b) => ev(b) === 'SuccessfulAuth' && header(b, 'AccountID') === 'mistomin');
    full.action({ Action: 'Originate', ActionID: 'sv', Channel: 'Local/0501000002@resident', Context: 'misto-survey', Exten: 's', Priority: '1',
      CallerID: '"Misto 15-80" <1580>', Async: 'true', Timeout: '20000', Variable: 'SURVEY_ID=7' });
    await full.waitFor((b) => ev(b) === 'UserEvent');
    await min.waitFor((b) => ev(b) === 'UserEvent');
    await sleep(50);
    const kinds = (s: RawAmi) => new Set(s.blocks.map((x) => ev(x.block)).filter(Boolean));
    for (const k of ['FullyBooted', 'SuccessfulAuth', 'DTMFBegin', 'DTMFEnd']) {
      assert.ok(kinds(full).has(k), `the full user gets ${k}`);
      assert.not.ok(kinds(min).has(k), `the minimal user gets no ${k}`);
    }
    for (const k of ['Newchannel', 'NewCallerid', 'VarSet', 'OriginateResponse', 'UserEvent', 'Hangup']) assert.ok(kinds(min).has(k), `the minimal user gets ${k}`);
    const denied = async (fields: Record<string, string>) => {
      min.action(fields);
      return header(await min.waitFor((b) => header(b, 'ActionID') === fields.ActionID), 'Message');
    };
    assert.is(await denied({ Action: 'QueueAdd', ActionID: 'q1', Queue: 'operators', Interface: 'PJSIP/102' }), 'Permission denied');
    assert.is(await denied({ Action: 'QueuePause', ActionID: 'q2', Interface: 'PJSIP/101', Paused: 'true' }), 'Permission denied');
    assert.is(await denied({ Action: 'QueueRemove', ActionID: 'q3', Queue: 'operators', Interface: 'PJSIP/101' }), 'Permission denied');
    assert.is(await denied({ Action: 'MixMonitor', ActionID: 'q4', Channel: 'x' }), 'Permission denied');
    assert.is(await denied({ Action: 'Command', ActionID: 'q5', Command: 'core show version' }), 'Permission denied');
    assert.is(await denied({ Action: 'QueueStatus', ActionID: 'q6' }), 'Queue status will follow');
    assert.is(await denied({ Action: 'CoreShowChannels', ActionID: 'q7' }), 'Channels will follow');
    assert.is(await denied({ Action: 'Hangup', ActionID: 'q8', Channel: 'PJSIP/none-00000000' }), 'No such channel');
  } finally { full.socket.destroy(); min.socket.destroy(); await sim.kill(); }
});

test('login: a wrong secret gets "Authentication failed" and the session is closed; nothing is allowed before Login', async () => {
  const sim = new AmiSimulator({ users: { misto: 'right' } });
  await sim.start(0);
  try {
    const s = await RawAmi.connect(sim.port);
    await until(() => s.text.length > 0, 1000, 'the greeting');
    assert.is(s.text, 'Asterisk Call Manager/11.0.0\r\n');
    s.action({ Action: 'CoreShowChannels', ActionID: 'early' });
    assert.is(header(await s.waitFor((b) => header(b, 'ActionID') === 'early'), 'Message'), 'Permission denied');
    const r = await s.login('misto', 'wrong', 'L');
    assert.equal(r, [['Response', 'Error'], ['ActionID', 'L'], ['Message', 'Authentication failed']]);
    await s.closed;
    assert.is(sim.stats.failedLogins, 1);
    assert.is(sim.connectedSessions, 0);
  } finally { await sim.kill(); }
});

// ---------------------------------------------------------------------------------- lifecycle

test('restart: Hangups, Shutdown ~1.1 s later to system sessions only, FIN, the port closed for downMs, then a fresh PBX', async () => {
  const sim = new AmiSimulator({
    users: { misto: 'pbx-secret', mistomin: { secret: 'm', read: 'call,agent,dialplan,user', write: 'reporting,call,originate' } },
    queueMembers: ['PJSIP/101'],
  });
  await sim.start(0);
  const full = await RawAmi.connect(sim.port);
  const min = await RawAmi.connect(sim.port);
  try {
    await full.login('misto', 'pbx-secret');
    await min.login('mistomin', 'm');
    const call = sim.incomingCall({ phone: '0501234567', local: true });
    call.join(); call.ring('PJSIP/101'); call.answer();
    const firstUid = call.first.uniqueid;
    const t0 = performance.now();
    const restarted = sim.restart({ downMs: 400 });
    await until(() => full.blocks.filter((x) => ev(x.block) === 'Hangup').length === 3, 2000, 'three Hangups');
    const hangups = full.blocks.filter((x) => ev(x.block) === 'Hangup');
    const causes = Object.fromEntries(hangups.map((x) => [header(x.block, 'Channel')!.replace(/-[0-9a-f]{8}/, ''), header(x.block, 'Cause')]));
    assert.equal(causes, { 'Local/1580@misto-incoming;1': '0', 'Local/1580@misto-incoming;2': '16', 'PJSIP/101': '16' }, 'bridged 16, in an application 0');
    const shutdown = await full.waitFor((b) => ev(b) === 'Shutdown', 3000);
    const at = full.blocks.find((x) => ev(x.block) === 'Shutdown')!.t;
    assert.equal([header(shutdown, 'Privilege'), header(shutdown, 'Shutdown'), header(shutdown, 'Restart')], ['system,all', 'Cleanly', 'False']);
    assert.ok(at - hangups[0].t > 900 && at - hangups[0].t < 1600, `Shutdown ${Math.round(at - hangups[0].t)} ms after the Hangups`);
    await full.closed; await min.closed;
    assert.ok(full.endedAt! - at < 200, 'the FIN right after Shutdown');
    assert.ok(min.blocks.some((x) => ev(x.block) === 'Hangup'), 'the minimal session saw the Hangups');
    assert.not.ok(min.blocks.some((x) => ev(x.block) === 'Shutdown'), 'but no Shutdown');
    await refused(sim.port);
    await restarted;
    const down = performance.now() - t0;
    assert.ok(down >= 1100 + 400, `down for ${Math.round(down)} ms`);
    const again = await RawAmi.connect(sim.port);
    await again.login('misto', 'pbx-secret');
    const booted = await again.waitFor((b) => ev(b) === 'FullyBooted');
    assert.is(header(booted, 'Uptime'), '0');
    again.action({ Action: 'CoreShowChannels', ActionID: 'c' });
    assert.is(header(await again.waitFor((b) => ev(b) === 'CoreShowChannelsComplete'), 'ListItems'), '0', 'no channels after a restart');
    const next = sim.incomingCall({ phone: '0501234567', local: true });
    assert.is(next.first.uniqueid.split('.')[1], '0', 'a new uniqueid sequence');
    assert.match(next.first.name, /-00000000;1$/);
    assert.is.not(next.first.uniqueid, firstUid);
    again.socket.destroy();
  } finally { full.socket.destroy(); min.socket.destroy(); await sim.kill(); }
});

test('kill -9: a FIN with no event, channels gone, the port closed until started again', async () => {
  const sim = new AmiSimulator({ queueMembers: ['PJSIP/101'] });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const call = sim.incomingCall({ phone: '0501234567', local: true });
    call.join(); call.ring('PJSIP/101'); call.answer();
    await s.waitFor((b) => ev(b) === 'AgentConnect');
    const before = s.blocks.length;
    const t0 = performance.now();
    await sim.kill();
    await s.closed;
    assert.ok(s.endedAt! - t0 < 200, 'the FIN at once');
    assert.is(s.blocks.length, before, 'no event at all');
    assert.is(sim.channels.size, 0);
    await refused(sim.port);
    await sim.start();
    const again = await RawAmi.connect(sim.port);
    await again.login();
    again.action({ Action: 'CoreShowChannels', ActionID: 'c' });
    assert.is(header(await again.waitFor((b) => ev(b) === 'CoreShowChannelsComplete'), 'ListItems'), '0');
    again.socket.destroy();
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('stop/start, dropConnections and freeze leave the calls up', async () => {
  const sim = new AmiSimulator({ queueMembers: ['PJSIP/101'] });
  await sim.start(0);
  try {
    const call = sim.incomingCall({ phone: '0501234567', local: true });
    call.join(); call.ring('PJSIP/101'); call.answer();
    const a = await RawAmi.connect(sim.port);
    await a.login();
    sim.dropConnections();
    await a.closed;
    await sim.stop();
    await refused(sim.port);
    await sim.start();
    const b = await RawAmi.connect(sim.port);
    await b.login();
    sim.freeze();
    b.action({ Action: 'Ping', ActionID: 'p' });
    await sleep(150);
    assert.not.ok(b.blocks.some((x) => header(x.block, 'ActionID') === 'p'), 'a frozen session answers nothing');
    assert.is(b.endedAt, null, 'and stays open');
    b.socket.destroy();
    const c = await RawAmi.connect(sim.port);
    await c.login();
    c.action({ Action: 'CoreShowChannels', ActionID: 'c' });
    assert.is(header(await c.waitFor((x) => ev(x) === 'CoreShowChannelsComplete'), 'ListItems'), '3', 'the call is still up');
    c.socket.destroy();
  } finally { await sim.kill(); }
});

// ---------------------------------------------------------------------------------- the queue

test('queue: PJSIP members ring on one channel; Status 6 while ringing, 2 in use, 1 idle; wrap-up before the next ring', async () => {
  const sim = new AmiSimulator({
    queues: { operators: { members: ['PJSIP/101'], strategy: 'rrmemory', timeout: 1, retry: 0.1, wrapuptime: 0.6, queueTimeout: 300 } },
    operator: () => ({ answerAfterMs: 100 }),
    timing: { answerToQueueMs: 20, queueAnnounceMs: 50, queueRecheckMs: 50 },
  });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const first = sim.incomingCall({ phone: '0501234567', local: true, dialplan: true });
    await s.waitFor((b) => ev(b) === 'AgentConnect');
    const legs = s.blocks.filter((x) => ev(x.block) === 'Newchannel' && /^PJSIP\/101-/.test(header(x.block, 'Channel')!));
    assert.is(legs.length, 1, 'one channel for the ring');
    assert.is(header(legs[0].block, 'Linkedid'), first.uniqueid);
    const called = s.blocks.find((x) => ev(x.block) === 'AgentCalled')!.block;
    assert.equal([header(called, 'Interface'), header(called, 'DestChannel')], ['PJSIP/101', header(legs[0].block, 'Channel')]);
    assert.is(header(s.blocks.find((x) => ev(x.block) === 'DialBegin' && header(x.block, 'Channel'))!.block, 'DialString'), 'PJSIP/101');
    first.hangup();
    const hungupAt = performance.now();
    const second = sim.incomingCall({ phone: '0507654321', local: true, dialplan: true });
    const ring2 = await s.waitFor((b) => ev(b) === 'AgentCalled' && header(b, 'Linkedid') === second.uniqueid, 3000);
    const rungAt = s.blocks.find((x) => x.block === ring2)!.t;
    assert.ok(rungAt - hungupAt >= 550, `rung again ${Math.round(rungAt - hungupAt)} ms after the call: the 0.6 s wrap-up`);
    const statuses = s.blocks.filter((x) => ev(x.block) === 'QueueMemberStatus').map((x) => header(x.block, 'Status'));
    assert.equal(statuses.slice(0, 4), ['6', '2', '1', '6'], 'ringing, in use, idle, ringing');
    const done = s.blocks.filter((x) => ev(x.block) === 'QueueMemberStatus')[2].block;
    assert.is(header(done, 'CallsTaken'), '1');
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('queue: ringall rings every free member; the one who answers wins, the others get CANCEL twice and cause 26', async () => {
  const sim = new AmiSimulator({
    queues: { operators: { members: ['PJSIP/101', 'Local/102@operators/n'], strategy: 'ringall', timeout: 2, queueTimeout: 300 } },
    operator: (iface) => ({ answerAfterMs: iface === 'PJSIP/101' ? 150 : null }),
    timing: { answerToQueueMs: 10 },
  });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const call = sim.incomingCall({ phone: '0501234567', local: true, dialplan: true });
    const connect = await s.waitFor((b) => ev(b) === 'AgentConnect');
    assert.is(header(connect, 'Interface'), 'PJSIP/101');
    assert.equal(s.blocks.filter((x) => ev(x.block) === 'AgentCalled').map((x) => header(x.block, 'Interface')), ['PJSIP/101', 'Local/102@operators/n']);
    const cancels = s.blocks.filter((x) => ev(x.block) === 'DialEnd' && header(x.block, 'DialStatus') === 'CANCEL');
    assert.is(cancels.length, 2);
    assert.ok(cancels.every((x) => /^Local\/102@operators-/.test(header(x.block, 'DestChannel')!)));
    const gone = s.blocks.filter((x) => ev(x.block) === 'Hangup' && /^Local\/102@/.test(header(x.block, 'Channel')!));
    assert.equal(gone.map((x) => header(x.block, 'Cause')), ['26', '26']);
    call.hangup();
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('queue: round robin rings the next member after a ring nobody answered', async () => {
  const sim = new AmiSimulator({
    queues: { operators: { members: ['PJSIP/101', 'PJSIP/102', 'PJSIP/103'], strategy: 'rrmemory', timeout: 0.15, retry: 0.05, queueTimeout: 300 } },
    operator: (iface) => ({ answerAfterMs: iface === 'PJSIP/103' ? 50 : null }),
    timing: { answerToQueueMs: 10 },
  });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const call = sim.incomingCall({ phone: '0501234567', local: true, dialplan: true });
    await s.waitFor((b) => ev(b) === 'AgentConnect', 3000);
    assert.equal(s.blocks.filter((x) => ev(x.block) === 'AgentCalled').map((x) => header(x.block, 'Interface')), ['PJSIP/101', 'PJSIP/102', 'PJSIP/103']);
    assert.equal(s.blocks.filter((x) => ev(x.block) === 'AgentRingNoAnswer').map((x) => header(x.block, 'RingTime')), ['150', '150']);
    call.hangup();
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('queue: QueueAdd, QueuePause and QueueRemove answer as Asterisk and emit their member events', async () => {
  const sim = new AmiSimulator({ queueMembers: ['PJSIP/101'] });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const msg = async (f: Record<string, string>) => { s.action(f); return header(await s.waitFor((b) => header(b, 'ActionID') === f.ActionID), 'Message'); };
    assert.is(await msg({ Action: 'QueueAdd', ActionID: 'a', Queue: 'operators', Interface: 'Local/100@operators/n', MemberName: 'Operator 100' }), 'Added interface to queue');
    assert.is(await msg({ Action: 'QueueAdd', ActionID: 'b', Queue: 'operators', Interface: 'Local/100@operators/n' }), 'Unable to add interface: Already there');
    assert.is(await msg({ Action: 'QueueAdd', ActionID: 'c', Queue: 'nope', Interface: 'X/1' }), 'Unable to add interface to queue: No such queue');
    assert.is(await msg({ Action: 'QueuePause', ActionID: 'd', Queue: 'operators', Interface: 'Local/100@operators/n', Paused: 'true', Reason: 'lunch' }), 'Interface paused successfully');
    assert.is(await msg({ Action: 'QueuePause', ActionID: 'e', Queue: 'operators', Interface: 'Local/100@operators/n', Paused: 'false', Reason: 'back' }), 'Interface unpaused successfully');
    assert.is(await msg({ Action: 'QueuePause', ActionID: 'f', Interface: 'Local/999@x/n', Paused: 'true' }), 'Interface not found');
    assert.is(await msg({ Action: 'QueueRemove', ActionID: 'g', Queue: 'operators', Interface: 'PJSIP/101' }), 'Member not dynamic');
    assert.is(await msg({ Action: 'QueueRemove', ActionID: 'h', Queue: 'operators', Interface: 'Local/100@operators/n' }), 'Removed interface from queue');
    assert.is(await msg({ Action: 'QueueRemove', ActionID: 'i', Queue: 'operators', Interface: 'Local/100@operators/n' }), 'Unable to remove interface: Not there');
    const events = s.blocks.filter((x) => /^QueueMember/.test(ev(x.block) ?? '')).map((x) => [ev(x.block), header(x.block, 'Paused'), header(x.block, 'PausedReason')]);
    assert.equal(events, [['QueueMemberAdded', '0', ''], ['QueueMemberPause', '1', 'lunch'], ['QueueMemberPause', '0', 'back'], ['QueueMemberRemoved', '0', '']]);
    const added = s.blocks.find((x) => ev(x.block) === 'QueueMemberAdded')!.block;
    assert.equal([header(added, 'Interface'), header(added, 'StateInterface'), header(added, 'Membership'), header(added, 'Status')],
      ['Local/100@operators/n', 'Local/100@operators/n', 'dynamic', '1']);
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('queue: an unavailable phone makes the queue empty for joinempty (JOINEMPTY) and counts as not logged in', async () => {
  const sim = new AmiSimulator({ queues: { operators: { members: ['PJSIP/101'] } }, timing: { answerToQueueMs: 10, noOperatorsPromptMs: 20 } });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    sim.setDevice('PJSIP/101', 'unavailable');
    const st = await s.waitFor((b) => ev(b) === 'QueueMemberStatus');
    assert.is(header(st, 'Status'), '5');
    const call = sim.incomingCall({ phone: '0501234567', local: true });
    assert.is(call.join(), 'JOINEMPTY');
    await s.waitFor((b) => ev(b) === 'Hangup' && header(b, 'Channel') === call.first.name);
  } finally { s.socket.destroy(); await sim.kill(); }
});

// ---------------------------------------------------------------------------------- calls

test('trunk calls: one channel, the number already in Newchannel, the queue events on it', async () => {
  const sim = new AmiSimulator({ queueMembers: ['PJSIP/101'] });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const call = sim.incomingCall({ phone: '+380501234567', name: 'Олена' });
    call.join(); call.ring('PJSIP/101'); call.answer(); call.hangup(17);
    await s.waitFor((b) => ev(b) === 'QueueMemberStatus' && header(b, 'Status') === '1');
    const nc = s.blocks.find((x) => ev(x.block) === 'Newchannel')!.block;
    assert.match(header(nc, 'Channel')!, /^PJSIP\/trunk-[0-9a-f]{8}$/);
    assert.is(header(nc, 'CallerIDNum'), '+380501234567');
    assert.is(header(nc, 'Uniqueid'), header(nc, 'Linkedid'));
    assert.is(call.uniqueid, header(nc, 'Uniqueid'));
    assert.not.ok(s.blocks.some((x) => ev(x.block) === 'NewCallerid' && header(x.block, 'Channel') === header(nc, 'Channel')));
    for (const e of ['QueueCallerJoin', 'AgentCalled', 'AgentConnect', 'AgentComplete']) {
      assert.is(header(s.blocks.find((x) => ev(x.block) === e)!.block, 'Channel'), header(nc, 'Channel'), e);
    }
    const h = s.blocks.find((x) => ev(x.block) === 'Hangup' && header(x.block, 'Channel') === header(nc, 'Channel'))!.block;
    assert.equal([header(h, 'Cause'), header(h, 'Cause-txt')], ['17', 'User busy']);
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('the desk\'s demo call: Originate Application Wait with MISTO_RING dials the operator from ;2 while ;1 waits; answered after MISTO_RING_MS, ended after MISTO_TALK_MS', async () => {
  const sim = new AmiSimulator({ users: { misto: 'pbx-secret' } });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login('misto', 'pbx-secret');
    const t0 = performance.now();
    s.action({ Action: 'Originate', ActionID: 'demo', Channel: 'Local/1580@misto-incoming', Application: 'Wait', Data: '600', CallerID: '<+380501112233>',
      Variable: ['MISTO_RING=PJSIP/101', 'MISTO_RING_MS=200', 'MISTO_TALK_MS=300'], Async: 'true', Timeout: '30000' });
    assert.is(header(await s.waitFor((b) => header(b, 'ActionID') === 'demo'), 'Message'), 'Originate successfully queued');
    const ok = await s.waitFor((b) => ev(b) === 'OriginateResponse', 3000);
    const answeredAt = s.blocks.find((x) => x.block === ok)!.t;
    assert.ok(answeredAt - t0 >= 180, 'answered when the operator answers');
    assert.equal([header(ok, 'Response'), header(ok, 'Reason'), header(ok, 'Application'), header(ok, 'Data'), header(ok, 'CallerIDNum'), header(ok, 'CallerIDName')],
      ['Success', '4', 'Wait', '600', '+380501112233', '<unknown>']);
    assert.match(header(ok, 'Channel')!, /^Local\/1580@misto-incoming-[0-9a-f]{8};1$/);
    const dial = s.blocks.find((x) => ev(x.block) === 'DialBegin' && header(x.block, 'Channel'))!.block;
    assert.match(header(dial, 'Channel')!, /;2$/);
    assert.match(header(dial, 'DestChannel')!, /^PJSIP\/101-[0-9a-f]{8}$/);
    assert.is(header(dial, 'DialString'), '101');
    const enter = s.blocks.filter((x) => ev(x.block) === 'BridgeEnter').map((x) => header(x.block, 'Channel'));
    assert.equal(enter.map((c) => c!.replace(/-[0-9a-f]{8}/, '')), ['PJSIP/101', 'Local/1580@misto-incoming;2']);
    const end = await s.waitFor((b) => ev(b) === 'Hangup' && /misto-incoming-.*;1$/.test(header(b, 'Channel')!), 3000);
    const endedAt = s.blocks.find((x) => x.block === end)!.t;
    assert.ok(endedAt - answeredAt >= 280 && endedAt - answeredAt < 1500, `the resident hung up ${Math.round(endedAt - answeredAt)} ms after the answer`);
    assert.is(header(end, 'Cause'), '16');
    assert.ok(s.blocks.some((x) => ev(x.block) === 'Newstate' && /misto-incoming-.*;1$/.test(header(x.block, 'Channel')!) && header(x.block, 'ChannelStateDesc') === 'Ringing'),
      'the operator\'s ringing reaches the originated ;1');
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('the demo call without MISTO_RING goes to the queue; the simulated operator answers after demoRingMs', async () => {
  const sim = new AmiSimulator({ queueMembers: ['PJSIP/101'], demoRingMs: 100, demoTalkMs: 200, timing: { answerToQueueMs: 20 } });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    s.action({ Action: 'Originate', ActionID: 'demo', Channel: 'Local/1580@misto-incoming', Application: 'Wait', Data: '600', CallerID: '<+380501112233>', Async: 'true' });
    const ok = await s.waitFor((b) => ev(b) === 'OriginateResponse');
    assert.is(header(ok, 'Reason'), '4', 'answered by [misto-incoming] before the queue');
    await s.waitFor((b) => ev(b) === 'AgentConnect', 3000);
    await s.waitFor((b) => ev(b) === 'AgentComplete', 3000);
    assert.is(header(s.blocks.find((x) => ev(x.block) === 'AgentComplete')!.block, 'Reason'), 'caller');
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('survey calls on the city trunk: one PJSIP/city-trunk channel; a SIP busy is a hangup cause (Reason 0), not an indication', async () => {
  const sim = new AmiSimulator({ originate: (r) => r.channel.includes('0501000004') ? { result: 'busy' } : { result: 'answer', delayMs: 0, digits: ['2'] },
    timing: { surveyWaitMs: 10, keyDelayMs: 120, thanksPromptMs: 10 } });
  await sim.start(0);
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    s.action({ Action: 'Originate', ActionID: 'busy', Channel: 'PJSIP/0501000004@city-trunk', Context: 'misto-survey', Exten: 's', Priority: '1',
      CallerID: '"Misto 15-80" <1580>', Async: 'true', Timeout: '20000', Variable: 'SURVEY_ID=9' });
    const fail = await s.waitFor((b) => ev(b) === 'OriginateResponse');
    assert.equal([header(fail, 'Response'), header(fail, 'Reason'), header(fail, 'Channel'), header(fail, 'Uniqueid')],
      ['Failure', '0', 'PJSIP/0501000004@city-trunk', '<unknown>']);
    const h = s.blocks.find((x) => ev(x.block) === 'Hangup')!.block;
    assert.match(header(h, 'Channel')!, /^PJSIP\/city-trunk-[0-9a-f]{8}$/);
    assert.is(header(h, 'Cause'), '17');
    assert.is(header(s.blocks.find((x) => ev(x.block) === 'DialEnd')!.block, 'DialStatus'), 'BUSY');
    s.action({ Action: 'Originate', ActionID: 'ok', Channel: 'PJSIP/0501000002@city-trunk', Context: 'misto-survey', Exten: 's', Priority: '1',
      CallerID: '"Misto 15-80" <1580>', Async: 'true', Timeout: '20000', Variable: 'SURVEY_ID=10' });
    const result = await s.waitFor((b) => ev(b) === 'UserEvent', 3000);
    assert.equal([header(result, 'UserEvent'), header(result, 'Digit'), header(result, 'ReadStatus'), header(result, 'SurveyId')], ['SurveyResult', '2', 'OK', '10']);
    assert.is(header(result, 'Context'), 'misto-survey');
  } finally { s.socket.destroy(); await sim.kill(); }
});

test('scriptedCall and the step API still drive a whole queued call', async () => {
  const sim = new AmiSimulator({ queueMembers: ['PJSIP/bench1'] });
  await sim.start(0);
  const sent: string[] = [];
  const s = await RawAmi.connect(sim.port);
  try {
    await s.login();
    const call = await sim.scriptedCall({ phone: '+380501112233', local: true, iface: 'PJSIP/bench1', ringMs: 50, talkMs: 50 });
    assert.ok(call.ended);
    await s.waitFor((b) => ev(b) === 'QueueMemberStatus' && header(b, 'Status') === '1');
    for (const x of s.blocks) if (ev(x.block)) sent.push(ev(x.block)!);
    for (const e of ['QueueCallerJoin', 'AgentCalled', 'AgentConnect', 'AgentComplete', 'Hangup']) assert.ok(sent.includes(e), e);
    assert.throws(() => sim.incomingCall({ phone: '1' }).ring('PJSIP/999'), /not waiting in a queue/);
  } finally { s.socket.destroy(); await sim.kill(); }
});

test.run();
