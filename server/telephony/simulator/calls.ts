// One incoming call and what Asterisk emits at each of its steps, in the order the Asterisk 22
// captures show. Two shapes of caller:
//   - a trunk channel "PJSIP/trunk-0000000a": one channel, the number already in its Newchannel;
//   - a Local pair "Local/1580@misto-incoming-0000000a;1/;2" (an Originate into misto-incoming):
//     both Newchannels say "<unknown>", the number comes in NewCallerid (;1, then ;2). The ";2" half
//     runs the dialplan, so the queue's caller is ;2 (every queue event carries ;2's Uniqueid and the
//     Linkedid of ;1); ";1" is the resident's side and runs what the Originate asked (Wait).
// The call's uniqueid (what the product logs) is its Linkedid: the trunk channel or the ;1 half.
//
// Members are rung on legs: a Local member "Local/100@operators/n" rings on a new pair
// "Local/100@operators-…;1/;2" (;1 is the DestChannel of agent events and enters the bridge), a
// PJSIP member on one "PJSIP/101-…" channel; every leg carries the call's Linkedid.
import { performance } from 'node:perf_hooks';
import type { Headers } from '../ami-wire.ts';
import { BUSY, deviceOf, DOWN, RING, RINGING, snapshot, UP, type Channel, type ChannelOwner } from './channels.ts';
import type { Bridge, Pbx } from './pbx.ts';
import type { Member, QueueEntry, QueueResult, SimQueue } from './queue.ts';

/** The Originate behind a Local incoming call: its answer and failure go back as OriginateResponse. */
export interface OriginateLink {
  answered(first: Channel): void;
  failed(reason: number): void;
  timeoutMs: number;
  /** What ;1 runs once answered: an application (`Application: Wait`, `Data: 600`) or a context. */
  target: { application: string; data: string } | { context: string; exten: string };
}

export interface IncomingSpec {
  phone: string;
  name?: string;
  local?: boolean;
  /** The trunk endpoint of a non-Local call (PJSIP/<trunk>-…). */
  trunk?: string;
  exten?: string;
  vars?: Record<string, string>;
  /** Run [misto-incoming] unattended: Answer, Queue(operators) (or Dial(${MISTO_RING})), the simulated operators. */
  dialplan?: boolean;
  originate?: OriginateLink;
}

/** Results after which [misto-incoming] plays "no free operators" before hanging up. */
const BUSY_RESULTS = new Set<string>(['JOINEMPTY', 'LEAVEEMPTY', 'TIMEOUT', 'FULL']);

/** DialStatus of a far end that hangs up before answering, by cause (17 BUSY and 34 CONGESTION captured). */
export function dialStatusOf(cause: number) {
  if (cause === 17) return 'BUSY';
  if (cause === 34 || cause === 42) return 'CONGESTION';
  return 'NOANSWER';
}


/** One ring of one member (or of a directly dialled interface). */
export class MemberLeg {
  readonly startedAt = performance.now();
  answered = false;
  ended = false;
  answerTimer: NodeJS.Timeout | null = null;
  constructor(readonly iface: string, readonly one: Channel, readonly two: Channel | null, readonly member: Member | null,
    readonly dialString: string) {}
  get channels() { return this.two ? [this.one, this.two] : [this.one]; }
}

export class SimCall implements ChannelOwner {
  /** Local ";1" (the resident's side) or the trunk channel. */
  readonly first: Channel;
  /** The channel the dialplan and the queue see: Local ";2" or the trunk channel. */
  readonly caller: Channel;
  readonly local: boolean;
  readonly auto: boolean;
  queue: SimQueue | null = null;
  entry: QueueEntry | null = null;
  /** Legs ringing now. */
  legs: MemberLeg[] = [];
  connected: MemberLeg | null = null;
  bridge: Bridge | null = null;
  /** A Dial() is running instead of Queue(). */
  direct = false;
  answered = false;
  ended = false;
  connectedAt = 0;
  joinedAt = 0;
  rings = 0;
  private readonly originate?: OriginateLink;
  private readonly vars: Record<string, string>;
  private timers = new Set<NodeJS.Timeout>();
  private dialTimer: NodeJS.Timeout | null = null;
  private readonly talkLimitMs?: number;

