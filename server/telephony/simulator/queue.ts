// A queue as app_queue keeps it: members (static from queues.conf, dynamic from QueueAdd), their
// pause and device state, the waiting callers in order, and the loop that rings members for calls
// that run the dialplan on their own ("auto" entries). Calls driven step by step through SimCall
// (tests, the benchmark) are entries too, but nothing rings for them unless they ask.
//
// The loop follows app_queue's Queue(): a caller whose turn it is rings the members its strategy
// picks for min(timeout, what is left of Queue()'s own timeout); nobody answers → AgentRingNoAnswer,
// then leavewhenempty and the timeout are checked, then `retry` seconds of waiting. A caller whose
// turn it is not (others ahead, or nobody free) hears the position announcement and then looks at
// the queue again every second: that is when LEAVEEMPTY is noticed (~8 s after joining in the
// captures, not at the moment of the QueuePause/QueueRemove), and when it is rung after an unpause.
// JOINEMPTY and FULL are decided before joining: no queue event at all, only QUEUESTATUS.
import { performance } from 'node:perf_hooks';
import type { Headers } from '../ami-wire.ts';
import { snapshot } from './channels.ts';
import type { Pbx } from './pbx.ts';
import type { SimCall } from './calls.ts';

export type Strategy = 'ringall' | 'rrmemory' | 'linear';
const CONDITIONS = ['paused', 'penalty', 'inuse', 'ringing', 'unavailable', 'invalid', 'unknown', 'wrapup'] as const;
type Condition = (typeof CONDITIONS)[number];
export type QueueResult = 'JOINEMPTY' | 'LEAVEEMPTY' | 'TIMEOUT' | 'FULL';

export interface MemberSpec {
  /** As QueueAdd's Interface or queues.conf's member line: "Local/100@operators/n", "PJSIP/101". */
  interface: string;
  name?: string;
  /** The device whose state counts (default: the interface itself). */
  stateInterface?: string;
  penalty?: number;
  paused?: boolean;
  reason?: string;
}

export interface QueueOptions {
  /** ringall, rrmemory ("roundrobin" is its old name) or linear. */
  strategy?: 'ringall' | 'rrmemory' | 'roundrobin' | 'linear';
  /** Seconds a member rings per attempt. */
  timeout?: number;
  /** Seconds between attempts. */
  retry?: number;
  /** Seconds after a call before the member is rung again. */
  wrapuptime?: number;
  /** Callers allowed to wait (0: no limit); one more gets FULL. */
  maxlen?: number;
  /** "paused,unavailable,invalid", yes, no, strict, loose (queues.conf). */
  joinempty?: string;
  leavewhenempty?: string;
  /** Static members (queues.conf `member =>`). */
  members?: (string | MemberSpec)[];
  /** [general] persistentmembers: dynamic members come back after a restart. */
  persistentMembers?: boolean;
  /** Queue()'s own timeout in the dialplan (Queue(operators,tT,,,300)); 0: none. */
  queueTimeout?: number;
}

/** The shipped server/telephony/asterisk/queues.conf. */
export const SHIPPED_QUEUE: Required<Omit<QueueOptions, 'members'>> = {
  strategy: 'rrmemory', timeout: 15, retry: 2, wrapuptime: 10, maxlen: 50,
  joinempty: 'paused,unavailable,invalid', leavewhenempty: 'paused,unavailable,invalid', persistentMembers: true, queueTimeout: 300,
};

function conditions(spec: string): Set<Condition> {
  const s = spec.trim().toLowerCase();
  // The old yes/strict/loose words as app_queue expands them.
  if (s === '' || s === 'no') return new Set();
  if (s === 'yes') return new Set(['penalty', 'paused', 'invalid']);
  if (s === 'strict') return new Set(['penalty', 'paused', 'invalid', 'unavailable']);
  if (s === 'loose') return new Set(['penalty', 'invalid']);
  const out = new Set<Condition>();
  for (const w of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(CONDITIONS as readonly string[]).includes(w)) throw new Error(`unknown empty condition "${w}"`);
    out.add(w as Condition);
  }
  return out;
}

const epoch = () => Math.floor(Date.now() / 1000);

// Device states (QueueMemberStatus Status): 0 unknown, 1 not in use, 2 in use, 4 invalid, 5 unavailable, 6 ringing.
const FREE = new Set([0, 1]);
const IN_USE = new Set([2, 3, 7, 8]);

export class Member {
  name: string;
  stateInterface: string;
  penalty: number;
  paused: boolean;
  pausedReason: string;
  callsTaken = 0;
  /** Epoch seconds of the last call's end (0: none yet). */
  lastCall = 0;
  /** performance.now() of the last call's end: the wrap-up runs from here. */
  lastCallAt = 0;
  lastPause = 0;
  loginTime = epoch();
  inCall = false;
  status: number;

  constructor(readonly iface: string, spec: MemberSpec, readonly membership: 'static' | 'dynamic', status: number) {
    this.name = spec.name || iface;
    this.stateInterface = spec.stateInterface || iface;
    this.penalty = spec.penalty ?? 0;
    this.paused = !!spec.paused;
    this.pausedReason = spec.paused ? spec.reason ?? '' : '';
    if (this.paused) this.lastPause = epoch();
    this.status = status;
  }
}

export class QueueEntry {
  readonly joinedAt = performance.now();
  state: 'waiting' | 'ringing' | 'retry' = 'waiting';
  timer: NodeJS.Timeout | null = null;
  expireTimer: NodeJS.Timeout | null = null;
  expireAt: number | null = null;
  attempts = 0;
  constructor(readonly call: SimCall, readonly originalPosition: number, readonly auto: boolean) {}
}

export class SimQueue {
  readonly members = new Map<string, Member>();
  entries: QueueEntry[] = [];
  readonly params: Required<Omit<QueueOptions, 'members' | 'strategy'>> & { strategy: Strategy };
  private joinEmpty: Set<Condition>;
  private leaveEmpty: Set<Condition>;
  private rrLast = -1;
  stats = { completed: 0, abandoned: 0, holdtime: 0, talktime: 0 };

  constructor(private readonly pbx: Pbx, readonly name: string, o: QueueOptions) {
    const p = { ...SHIPPED_QUEUE, ...o };
    const strategy: Strategy = p.strategy === 'roundrobin' ? 'rrmemory' : p.strategy;
    this.params = { ...p, strategy };
    this.joinEmpty = conditions(p.joinempty);
    this.leaveEmpty = conditions(p.leavewhenempty);
    for (const m of o.members ?? []) this.add(typeof m === 'string' ? { interface: m } : m, 'static');
  }

  // ------------------------------------------------------------------------------- members

  add(spec: MemberSpec, membership: 'static' | 'dynamic' = 'dynamic'): Member | null {
    if (this.members.has(spec.interface)) return null;
    const m = new Member(spec.interface, spec, membership, 0);
    m.status = this.pbx.deviceState(m.stateInterface);
    this.members.set(spec.interface, m);
    if (membership === 'dynamic') this.pbx.emit('QueueMemberAdded', this.memberHeaders(m));
    return m;
  }

  remove(iface: string): 'removed' | 'not there' | 'not dynamic' {
    const m = this.members.get(iface);
    if (!m) return 'not there';
    if (m.membership !== 'dynamic') return 'not dynamic';
    this.members.delete(iface);
    this.pbx.emit('QueueMemberRemoved', this.memberHeaders(m));
    return 'removed';
  }

  /** QueuePause: the event echoes the reason even for an unpause; the member keeps it only while paused. */
  pause(iface: string, paused: boolean, reason: string): boolean {
    const m = this.members.get(iface);
    if (!m) return false;
    m.paused = paused;
    m.pausedReason = paused ? reason : '';
    if (paused) m.lastPause = epoch();
    this.pbx.emit('QueueMemberPause', this.memberHeaders(m, reason));
    return true;
  }