  constructor(private readonly pbx: Pbx, spec: IncomingSpec) {
    this.local = !!spec.local;
    this.auto = !!spec.dialplan;
    this.originate = spec.originate;
    this.vars = spec.vars ?? {};
    const exten = spec.exten ?? '1580';
    const name = spec.name ?? '';
    if (this.local) {
      const [one, two] = pbx.table.local(`Local/${exten}@misto-incoming`);
      this.first = one;
      this.caller = two;
      pbx.newchannel(one);
      pbx.newchannel(two);
      // Originate sets the variables and caller id on ;1; Local copies both to ;2 (each with its event),
      // and ;1's connected line (the Originate's CallerID) becomes ;2's caller id.
      for (const [k, v] of Object.entries(this.vars)) pbx.setVar(one, k, v);
      pbx.callerId(one, spec.phone, name);
      one.connectedNum = spec.phone; one.connectedName = name;
      for (const [k, v] of Object.entries(this.vars)) pbx.setVar(two, k, v);
      two.connectedNum = spec.phone; two.connectedName = name;
      pbx.callerId(two, spec.phone, name);
      pbx.dialBegin(null, one, `${exten}@misto-incoming`);
    } else {
      const ch = pbx.table.single(`PJSIP/${spec.trunk ?? 'trunk'}`, { context: 'misto-incoming', exten, callerNum: spec.phone, callerName: name, state: RING });
      this.first = this.caller = ch;
      pbx.newchannel(ch);
      for (const [k, v] of Object.entries(this.vars)) pbx.setVar(ch, k, v);
    }
    for (const ch of new Set([this.first, this.caller])) ch.owner = this;
    const talk = this.vars.MISTO_TALK_MS ?? (spec.originate && this.residentWaits(spec.originate) ? String(pbx.opts.demoTalkMs) : undefined);
    if (talk !== undefined && Number.isFinite(Number(talk))) this.talkLimitMs = Number(talk);
    // [misto-incoming]: NoOp, Set(CHANNEL(language)=…), MixMonitor(${UNIQUEID}.wav,b) on the dialplan's channel.
    this.caller.priority = 3;
    if (pbx.opts.dialplanRecording) pbx.mixMonitor(this.caller, `${this.caller.uniqueid}.wav`);
    if (spec.originate) this.after(spec.originate.timeoutMs, () => this.originateTimedOut());
    if (!this.auto) return;
    if (this.vars.MISTO_RING) this.dial(this.vars.MISTO_RING, 30);
    else {
      this.answer_();
      this.after(pbx.timing.answerToQueueMs, () => this.join(pbx.queues.has(this.vars.MISTO_QUEUE ?? '') ? this.vars.MISTO_QUEUE : 'operators'));
    }
  }

  /** The call's uniqueid as the product logs it: its Linkedid. */
  get uniqueid() { return this.first.linkedid; }
  get linkedid() { return this.first.linkedid; }
  get phone() { return this.first.callerNum; }
  /** The leg talking now, or the one rung last. */
  get agent(): Channel | null { return (this.connected ?? this.legs[this.legs.length - 1])?.one ?? null; }
  get iface(): string | null { return (this.connected ?? this.legs[this.legs.length - 1])?.iface ?? null; }

  private residentWaits(o: OriginateLink) {
    return 'application' in o.target ? o.target.application.toLowerCase() === 'wait' : o.target.context === 'misto-incoming';
  }

  private after(ms: number, fn: () => void) {
    const t = this.pbx.later(ms, () => { this.timers.delete(t); if (!this.ended) fn(); });
    this.timers.add(t);
    return t;
  }

  private finish() {
    this.ended = true;
    for (const t of this.timers) this.pbx.timers.clear(t);
    this.timers.clear();
    for (const l of this.legs) this.pbx.timers.clear(l.answerTimer);
    if (this.entry && this.queue) this.queue.stop(this.entry);
  }

  // ------------------------------------------------------------------------------- the dialplan

  /** Answer() in [misto-incoming]: the caller's channel is up; for a Local call the Originate is answered. */
  private answer_() {
    if (this.answered || this.ended) return;
    this.answered = true;
    this.caller.priority = 5;
    this.pbx.newState(this.caller, UP);
    if (this.local) {
      this.pbx.newState(this.first, UP);
      this.pbx.dialEnd(null, this.first, 'ANSWER');
      this.firstRuns();
    }
  }

  /** The originated ;1 is answered: OriginateResponse, then ;1 runs the Originate's application or context. */
  private firstRuns() {
    const o = this.originate;
    o?.answered(this.first);
    if (!o) return;
    const ch = this.first;
    let waitS: number | undefined;
    if ('application' in o.target) {
      ch.application = o.target.application;
      ch.appData = o.target.data;
      if (ch.application.toLowerCase() === 'wait') waitS = Number(o.target.data);
    } else {
      ch.context = o.target.context;
      ch.exten = o.target.exten;
      ch.priority = 2;
      ch.application = 'Wait';
      // The lab's [caller] context waits CALLER_HANGUP seconds (30 by default) and hangs up.
      const s = this.vars.CALLER_HANGUP ?? (o.target.context === 'caller' ? '30' : '');
      ch.appData = s;
      if (s !== '') waitS = Number(s);
    }
    if (waitS !== undefined && Number.isFinite(waitS)) this.after(waitS * 1000, () => this.hangup(16, 'caller'));
  }

  /** Queue(<queue>,tT,,,300): joins, or is refused with JOINEMPTY/FULL (no queue event, only QUEUESTATUS). */
  join(queueName = 'operators', o: { auto?: boolean } = {}): QueueResult | null {
    if (this.ended || this.entry) return null;
    const q = this.pbx.queues.get(queueName);
    if (!q) throw new Error(`no queue "${queueName}"`);
    this.answer_();
    this.queue = q;
    this.caller.priority = 6;
    this.caller.application = 'Queue';
    this.caller.appData = `${q.name},tT,,,${q.params.queueTimeout}`;
    this.joinedAt = performance.now();
    const r = q.join(this, o.auto ?? this.auto, q.params.queueTimeout);
    if (typeof r === 'string') { this.queueReturned(q.name, r); return r; }
    this.entry = r;
    return null;
  }

  /** Queue() returned to the dialplan: VarSet QUEUESTATUS, our UserEvent, the prompt, Hangup(). */
  queueReturned(queue: string, result: QueueResult) {
    this.entry = null;
    const ch = this.caller;
    this.pbx.setVar(ch, 'QUEUESTATUS', result);
    ch.priority = 7;
    ch.application = 'UserEvent';
    // The shipped dialplan's UserEvent(MistoQueueResult,Queue: …,QueueStatus: …): Asterisk adds the channel's snapshot.
    this.pbx.emitOn('UserEvent', ch, [['UserEvent', 'MistoQueueResult'], ['Queue', queue], ['QueueStatus', result]]);
    if (!BUSY_RESULTS.has(result)) return this.dialplanHangup();
    ch.priority = 13;
    ch.application = 'Playback';
    ch.appData = 'custom/misto-no-operators';
    this.after(this.pbx.timing.noOperatorsPromptMs, () => this.dialplanHangup());
  }

  /** Hangup() in the dialplan: the dialplan's channel first, then ;1. */
  private dialplanHangup() {
    if (this.ended) return;
    this.finish();
    this.pbx.hangup(this.caller, 16);
    if (this.local && this.first.alive) {
      if (this.first.state !== UP && this.originate) this.originate.failed(0);
      this.pbx.hangup(this.first, 16);
    }
  }

  // ------------------------------------------------------------------------------- members