  /** QueueMemberAdded/Removed/Pause/Status. */
  memberHeaders(m: Member, pausedReason = m.pausedReason): Headers {
    return [['Queue', this.name], ['MemberName', m.name], ['Interface', m.iface], ['StateInterface', m.stateInterface],
      ['Membership', m.membership], ['Penalty', String(m.penalty)], ['CallsTaken', String(m.callsTaken)],
      ['LastCall', String(m.lastCall)], ['LastPause', String(m.lastPause)], ['LoginTime', String(m.loginTime)],
      ['InCall', m.inCall ? '1' : '0'], ['Status', String(m.status)], ['Paused', m.paused ? '1' : '0'],
      ['PausedReason', pausedReason], ['Ringinuse', '0'], ['Wrapuptime', '0']];
  }

  inWrapup(m: Member, now = performance.now()) {
    return this.params.wrapuptime > 0 && m.lastCallAt > 0 && now - m.lastCallAt < this.params.wrapuptime * 1000;
  }

  /** Can be rung now: not paused, its device free (ringinuse=no), not wrapping up. */
  available(m: Member) { return !m.paused && FREE.has(m.status) && !this.inWrapup(m); }

  /** get_member_status: true when no member is left once the conditions are applied (JOINEMPTY/LEAVEEMPTY). */
  private empty(conds: Set<Condition>): boolean {
    if (!conds.size) return false;
    for (const m of this.members.values()) {
      if (conds.has('paused') && m.paused) continue;
      if (conds.has('inuse') && IN_USE.has(m.status)) continue;
      if (conds.has('ringing') && m.status === 6) continue;
      if (conds.has('unavailable') && m.status === 5) continue;
      if (conds.has('invalid') && m.status === 4) continue;
      if (conds.has('unknown') && m.status === 0) continue;
      if (conds.has('wrapup') && this.inWrapup(m)) continue;
      return false;
    }
    return true;
  }

  // ------------------------------------------------------------------------------- callers

  position(e: QueueEntry) { return this.entries.indexOf(e) + 1; }

  entryOf(call: SimCall) { return this.entries.find((e) => e.call === call); }

  /** Queue(): FULL or JOINEMPTY (nothing is emitted), or the caller joins (QueueCallerJoin). */
  join(call: SimCall, auto: boolean, timeoutS: number): QueueResult | QueueEntry {
    if (this.params.maxlen > 0 && this.entries.length >= this.params.maxlen) return 'FULL';
    if (this.empty(this.joinEmpty)) return 'JOINEMPTY';
    const e = new QueueEntry(call, this.entries.length + 1, auto);
    this.entries.push(e);
    this.pbx.emitOn('QueueCallerJoin', call.caller, [['Queue', this.name], ['Position', String(this.position(e))], ['Count', String(this.entries.length)]]);
    if (auto) {
      if (timeoutS > 0) {
        e.expireAt = e.joinedAt + timeoutS * 1000;
        e.expireTimer = this.pbx.later(timeoutS * 1000, () => this.expired(e));
      }
      if (this.ourTurn(e)) this.tryCalling(e);
      else this.wait(e, this.pbx.timing.queueAnnounceMs + this.pbx.timing.queueRecheckMs);
    }
    return e;
  }

  /** The caller left the queue because a member answered: QueueCallerLeave. */
  leaveConnected(e: QueueEntry) {
    const holdS = Math.round((performance.now() - e.joinedAt) / 1000);
    this.stats.holdtime = this.stats.completed ? Math.round((this.stats.holdtime * 3 + holdS) / 4) : holdS;
    this.drop(e);
  }

  /** The caller hung up (or was told to leave): QueueCallerAbandon; then `leave` sends QueueCallerLeave. */
  abandon(e: QueueEntry) {
    this.stats.abandoned++;
    this.pbx.emitOn('QueueCallerAbandon', e.call.caller, [['Queue', this.name], ['Position', String(this.position(e))],
      ['OriginalPosition', String(e.originalPosition)], ['HoldTime', String(Math.round((performance.now() - e.joinedAt) / 1000))]]);
  }