  /** Creates the channel(s) a ring of `iface` uses, up to their NewCallerid. */
  private leg(iface: string, member: Member | null, how: 'queue' | 'dial'): MemberLeg {
    const p = this.pbx;
    const num = this.phone, name = this.first.callerName;
    // Dial() gives the leg the caller's exten as its number; the queue gives it the caller's number.
    const legNum = how === 'dial' && this.local ? this.caller.exten : num;
    const tech = iface.split('/')[0];
    let leg: MemberLeg;
    if (tech.toLowerCase() === 'local') {
      const [one, two] = p.table.local(deviceOf(iface), { linkedid: this.linkedid });
      p.newchannel(one);
      p.newchannel(two);
      p.callerId(one, legNum, name);
      two.connectedNum = num; two.connectedName = name;
      p.callerId(two, num, name);
      one.connectedNum = num; one.connectedName = name;
      two.application = 'Wait';
      leg = new MemberLeg(iface, one, two, member, how === 'queue' ? iface : iface.slice(iface.indexOf('/') + 1));
    } else {
      const endpoint = iface.slice(tech.length + 1);
      const ch = p.table.single(`${tech}/${endpoint}`, { context: 'misto-operators', exten: 's', linkedid: this.linkedid });
      p.newchannel(ch);
      p.callerId(ch, num, name);
      ch.connectedNum = num; ch.connectedName = name;
      leg = new MemberLeg(iface, ch, null, member, how === 'queue' ? iface : endpoint);
    }
    for (const ch of leg.channels) ch.owner = this;
    // The outgoing channel inherits the caller's extension.
    leg.one.exten = this.caller.exten;
    leg.one.application = how === 'queue' ? 'AppQueue' : 'AppDial';
    leg.one.appData = '(Outgoing Line)';
    p.legs.add(leg);
    return leg;
  }

  private memberInfo(leg: MemberLeg): Headers {
    return [['Queue', this.queue?.name ?? ''], ['Interface', leg.iface], ['MemberName', leg.member?.name ?? leg.iface]];
  }

  /** The queue rings these members: the leg channels, AgentCalled, DialBegin, then Ringing and the device state. */
  ringMembers(members: Member[], auto: boolean) {
    if (this.ended || !this.queue || this.connected) return;
    const legs: MemberLeg[] = [];
    for (const m of members) {
      const leg = this.leg(m.iface, m, 'queue');
      this.pbx.emitPair('AgentCalled', this.caller, leg.one, this.memberInfo(leg));
      this.pbx.dialBegin(this.caller, leg.one, leg.dialString);
      legs.push(leg);
    }
    for (const leg of legs) this.pbx.newState(leg.one, RINGING);
    for (const leg of legs) this.pbx.deviceChanged(deviceOf(leg.iface));
    this.legs.push(...legs);
    if (auto) for (const leg of legs) this.operatorAnswers(leg);
  }

  /** The simulated operator behind the leg: answers after a while, or never. */
  private operatorAnswers(leg: MemberLeg) {
    const b = this.pbx.operatorFor(leg.iface, { attempt: ++this.rings, call: this });
    const ms = this.vars.MISTO_RING_MS !== undefined ? Number(this.vars.MISTO_RING_MS) : b.answerAfterMs;
    if (ms === null || !Number.isFinite(ms)) return;
    leg.answerTimer = this.pbx.later(ms, () => {
      leg.answerTimer = null;
      if (this.ended || leg.ended) return;
      this.answer(leg.iface);
      if (b.hangupAfterMs !== undefined && this.connected === leg) this.after(b.hangupAfterMs, () => this.hangup(16, 'agent'));
    });
  }

  /** Test API: the queue rings these member interfaces now (they must be members of the call's queue). */
  ring(...ifaces: string[]) {
    if (this.ended) return;
    if (!this.queue || !this.entry) throw new Error('ring(): the call is not waiting in a queue (join() first)');
    const members = ifaces.map((i) => {
      const m = this.queue!.members.get(i);
      if (!m) throw new Error(`ring(): ${i} is not a member of queue "${this.queue!.name}"`);
      return m;
    });
    this.entry.state = 'ringing';
    this.ringMembers(members, false);
  }

  /** A rung member (the last one rung, or `iface`) answers; for Dial() the dialled operator answers. */
  answer(iface?: string) {
    if (this.ended || this.connected) return;
    const leg = iface ? this.legs.find((l) => l.iface === iface) : this.legs[this.legs.length - 1];
    if (!leg) return;
    if (this.direct) this.connectDirect(leg);
    else this.connectQueued(leg);
  }

  private dropLeg(leg: MemberLeg, cause: number) {
    leg.ended = true;
    this.pbx.timers.clear(leg.answerTimer);
    this.legs = this.legs.filter((l) => l !== leg);
    this.pbx.legs.delete(leg);
    this.pbx.hangup(leg.one, cause);
    if (leg.two) this.pbx.hangup(leg.two, cause);
  }

  private connectQueued(leg: MemberLeg) {
    const p = this.pbx, q = this.queue!, entry = this.entry;
    const others = this.legs.filter((l) => l !== leg);
    if (entry) { p.timers.clear(entry.timer); entry.timer = null; }
    if (leg.two) p.newState(leg.two, UP);
    p.newState(leg.one, UP);
    leg.answered = true;
    if (leg.two) leg.two.application = 'Answer';
    p.dialEnd(this.caller, leg.one, 'ANSWER');
    // The other rung members: CANCEL twice (wait_for_answer, then hangupcalls), cause 26.
    for (const o of others) p.dialEnd(this.caller, o.one, 'CANCEL');
    for (const o of others) { p.dialEnd(this.caller, o.one, 'CANCEL'); o.ended = true; this.dropLeg(o, 26); }
    for (const o of others) p.deviceChanged(deviceOf(o.iface));
    this.legs = [leg];
    const name = leg.member?.name ?? leg.iface;
    // setinterfacevar=yes: MEMBERINTERFACE and MEMBERNAME on the caller, then on the member's leg.
    for (const ch of [this.caller, leg.one]) { p.setVar(ch, 'MEMBERINTERFACE', leg.iface); p.setVar(ch, 'MEMBERNAME', name); }
    if (entry) q.leaveConnected(entry);
    this.entry = null;
    const now = performance.now();
    p.emitPair('AgentConnect', this.caller, leg.one, [...this.memberInfo(leg),
      ['HoldTime', String(Math.round((now - this.joinedAt) / 1000))], ['RingTime', String(Math.round((now - leg.startedAt) / 1000))]]);
    if (leg.member) leg.member.inCall = true;
    this.connected = leg;
    this.connectedAt = now;
    this.bridge = p.bridgeCreate();
    p.bridgeEnter(this.bridge, leg.one);
    p.bridgeEnter(this.bridge, this.caller);
    p.deviceChanged(deviceOf(leg.iface));
    this.talkLimit();
  }

  /** The resident's demo talk time (MISTO_TALK_MS, demoTalkMs) runs from the operator's answer. */
  private talkLimit() {
    if (this.talkLimitMs !== undefined) this.after(this.talkLimitMs, () => this.hangup(16, 'caller'));
  }

  /** Nobody answered within the ring time: AgentRingNoAnswer (RingTime in ms), NOANSWER, CANCEL, legs gone with cause 0. */
  ringTimedOut(ringMs?: number) {
    if (this.ended || this.connected || !this.legs.length) { if (this.entry) this.queue?.afterAttempt(this.entry); return; }
    const p = this.pbx, legs = this.legs;
    const now = performance.now();
    for (const l of legs) p.emitPair('AgentRingNoAnswer', this.caller, l.one, [...this.memberInfo(l), ['RingTime', String(Math.round(ringMs ?? now - l.startedAt))]]);
    for (const l of legs) p.dialEnd(this.caller, l.one, 'NOANSWER');
    for (const l of legs) { p.dialEnd(this.caller, l.one, 'CANCEL'); this.dropLeg(l, 0); }
    for (const l of legs) p.deviceChanged(deviceOf(l.iface));
    this.legs = [];
    if (this.entry) { this.entry.state = 'retry'; this.queue!.afterAttempt(this.entry); }
  }