  drop(e: QueueEntry) {
    const pos = this.position(e);
    if (!pos) return;
    this.stop(e);
    this.entries.splice(pos - 1, 1);
    this.pbx.emitOn('QueueCallerLeave', e.call.caller, [['Queue', this.name], ['Position', String(pos)], ['Count', String(this.entries.length)]]);
  }

  stop(e: QueueEntry) {
    this.pbx.timers.clear(e.timer);
    this.pbx.timers.clear(e.expireTimer);
    e.timer = e.expireTimer = null;
  }

  /** A call that ended after talking: the queue's averages (QueueParams). */
  completed(talkS: number) {
    this.stats.talktime = this.stats.completed ? Math.round((this.stats.talktime * 3 + talkS) / 4) : talkS;
    this.stats.completed++;
  }

  /** Restart: nobody waits, statistics start over; dynamic members are gone unless persistent. */
  reset() {
    this.entries = [];
    this.stats = { completed: 0, abandoned: 0, holdtime: 0, talktime: 0 };
    for (const m of [...this.members.values()]) {
      if (m.membership === 'dynamic' && !this.params.persistentMembers) this.members.delete(m.iface);
      else { m.inCall = false; m.status = 1; m.lastCallAt = 0; }
    }
  }

  // ------------------------------------------------------------------------------- the loop

  /** is_our_turn: fewer callers ahead (not already ringing someone) than members free. */
  private ourTurn(e: QueueEntry) {
    let avl = [...this.members.values()].filter((m) => this.available(m)).length;
    if (this.params.strategy === 'ringall') avl = Math.min(avl, 1);
    let ahead = 0;
    for (const x of this.entries) {
      if (x === e) break;
      if (x.state !== 'ringing') ahead++;
    }
    return ahead < avl;
  }

  private isExpired(e: QueueEntry) { return e.expireAt !== null && performance.now() >= e.expireAt - 5; }

  private wait(e: QueueEntry, ms: number) {
    e.state = 'waiting';
    this.pbx.timers.clear(e.timer);
    e.timer = this.pbx.later(ms, () => this.check(e));
  }

  private check(e: QueueEntry) {
    e.timer = null;
    if (!this.entries.includes(e)) return;
    if (this.empty(this.leaveEmpty)) return this.giveUp(e, 'LEAVEEMPTY');
    if (this.ourTurn(e)) return this.tryCalling(e);
    this.wait(e, this.pbx.timing.queueRecheckMs);
  }

  /** Members to ring for this attempt: all free ones (ringall) or the next free one. */
  private pick(): Member[] {
    const all = [...this.members.values()];
    const free = all.filter((m) => this.available(m));
    if (!free.length) return [];
    const best = Math.min(...free.map((m) => m.penalty));
    const tier = free.filter((m) => m.penalty === best);
    if (this.params.strategy === 'ringall') return tier;
    if (this.params.strategy === 'linear') return [tier[0]];
    for (let i = 1; i <= all.length; i++) {
      const m = all[(this.rrLast + i) % all.length];
      if (tier.includes(m)) { this.rrLast = all.indexOf(m); return [m]; }
    }
    return [tier[0]];
  }

  private tryCalling(e: QueueEntry) {
    const members = this.pick();
    if (!members.length) return this.afterAttempt(e);
    const left = e.expireAt === null ? Infinity : e.expireAt - performance.now();
    const ringMs = Math.max(0, Math.min(this.params.timeout > 0 ? this.params.timeout * 1000 : Infinity, left));
    e.state = 'ringing';
    e.attempts++;
    e.call.ringMembers(members, true);
    if (Number.isFinite(ringMs)) e.timer = this.pbx.later(ringMs, () => { e.timer = null; e.call.ringTimedOut(ringMs); });
  }

  /** After a ring that nobody answered (or nobody to ring): leave when empty, time out, or retry. */
  afterAttempt(e: QueueEntry) {
    if (!this.entries.includes(e) || !e.auto) return;
    if (this.empty(this.leaveEmpty)) return this.giveUp(e, 'LEAVEEMPTY');
    if (this.isExpired(e)) return this.giveUp(e, 'TIMEOUT');
    e.state = 'retry';
    this.pbx.timers.clear(e.timer);
    e.timer = this.pbx.later(this.params.retry * 1000, () => {
      e.timer = null;
      if (this.isExpired(e)) return this.giveUp(e, 'TIMEOUT');
      if (this.ourTurn(e)) this.tryCalling(e);
      else this.check(e);
    });
  }

  private expired(e: QueueEntry) {
    e.expireTimer = null;
    // A ring in progress is already cut to end now; its end leads here through afterAttempt.
    if (this.entries.includes(e) && e.state !== 'ringing') this.giveUp(e, 'TIMEOUT');
  }

  /** LEAVEEMPTY and TIMEOUT: Asterisk counts them as abandoned (QueueCallerAbandon) though the caller is still there. */
  private giveUp(e: QueueEntry, result: QueueResult) {
    this.abandon(e);
    this.drop(e);
    e.call.queueReturned(this.name, result);
  }

  // ------------------------------------------------------------------------------- actions

  paramsItem(actionId: string | undefined): Headers {
    const p = this.params;
    return withId([['Queue', this.name], ['Max', String(p.maxlen)], ['Strategy', p.strategy], ['Calls', String(this.entries.length)],
      ['Holdtime', String(this.stats.holdtime)], ['TalkTime', String(this.stats.talktime)], ['Completed', String(this.stats.completed)],
      ['Abandoned', String(this.stats.abandoned)], ['ServiceLevel', '0'], ['ServicelevelPerf', '0.0'], ['ServicelevelPerf2', '0.0'],
      ['Weight', '0']], actionId);
  }

  memberItem(m: Member, actionId: string | undefined): Headers {
    return withId([['Queue', this.name], ['Name', m.name], ['Location', m.iface], ['StateInterface', m.stateInterface],
      ['Membership', m.membership], ['Penalty', String(m.penalty)], ['CallsTaken', String(m.callsTaken)], ['LastCall', String(m.lastCall)],
      ['LastPause', String(m.lastPause)], ['LoginTime', String(m.loginTime)], ['InCall', m.inCall ? '1' : '0'], ['Status', String(m.status)],
      ['Paused', m.paused ? '1' : '0'], ['PausedReason', m.pausedReason], ['Wrapuptime', '0']], actionId);
  }

  entryItem(e: QueueEntry, actionId: string | undefined): Headers {
    const ch = e.call.caller;
    const snap = new Map(snapshot(ch));
    return withId([['Queue', this.name], ['Position', String(this.position(e))], ['Channel', ch.name], ['Uniqueid', ch.uniqueid],
      ['CallerIDNum', snap.get('CallerIDNum')!], ['CallerIDName', snap.get('CallerIDName')!],
      ['ConnectedLineNum', snap.get('ConnectedLineNum')!], ['ConnectedLineName', snap.get('ConnectedLineName')!],
      ['Wait', String(Math.floor((performance.now() - e.joinedAt) / 1000))], ['Priority', '0']], actionId);
  }

  summaryItem(actionId: string | undefined): Headers {
    const members = [...this.members.values()];
    const longest = this.entries.reduce((w, e) => Math.max(w, Math.floor((performance.now() - e.joinedAt) / 1000)), 0);
    return withId([['Queue', this.name], ['LoggedIn', String(members.filter((m) => m.status !== 4 && m.status !== 5).length)],
      ['Available', String(members.filter((m) => this.available(m)).length)], ['Callers', String(this.entries.length)],
      ['HoldTime', String(this.stats.holdtime)], ['TalkTime', String(this.stats.talktime)], ['LongestHoldTime', String(longest)]], actionId);
  }
}

/** Queue list items end with the ActionID (CoreShowChannel puts it first). */
function withId(h: Headers, actionId: string | undefined): Headers {
  return actionId !== undefined ? [...h, ['ActionID', actionId]] : h;
}