  /** Test API: the rung members do not pick up in time (the queue will try again). */
  noAnswer() { this.ringTimedOut(); }

  // ------------------------------------------------------------------------------- Dial()

  /** [misto-direct]: Dial(<iface>,<timeout>) from the caller's channel, no queue. */
  dial(iface: string, timeoutS = 30) {
    if (this.ended || this.direct || this.entry) return;
    const p = this.pbx, ch = this.caller;
    this.direct = true;
    if (this.local) { ch.context = 'misto-direct'; ch.exten = 's'; ch.priority = 1; }
    ch.application = 'Dial';
    ch.appData = `${iface},${timeoutS}`;
    const leg = this.leg(iface, null, 'dial');
    p.dialBegin(ch, leg.one, leg.dialString);
    p.newState(leg.one, RINGING);
    // The ringing indication reaches the originated ;1 (the caller was not answered before Dial).
    if (this.local && this.first.state !== UP) p.newState(this.first, RINGING);
    p.deviceChanged(deviceOf(iface));
    this.legs = [leg];
    this.dialTimer = this.after(timeoutS * 1000, () => this.dialTimedOut());
    if (this.auto) this.operatorAnswers(leg);
  }

  private connectDirect(leg: MemberLeg) {
    const p = this.pbx;
    this.pbx.timers.clear(this.dialTimer);
    if (leg.two) p.newState(leg.two, UP);
    p.newState(leg.one, UP);
    leg.answered = true;
    if (leg.two) leg.two.application = 'Answer';
    p.dialEnd(this.caller, leg.one, 'ANSWER');
    this.answered = true;
    if (this.local) { p.newState(this.first, UP); p.newState(this.caller, UP); } else p.newState(this.caller, UP);
    this.bridge = p.bridgeCreate();
    if (this.local) {
      // Only now is the Originate answered: its DialEnd comes after OriginateResponse.
      this.firstRuns();
      p.dialEnd(null, this.first, 'ANSWER');
    }
    this.connected = leg;
    this.connectedAt = performance.now();
    p.bridgeEnter(this.bridge, leg.one);
    p.bridgeEnter(this.bridge, this.caller);
    p.deviceChanged(deviceOf(leg.iface));
    this.talkLimit();
  }

  /** Dial()'s own timeout (the Originate's did not come first): NOANSWER, then the dialplan's Hangup(). */
  private dialTimedOut() {
    const leg = this.legs[0];
    if (!leg || this.connected) return;
    this.pbx.dialEnd(this.caller, leg.one, 'NOANSWER');
    this.dropLeg(leg, 0);
    this.pbx.deviceChanged(deviceOf(leg.iface));
    this.dialplanHangup();
  }

  /** The Originate's Timeout passed with ;1 still unanswered: Reason 3, every channel with cause 19. */
  private originateTimedOut() {
    if (!this.local || this.first.state === UP || this.answered) return;
    const p = this.pbx;
    this.finish();
    const leg = this.legs[0];
    if (leg) { p.dialEnd(this.caller, leg.one, 'CANCEL'); leg.ended = true; p.legs.delete(leg); p.hangup(leg.one, 19); }
    this.originate?.failed(3);
    p.hangup(this.first, 19);
    if (leg?.two) p.hangup(leg.two, 19);
    p.hangup(this.caller, 19);
    if (leg) p.deviceChanged(deviceOf(leg.iface));
    this.legs = [];
  }

  // ------------------------------------------------------------------------------- hang-ups

  /**
   * Either side hangs up with a Q.850 cause: `caller` is the resident (Local ;1, or the trunk
   * channel), `agent` the operator's leg.
   */
  hangup(cause = 16, by: 'caller' | 'agent' = 'caller') {
    if (this.ended) return;
    if (by === 'agent') {
      if (this.connected) return this.agentHangup(cause);
      const leg = this.legs[this.legs.length - 1];
      if (leg) return this.legFailed(leg, cause);
      return;
    }
    this.residentHangup(cause);
  }

  /** An AMI Hangup of one of this call's channels. */
  hangupChannel(ch: Channel, cause: number) {
    if (this.ended) return;
    if (ch === this.first) return this.residentHangup(cause);
    if (ch === this.caller) return this.dialplanSideHangup(cause);
    const leg = [...this.legs, ...(this.connected ? [this.connected] : [])].find((l) => l.channels.includes(ch));
    if (!leg) return;
    if (leg === this.connected) this.agentHangup(cause);
    else this.legFailed(leg, cause);
  }

  /** The end of a talk that went through the queue: AgentComplete, the member's counters. */
  private complete(reason: 'caller' | 'agent', withChannels: boolean) {
    const leg = this.connected!;
    const q = this.queue;
    const talkS = Math.round((performance.now() - this.connectedAt) / 1000);
    const holdS = Math.round((this.connectedAt - this.joinedAt) / 1000);
    if (q) {
      // send_agent_complete takes the latest snapshots: channels already gone give no fields at all.
      const fields: Headers = withChannels ? [...snapshot(this.caller), ...snapshot(leg.one, 'Dest')] : [];
      this.pbx.emit('AgentComplete', [...fields, ...this.memberInfo(leg), ['HoldTime', String(holdS)], ['TalkTime', String(talkS)], ['Reason', reason]]);
      q.completed(talkS);
    }
  }

  /** The member's device is free again: QueueMemberStatus with its calls taken and last call. */
  private memberFree(leg: MemberLeg) {
    leg.ended = true;
    this.pbx.legs.delete(leg);
    for (const { member } of this.pbx.membersOn(leg.member?.stateInterface ?? leg.iface)) {
      if (!this.queue || leg.member !== member) continue;
      member.inCall = false;
      member.callsTaken++;
      member.lastCall = Math.floor(Date.now() / 1000);
      member.lastCallAt = performance.now();
    }
    this.pbx.deviceChanged(deviceOf(leg.iface));
  }

  private residentHangup(cause: number) {
    const p = this.pbx, leg = this.connected;
    this.finish();
    if (leg) {
      const b = this.bridge;
      if (this.local) p.hangup(this.first, cause);
      p.bridgeLeave(b, this.caller);
      p.bridgeLeave(b, leg.one);
      p.bridgeDestroy(b);
      if (this.direct) {
        if (this.local) p.hangup(this.caller, 16);
        p.hangup(leg.one, 16);
        if (!this.local) p.hangup(this.caller, cause);
        this.memberFree(leg);
        if (leg.two) p.hangup(leg.two, 16);
        return;
      }
      this.complete('caller', true);
      p.hangup(leg.one, 16);
      p.hangup(this.caller, this.local ? 16 : cause);
      this.memberFree(leg);
      if (leg.two) p.hangup(leg.two, 16);
      return;
    }
    if (this.local) p.hangup(this.first, cause);
    this.unansweredEnd(this.local ? 16 : cause);
  }

  /** The caller's channel is going (rings cancelled, the queue told), `callerCause` for it last. */
  private unansweredEnd(callerCause: number, after?: () => void) {
    const p = this.pbx, legs = this.legs;
    this.finish();
    if (legs.length) {
      for (const l of legs) p.dialEnd(this.caller, l.one, 'CANCEL');
      for (const l of legs) {
        if (!this.direct) p.dialEnd(this.caller, l.one, 'CANCEL');
        l.ended = true;
        p.legs.delete(l);
        p.hangup(l.one, 0);
      }
    }
    const entry = this.entry;
    if (entry && this.queue) this.queue.abandon(entry);
    for (const l of legs) p.deviceChanged(deviceOf(l.iface));
    for (const l of legs) if (l.two) p.hangup(l.two, 0);
    this.legs = [];
    if (entry && this.queue) this.queue.drop(entry);
    this.entry = null;
    if (this.local && this.originate && this.first.state !== UP && this.first.alive) this.originate.failed(0);
    p.hangup(this.caller, callerCause);
    after?.();
  }

  /** AMI Hangup of the dialplan's half (the desk's button hangs up the channel named in AgentConnect). */
  private dialplanSideHangup(cause: number) {
    const p = this.pbx, leg = this.connected;
    if (!this.local) return this.residentHangup(cause);
    this.finish();
    if (leg) {
      const b = this.bridge;
      p.bridgeLeave(b, this.caller);
      p.bridgeLeave(b, leg.one);
      p.bridgeDestroy(b);
      p.hangup(this.caller, cause);
      p.hangup(leg.one, 16);
      if (!this.direct) this.complete('caller', false);
      p.hangup(this.first, 16);
      if (leg.two) p.hangup(leg.two, 16);
      this.memberFree(leg);
      return;
    }
    this.unansweredEnd(cause, () => p.hangup(this.first, 16));
  }

  /** The operator's side hangs up first: AgentComplete comes last, without channel fields, Reason agent. */
  private agentHangup(cause: number) {
    const p = this.pbx, leg = this.connected!, b = this.bridge;
    this.finish();
    if (leg.two) { p.hangup(leg.two, cause); p.bridgeLeave(b, leg.one); p.hangup(leg.one, 16); }
    else { p.bridgeLeave(b, leg.one); p.hangup(leg.one, cause); }
    p.bridgeLeave(b, this.caller);
    p.bridgeDestroy(b);
    if (this.local) p.hangup(this.first, 16);
    p.hangup(this.caller, 16);
    this.memberFree(leg);
    if (!this.direct) this.complete('agent', false);
  }

  /** A ringing leg fails (hung up, rejected): its DialEnd, then the queue or Dial() goes on without it. */
  private legFailed(leg: MemberLeg, cause: number) {
    const p = this.pbx;
    p.dialEnd(this.caller, leg.one, dialStatusOf(cause));
    this.dropLeg(leg, cause);
    p.deviceChanged(deviceOf(leg.iface));
    if (this.legs.length) return;
    if (this.direct) return this.dialplanHangup();
    if (this.entry && this.queue) {
      p.timers.clear(this.entry.timer);
      this.entry.timer = null;
      this.entry.state = 'retry';
      this.queue.afterAttempt(this.entry);
    }
  }

  /** `core stop now`: channels in a bridge end with 16, the others (in an application) with 0. */
  shutdown() {
    if (this.ended) return;
    const p = this.pbx, leg = this.connected;
    if (leg) {
      const b = this.bridge;
      this.finish();
      p.bridgeLeave(b, this.caller);
      p.bridgeLeave(b, leg.one);
      p.bridgeDestroy(b);
      if (this.local) p.hangup(this.first, 0);
      if (leg.two) p.hangup(leg.two, 0);
      if (!this.direct) this.complete('caller', true);
      this.memberFree(leg);
      p.hangup(this.caller, 16);
      p.hangup(leg.one, 16);
      return;
    }
    if (this.local) p.hangup(this.first, 0);
    this.unansweredEnd(0);
  }
}

/** The state of a member's device now, from the legs ringing or talking on it. */
export function legDeviceState(legs: Iterable<MemberLeg>, iface: string): number {
  const dev = deviceOf(iface);
  const mine = [...legs].filter((l) => !l.ended && deviceOf(l.iface) === dev);
  // A Local device is "in use" whenever a ;2 of its exten runs dialplan: ringing or talking alike.
  if (dev.startsWith('Local/')) return mine.length ? 2 : 1;
  if (mine.some((l) => l.answered)) return 2;
  return mine.length ? 6 : 1;
}

export { BUSY, DOWN };
