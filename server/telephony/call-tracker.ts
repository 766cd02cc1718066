// Turns the PBX's AMI events into calls: one call-log row per call, the operators it rings and who
// answers, how it ended, recordings, and the screen pops (docs/telephony.md, "Life of a call").
//
// A call is everything Asterisk links under one Linkedid. Its *caller channels* are the ones the
// resident's side runs on: a trunk channel, or both halves of a Local channel — each half created
// in the inbound context, the ";1" with Uniqueid == Linkedid, the ";2" (which runs the dialplan and
// sits in the queue) with the ";1"'s id as Linkedid. Every other channel of the Linkedid is a *leg*
// (an operator's phone, a Local queue member's two halves, a transfer to a service). The call ends
// when its last caller channel hangs up, and its outcome is decided then (vocabulary/telephony.ts).
//
// Latency: the caller's card is looked up as soon as the number is known (NewCallerid of the
// first half, or the trunk's Newchannel), well before an operator is rung; the row is written with
// the first burst of events under an id reserved in advance, so a pop waits for no INSERT; the
// operator behind an interface comes from memory. Writes of one call are chained so they apply in
// event order; pops of one call are chained so they arrive in order.
import { statSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { normalizePhone } from '../../vocabulary/phone.ts';
import { canonicalInterface, QUEUESTATUS_OUTCOME, type CallOutcome } from '../../vocabulary/telephony.ts';
import type { CallerCard } from '../residents/residents.service.ts';
import type { AmiMessage } from 'asterisk-ami-client';
import type { AmiResponse } from './ami-connection.ts';
import type { CallPop } from './pops.ts';
import type { NewCall, TelephonyRepo } from './telephony.repo.ts';
import type { OperatorDirectory } from './operators.ts';
import type { Clock } from '../clock.ts';

export interface TrackerDeps {
  repo: Pick<TelephonyRepo, 'insertCall' | 'patchCall' | 'closeMissing' | 'insertRecording' | 'recordingsOfCall' | 'finishRecording'>;
  /** Call ids reserved ahead (on the pop path's own pool). */
  reserveCallIds(n: number): Promise<number[]>;
  card(phone: string | null): Promise<CallerCard>;
  operators: Pick<OperatorDirectory, 'of'>;
  publish(userId: number, pop: CallPop): void;
  /** A call ended (the wallboard: the operator's wrap-up starts, the day's figures move). */
  ended?(c: { key: string; outcome: CallOutcome; operatorInterface: string | null; at: Date }): void;
  action?(msg: AmiMessage): Promise<AmiResponse>;
  recordingsDir: string;
  /** Who starts MixMonitor: the dialplan (the product only learns the file name), the product through AMI, or nobody. */
  record: 'dialplan' | 'ami' | 'off';
  /** Dialplan contexts where calls from the city enter; their channels are the callers' from the first event. */
  inboundContexts: string[];
  /** Event times: the moment each event is handled, by this clock. */
  clock: Clock;
  log(m: string): void;
}

interface Chan {
  uniqueid: string;
  linkedid: string;
  name: string;
  context: string;
  phone: string | null;
  createdAt: Date;
  role: 'caller' | 'leg' | null;
  recording?: string;
}

interface Ring { userId: number | null; since: Date }

interface Call {
  key: string;
  id: Promise<number>;
  /** Caller channels still up (uniqueids). */
  callers: Set<string>;
  /** The caller channel to act on (hang up, record): the one in the queue or the bridge. */
  channel: string;
  phone: string | null;
  card: Promise<CallerCard> | null;
  cardPhone: string | null;
  enteredAt: Date;
  queue: string | null;
  queuedAt: Date | null;
  /** In the queue and not yet answered, abandoned or turned away. */
  waiting: boolean;
  queueStatus: string | null;
  /** An operator was dialled directly (no queue). */
  direct: boolean;
  rung: Map<string, Ring>;
  ringing: Set<string>;
  answered: { iface: string; userId: number | null; at: Date } | null;
  /** The queue let the caller go while an operator's phone rang (QueueCallerAbandon). */
  leftRinging: boolean;
  /** The first caller channel's hang-up: the moment the resident was gone. */
  callerLeft: { at: Date; ringing: boolean; cause: number | null; causeText: string | null } | null;
  endedPopped: boolean;
  ended: boolean;
  db: Promise<void>;
  pops: Promise<void>;
  seq: number;
  recordings: Set<string>;
  pending: Record<string, unknown>;
  flushQueued: boolean;
  inserted: boolean;
  row: NewCall;
}

/** What a live call looks like from outside (the wallboard, the desk stream opened mid-call). */
export interface LiveCall {
  key: string;
  queue: string | null;
  queuedAt: Date | null;
  waiting: boolean;
  ringing: { iface: string; userId: number | null; since: Date }[];
  answered: { iface: string; userId: number | null; at: Date } | null;
}

export const LOST_TEXT = 'Ended while the PBX connection was down';

/** Channel name without its Local half: "Local/100@operators-0000001c;2" → "Local/100@operators-0000001c". */
const pairOf = (name: string) => name.replace(/;\d$/, '');

function phoneOf(raw: string | undefined): string | null {
  if (!raw || raw === '<unknown>' || raw === 'anonymous' || raw === 's') return null;
  return normalizePhone(raw) ?? raw;
}

function causeOf(e: AmiMessage): number | null {
  if (e.Cause === undefined || e.Cause === '') return null;
  const n = Number(e.Cause);
  return Number.isFinite(n) ? n : null;
}

function durationMs(hms: string | undefined): number {
  const m = /^(\d+):(\d{2}):(\d{2})$/.exec(hms ?? '');
  return m ? ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 : 0;
}

/** Why a ring ended, from a DialEnd status. */
function ringEndReason(call: Call, status: string | undefined): string {
  switch (status) {
    // Dial() gives up on a leg when its caller goes away, or when another leg answered.
    case 'CANCEL': return call.answered ? 'answered_elsewhere' : 'hangup';
    case 'BUSY': return 'busy';
    case 'CHANUNAVAIL': return 'unavailable';
    case 'CONGESTION': return 'congestion';
    default: return 'no_answer';
  }
}

export function callTracker(deps: TrackerDeps) {
  const channels = new Map<string, Chan>();
  /** Channels by Linkedid, for those seen before their call is known (a queue outside the inbound contexts). */
  const linked = new Map<string, Set<string>>();
  const calls = new Map<string, Call>();
  /** Uniqueids hung up lately: a reconcile must not revive them from a list read meanwhile. */
  const hungUp = new Map<string, number>();
  const inbound = new Set(deps.inboundContexts);
  /** Calls by id while they are tracked or still writing (the API waits for a call's writes). */
  const byId = new Map<number, Call>();
  const now = () => deps.clock.now();

  const inflight = new Set<Promise<void>>();
  function hold(p: Promise<void>) {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  }

  function write(call: Call, fn: (id: number) => Promise<unknown>) {
    call.db = hold(call.db.then(async () => { await fn(await call.id); })
      .catch((e: Error) => deps.log(`call ${call.key}: ${e.message}`)));
  }

  /**
   * Column changes of one call merged into one statement per burst of events: a queued call costs
   * a handful of writes — the INSERT with queue, number and rung operator, the answer, the end.
   */
  function patch(call: Call, fields: Record<string, unknown>) {
    Object.assign(call.pending, fields);
    if (call.flushQueued) return;
    call.flushQueued = true;
    write(call, async (id) => {
      call.flushQueued = false;
      const values = call.pending;
      call.pending = {};
      if (call.inserted) { await deps.repo.patchCall(id, values); return; }
      call.inserted = true;
      const actual = await deps.repo.insertCall({ ...call.row, ...values, id });
      if (actual !== id) {
        // The Linkedid was logged before (another instance, or this one before a restart): that row it is.
        call.id = Promise.resolve(actual);
        byId.set(actual, call);
        await deps.repo.patchCall(actual, values);
      }
    });
  }

  // Ids come from the sequence in batches: a pop never waits for the call's INSERT to commit.
  const idPool: number[] = [];
  let refilling: Promise<void> | null = null;
  function refill() {
    refilling ??= deps.reserveCallIds(64).then((ids) => { idPool.push(...ids); }).finally(() => { refilling = null; });
    return refilling;
  }
  async function nextId(): Promise<number> {
    while (!idPool.length) await refill();
    if (idPool.length < 16) refill().catch((e: Error) => deps.log(`call ids: ${e.message}`));
    return idPool.shift()!;
  }

  function lookup(call: Call) {
    if (call.cardPhone === call.phone && call.card) return;
    call.cardPhone = call.phone;
    const card = deps.card(call.phone).catch((e: Error) => {
      deps.log(`caller lookup ${call.phone}: ${e.message}`);
      return { phone: call.phone, resident: null, openAppeals: [], announcements: [] } as CallerCard;
    });
    call.card = card;
    // The resident rides along with the next write of the call (or gets its own once the call is over).
    void card.then((c) => {
      if (!c.resident || call.card !== card) return;
      if (call.ended && !call.flushQueued) patch(call, { residentId: c.resident.id });
      else call.pending.residentId = c.resident.id;
    });
  }

  function setPhone(call: Call, raw: string | undefined) {
    const phone = phoneOf(raw);
    if (!phone || phone === call.phone) return;
    call.phone = phone;
    patch(call, { callerPhone: phone });
    lookup(call);
  }

  /** Whether a channel of this call is on the resident's side. */
  function isCaller(call: Call, ch: Chan): boolean {
    if (inbound.has(ch.context) || ch.uniqueid === call.key) return true;
    // The other half of a Local caller channel.
    const pair = pairOf(ch.name);
    if (pair === ch.name) return false;
    for (const u of call.callers) if (pairOf(channels.get(u)?.name ?? '') === pair) return true;
    return false;
  }

  function attach(call: Call, ch: Chan, role = isCaller(call, ch) ? 'caller' as const : 'leg' as const) {
    if (ch.role === role) return;
    ch.role = role;
    if (role === 'leg') { call.callers.delete(ch.uniqueid); return; }
    call.callers.add(ch.uniqueid);
    // The later half of a Local channel runs the dialplan: it is the one to hang up or record.
    if ((!call.queuedAt || !call.channel) && call.channel !== ch.name) {
      call.channel = ch.name;
      patch(call, { channel: ch.name });
    }
    if (ch.phone) setPhone(call, ch.phone);
    if (ch.recording) recording(call, ch.recording);
  }

  function channelFrom(e: AmiMessage, at = now()): Chan {
    const u = e.Uniqueid ?? '';
    const known = channels.get(u);
    if (known) return known;
    const ch: Chan = { uniqueid: u, linkedid: e.Linkedid || u, name: e.Channel ?? '', context: e.Context ?? '', phone: phoneOf(e.CallerIDNum), createdAt: at, role: null };
    channels.set(u, ch);
    let set = linked.get(ch.linkedid);
    if (!set) linked.set(ch.linkedid, (set = new Set()));
    set.add(u);
    return ch;
  }

  function forget(u: string) {
    const ch = channels.get(u);
    if (!ch) return;
    channels.delete(u);
    const set = linked.get(ch.linkedid);
    if (set) { set.delete(u); if (!set.size) linked.delete(ch.linkedid); }
  }

  /** A new call under this Linkedid; channels seen before it are sorted into callers and legs. */
  function open(key: string, e: AmiMessage, adoptedAt?: Date): Call {
    const enteredAt = adoptedAt ?? channels.get(key)?.createdAt ?? now();
    const call: Call = {
      key, id: Promise.resolve(0), callers: new Set(), channel: '', phone: null, card: null, cardPhone: null, enteredAt,
      queue: null, queuedAt: null, waiting: false, queueStatus: null, direct: false, rung: new Map(), ringing: new Set(),
      answered: null, leftRinging: false, callerLeft: null, endedPopped: false, ended: false, db: Promise.resolve(), pops: Promise.resolve(),
      seq: 0, recordings: new Set(), pending: {}, flushQueued: false, inserted: false,
      row: {
        uniqueid: key, linkedid: key, channel: e.Channel || null, callerPhone: null,
        calledNumber: e.Exten && e.Exten !== 's' ? e.Exten : null, queue: null, enteredAt,
      },
    };
    if (adoptedAt) {
      // Found in the PBX's list after a reconnect: the row may exist already, keep its id.
      call.inserted = true;
      call.id = deps.repo.insertCall(call.row);
    } else {
      call.id = nextId();
      patch(call, {});
    }
    call.id.catch((err: Error) => deps.log(`call ${key} has no id: ${err.message}`));
    calls.set(key, call);
    void call.id.then((id) => { byId.set(id, call); }, () => {});
    for (const u of linked.get(key) ?? []) { const ch = channels.get(u); if (ch) attach(call, ch); }
    lookup(call);
    return call;
  }

  function pop(call: Call, type: CallPop['type'], userId: number | null, reason?: string) {
    if (userId === null) return;
    const seq = ++call.seq;
    const at = now().toISOString();
    const answeredAt = call.answered?.at.toISOString() ?? null;
    call.pops = hold(call.pops.then(async () => {
      const [id, card] = await Promise.all([call.id, call.card ?? deps.card(call.phone)]);
      deps.publish(userId, {
        type, callId: id, uniqueid: call.key, phone: call.phone, queue: call.queue,
        card: { resident: card.resident, openAppeals: card.openAppeals, announcements: card.announcements },
        at, answeredAt, seq, ...(reason ? { reason } : {}),
      });
    }).catch((e: Error) => deps.log(`pop for ${call.key}: ${e.message}`)));
  }

  function ring(call: Call, iface: string | null) {
    if (!iface || call.ended || call.answered || call.callerLeft || call.ringing.has(iface)) return;
    const userId = deps.operators.of(iface)?.id ?? null;
    call.rung.set(iface, { userId, since: now() });
    call.ringing.add(iface);
    patch(call, { agentInterface: iface });
    pop(call, 'ringing', userId);
  }

  function unring(call: Call, iface: string | null, reason: string) {
    if (!iface || !call.ringing.delete(iface)) return;
    pop(call, 'ended', call.rung.get(iface)?.userId ?? null, reason);
  }

  function answer(call: Call, iface: string | null, at = now()) {
    if (!iface || call.ended || call.answered) return;
    const userId = call.rung.get(iface)?.userId ?? deps.operators.of(iface)?.id ?? null;
    call.answered = { iface, userId, at };
    call.waiting = false;
    call.ringing.delete(iface);
    patch(call, { answeredAt: at, agentInterface: iface, operatorId: userId });
    pop(call, 'answered', userId);
    for (const other of [...call.ringing]) unring(call, other, 'answered_elsewhere');
    if (deps.record === 'ami' && deps.action && call.channel) {
      const file = `${call.key}.wav`;
      deps.action({ Action: 'MixMonitor', Channel: call.channel, File: file, Options: 'b' })
        .then((r) => { if (r.Response === 'Success') recording(call, file); else deps.log(`MixMonitor on ${call.channel}: ${r.Message}`); })
        .catch((e: Error) => deps.log(`MixMonitor on ${call.channel}: ${e.message}`));
    }
  }

  /** The Queue() application's verdict (VarSet QUEUESTATUS or the dialplan's UserEvent). */
  function queueResult(call: Call, status: string | undefined, queue: string | undefined) {
    const fields: Record<string, unknown> = {};
    if (queue && !call.queue) { call.queue = queue; fields.queue = queue; }
    if (status && call.queueStatus !== status) {
      call.queueStatus = status;
      fields.queueStatus = status;
      if (QUEUESTATUS_OUTCOME[status]) {
        // JOINEMPTY and FULL never joined: the wait was nil, and starts and ends now.
        if (!call.queuedAt) { call.queuedAt = now(); fields.queuedAt = call.queuedAt; }
        call.waiting = false;
      }
    }
    if (Object.keys(fields).length) patch(call, fields);
  }

  function outcomeOf(call: Call): CallOutcome {
    if (call.answered) return 'answered';
    const turnedAway = call.queueStatus ? QUEUESTATUS_OUTCOME[call.queueStatus] : undefined;
    if (turnedAway) return turnedAway;
    if (call.callerLeft?.ringing || call.leftRinging) return 'abandoned_ringing';
    if (call.queue && call.queuedAt) return 'abandoned_queue';
    if (call.direct) return 'unanswered';
    return 'ended_before_queue';
  }

  /** The resident's side is gone (its first channel hung up): operators' screens learn it now. */
  function callerGone(call: Call, at: Date, cause: number | null, causeText: string | null, reason: string) {
    if (call.callerLeft) {
      // A Local half reports cause 0 where the other carries the real one.
      if (!call.callerLeft.cause && cause) { call.callerLeft.cause = cause; call.callerLeft.causeText = causeText; }
      return;
    }
    call.callerLeft = { at, ringing: call.ringing.size > 0, cause, causeText };
    call.waiting = false;
    for (const iface of [...call.ringing]) unring(call, iface, reason);
    if (call.answered && !call.endedPopped) { call.endedPopped = true; pop(call, 'ended', call.answered.userId, reason); }
  }

  function end(call: Call, outcome: CallOutcome, at: Date) {
    if (call.ended) return;
    call.ended = true;
    const left = call.callerLeft;
    // The call ended when the resident's side did (the other half follows within milliseconds).
    at = left?.at ?? at;
    patch(call, {
      hungupAt: at, hangupCause: left?.cause ?? null, hangupCauseText: left?.causeText ?? null, outcome,
    });
    calls.delete(call.key);
    deps.ended?.({ key: call.key, outcome, operatorInterface: call.answered?.iface ?? null, at });
    // Legs still hanging up belong to nothing any more.
    for (const u of [...(linked.get(call.key) ?? [])]) forget(u);
    setTimeout(() => { void call.db.then(() => { for (const [k, c] of byId) if (c === call) byId.delete(k); }); }, 5000).unref();
    // The PBX closes the file right after the hangup: measure it a moment later.
    if (call.recordings.size) setTimeout(() => write(call, async (id) => {
      for (const r of await deps.repo.recordingsOfCall(id)) {
        let bytes: number | null = null;
        try { bytes = statSync(resolve(deps.recordingsDir, r.path)).size; } catch { /* not (yet) visible here */ }
        await deps.repo.finishRecording(r.id, bytes, at);
      }
    }), 300).unref();
  }

  /** Ended while nobody could see it: at the moment the PBX link was lost. */
  function lose(call: Call, at: Date) {
    callerGone(call, at, null, LOST_TEXT, 'lost');
    end(call, call.answered ? 'answered' : 'lost', at);
  }

  function recording(call: Call, file: string) {
    const dir = resolve(deps.recordingsDir);
    const rel = isAbsolute(file) ? (file.startsWith(dir + '/') ? relative(dir, file) : basename(file)) : file;
    if (call.recordings.has(rel)) return;
    call.recordings.add(rel);
    const startedAt = now();
    write(call, (id) => deps.repo.insertRecording(id, rel, startedAt));
  }

  const keyOf = (e: AmiMessage) => e.Linkedid || channels.get(e.Uniqueid ?? '')?.linkedid || e.Uniqueid || '';
  /** The call a queue event belongs to; a queue outside the inbound contexts starts one. */
  function queuedCall(e: AmiMessage): Call {
    const key = keyOf(e);
    const call = calls.get(key) ?? open(key, e);
    const ch = channelFrom(e);
    attach(call, ch, 'caller');
    return call;
  }

  function handle(e: AmiMessage) {
    const u = e.Uniqueid ?? '';
    switch (e.Event) {
      case 'Newchannel': {
        const ch = channelFrom(e);
        const call = calls.get(ch.linkedid) ?? (inbound.has(ch.context) ? open(ch.linkedid, e) : undefined);
        if (call) attach(call, ch);
        return;
      }
      case 'NewCallerid': {
        const ch = channels.get(u);
        if (!ch) return;
        ch.phone = phoneOf(e.CallerIDNum) ?? ch.phone;
        const call = calls.get(ch.linkedid);
        if (call && ch.role === 'caller') setPhone(call, e.CallerIDNum);
        return;
      }
      case 'VarSet': {
        const call = calls.get(keyOf(e));
        if (e.Variable === 'MIXMONITOR_FILENAME' && e.Value) {
          if (call) recording(call, e.Value);
          else { const ch = channels.get(u); if (ch) ch.recording = e.Value; }
        } else if (e.Variable === 'QUEUESTATUS' && call) queueResult(call, e.Value, undefined);
        return;
      }
      case 'UserEvent': {
        if (e.UserEvent !== 'MistoQueueResult') return;
        const call = calls.get(keyOf(e));
        if (call) queueResult(call, e.QueueStatus, e.Queue);
        return;
      }
      case 'QueueCallerJoin': {
        const call = queuedCall(e);
        call.channel = e.Channel ?? call.channel;
        setPhone(call, e.CallerIDNum);
        const fields: Record<string, unknown> = {};
        if (e.Queue && call.queue !== e.Queue) { call.queue = e.Queue; fields.queue = e.Queue; }
        if (!call.queuedAt) { call.queuedAt = now(); fields.queuedAt = call.queuedAt; }
        call.waiting = !call.answered;
        patch(call, { ...fields, channel: call.channel });
        return;
      }
      case 'QueueCallerLeave': {
        const call = calls.get(keyOf(e));
        if (call) call.waiting = false;
        return;
      }
      case 'QueueCallerAbandon': {
        // Also sent when the queue gives up (LEAVEEMPTY, TIMEOUT): the outcome waits for QUEUESTATUS
        // or the hang-up. A trunk caller's Abandon comes before its Hangup, a Local caller's after.
        const call = calls.get(keyOf(e));
        if (!call) return;
        call.waiting = false;
        if (call.ringing.size) call.leftRinging = true;
        for (const iface of [...call.ringing]) unring(call, iface, 'hangup');
        return;
      }
      case 'AgentCalled': {
        const call = queuedCall(e);
        setPhone(call, e.CallerIDNum);
        if (e.DestUniqueid) {
          const leg = channels.get(e.DestUniqueid);
          if (leg) attach(call, leg, 'leg');
        }
        ring(call, canonicalInterface(e.Interface) ?? canonicalInterface(e.DestChannel));
        return;
      }
      case 'AgentRingNoAnswer': {
        const call = calls.get(keyOf(e));
        if (call) unring(call, canonicalInterface(e.Interface) ?? canonicalInterface(e.DestChannel), 'no_answer');
        return;
      }
      case 'AgentConnect': {
        const call = queuedCall(e);
        answer(call, canonicalInterface(e.Interface) ?? canonicalInterface(e.DestChannel));
        return;
      }
      case 'DialBegin': {
        // Without a calling channel it is an Originate placing the call itself.
        if (!e.Channel) return;
        const call = calls.get(keyOf(e));
        const from = channels.get(u);
        if (!call || from?.role !== 'caller') return;
        const leg = e.DestUniqueid ? channels.get(e.DestUniqueid) : undefined;
        if (leg) attach(call, leg, 'leg');
        // A queued call's rings are reported by the queue (AgentCalled, with the member's interface).
        if (call.queuedAt && !call.direct) return;
        const iface = canonicalInterface(e.DestChannel);
        // Only a dialled operator makes it an operator call; a transfer to a service is not one.
        if (!iface || !deps.operators.of(iface, { quiet: true })) return;
        call.direct = true;
        call.channel = e.Channel;
        setPhone(call, e.CallerIDNum);
        const fields: Record<string, unknown> = { channel: e.Channel };
        if (!call.queuedAt) { call.queuedAt = now(); fields.queuedAt = call.queuedAt; }
        patch(call, fields);
        ring(call, iface);
        return;
      }
      case 'DialEnd': {
        if (!e.Channel) return;
        const call = calls.get(keyOf(e));
        if (!call) return;
        const iface = canonicalInterface(e.DestChannel);
        if (e.DialStatus === 'ANSWER') { if (call.direct && iface && call.rung.has(iface)) answer(call, iface); return; }
        // A ring cancelled before anyone answered: the caller is going (a trunk caller's hang-up shows here first).
        if (e.DialStatus === 'CANCEL' && !call.answered && iface && call.ringing.has(iface)) call.leftRinging = true;
        unring(call, iface, ringEndReason(call, e.DialStatus));
        return;
      }
      case 'BridgeEnter': {
        // Direct dialling without a DialEnd ANSWER seen (e.g. adopted after a reconnect): the operator's leg in the bridge.
        const ch = channels.get(u);
        const call = ch ? calls.get(ch.linkedid) : undefined;
        if (call && ch?.role === 'leg' && call.direct && !call.answered) answer(call, canonicalInterface(ch.name));
        return;
      }
      case 'Hangup': {
        const ch = channels.get(u);
        const key = ch?.linkedid ?? e.Linkedid ?? u;
        forget(u);
        const t = now().getTime();
        hungUp.set(u, t);
        if (hungUp.size > 10_000) for (const [k, at] of hungUp) { if (t - at > 300_000) hungUp.delete(k); else break; }
        const call = calls.get(key);
        if (!call) return;
        const at = now();
        if (call.callers.delete(u) || ch?.role === 'caller') {
          callerGone(call, at, causeOf(e), e['Cause-txt'] ?? null, 'hangup');
          if (!call.callers.size) end(call, outcomeOf(call), at);
          return;
        }
        // An operator's leg: a ring that ends without an answer.
        const iface = canonicalInterface(e.Channel);
        if (iface && call.ringing.has(iface)) unring(call, iface, causeOf(e) === 26 || call.answered ? 'answered_elsewhere' : call.callerLeft ? 'hangup' : 'no_answer');
        return;
      }
    }
  }

  /**
   * After a (re)connect: `items` is the PBX's CoreShowChannels list, `before` the calls tracked when
   * the session began. Those not live any more ended during the gap, at `lostAt` (when the link was
   * lost); live calls nobody
   * logged (they began during the gap) are logged now, both Local halves included, and popped to
   * the operator they ring or talk to; rows left open by a process that is gone are closed at
   * `orphansAt`.
   */
  async function reconcile(items: AmiMessage[], o: { before: Set<string>; lostAt?: Date | null; orphansAt: Date }) {
    const at = now();
    const lostAt = o.lostAt ?? at;
    const live = new Set(items.map((i) => i.Uniqueid ?? ''));
    const groups = new Map<string, AmiMessage[]>();
    for (const it of items) {
      const key = it.Linkedid || it.Uniqueid || '';
      if (!key) continue;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(it);
    }
    const lost: Call[] = [];
    let adopted = 0;
    for (const call of [...calls.values()]) {
      // Calls first heard of in this session are live whatever the list says (it may predate them);
      // any live channel of the Linkedid keeps a call (its caller channels may have been replaced).
      if (o.before.has(call.key) && !groups.has(call.key)) { lose(call, lostAt); lost.push(call); }
    }
    // Channels whose Hangup was missed while disconnected (not those created while the list was read).
    for (const [u, ch] of [...channels]) {
      if (!live.has(u) && ch.createdAt.getTime() < at.getTime() - 2000) {
        forget(u);
        const call = calls.get(ch.linkedid);
        if (call?.callers.delete(u) && !call.callers.size) { lose(call, lostAt); lost.push(call); }
      }
    }
    for (const [key, group] of groups) {
      const fresh = group.filter((i) => !hungUp.has(i.Uniqueid ?? ''));
      if (!fresh.length) continue;
      let call = calls.get(key);
      const incoming = fresh.some((i) => inbound.has(i.Context ?? '') || i.Application === 'Queue');
      if (!call && !incoming) continue;
      const longest = Math.max(...fresh.map((i) => durationMs(i.Duration)));
      if (!call) {
        call = open(key, fresh.find((i) => i.Uniqueid === key) ?? fresh[0], new Date(at.getTime() - longest));
        adopted++;
      }
      // Callers first: the origin, channels in an inbound context or in the queue, and their Local halves.
      const callerItem = (i: AmiMessage) => i.Uniqueid === key || inbound.has(i.Context ?? '') || i.Application === 'Queue' || (i.Application === 'Dial' && fresh.some((x) => x !== i && x.Application === 'AppDial'));
      const sorted = [...fresh].sort((a, b) => Number(callerItem(b)) - Number(callerItem(a)));
      for (const it of sorted) {
        const ch = channelFrom(it, new Date(at.getTime() - durationMs(it.Duration)));
        attach(call, ch, callerItem(it) || isCaller(call, ch) ? 'caller' : 'leg');
        if (ch.role === 'caller') setPhone(call, it.CallerIDNum);
      }
      const inQueue = fresh.find((i) => i.Application === 'Queue');
      const dialling = fresh.find((i) => i.Application === 'Dial' && channels.get(i.Uniqueid ?? '')?.role === 'caller');
      if (inQueue && inQueue.Channel && call.channel !== inQueue.Channel) {
        call.channel = inQueue.Channel;
        patch(call, { channel: call.channel });
      }
      if (inQueue) {
        if (!call.queue) { call.queue = (inQueue.ApplicationData ?? '').split(',')[0] || null; patch(call, { queue: call.queue }); }
        if (!call.queuedAt) { call.queuedAt = call.enteredAt; patch(call, { queuedAt: call.queuedAt }); }
      }
      const legIfaces = new Set(fresh.filter((i) => channels.get(i.Uniqueid ?? '')?.role === 'leg').map((i) => canonicalInterface(i.Channel)));
      for (const iface of [...call.ringing]) if (!legIfaces.has(iface)) unring(call, iface, 'no_answer');
      const bridges = new Set(fresh.filter((i) => channels.get(i.Uniqueid ?? '')?.role === 'caller' && i.BridgeId).map((i) => i.BridgeId));
      for (const leg of fresh) {
        if (channels.get(leg.Uniqueid ?? '')?.role !== 'leg') continue;
        const iface = canonicalInterface(leg.Channel);
        if (!iface || !deps.operators.of(iface, { quiet: true })) continue;
        if (dialling && !inQueue) {
          call.direct = true;
          if (!call.queuedAt) { call.queuedAt = call.enteredAt; patch(call, { queuedAt: call.queuedAt }); }
        }
        // Answered during the gap: no earlier than the leg was created, nor than the link was lost.
        const legSince = at.getTime() - durationMs(leg.Duration);
        if (leg.BridgeId && bridges.has(leg.BridgeId)) {
          if (!call.answered) answer(call, iface, new Date(Math.max(legSince, Math.min(lostAt.getTime(), at.getTime()))));
        } else if (!call.answered) ring(call, iface);
      }
      if (call.answered) call.waiting = false;
      else if (inQueue) call.waiting = true;
    }
    // The log may hold calls no process is tracking (this one restarted, or another instance died);
    // the calls just lost are written first, so they are not counted again among them.
    await Promise.all([...lost.map((c) => c.db), ...[...calls.values()].map((c) => c.id.catch(() => 0))]);
    const closed = await deps.repo.closeMissing([...calls.keys()], o.orphansAt, LOST_TEXT);
    return { live: items.length, calls: calls.size, adopted, ended: lost.length, closedOrphans: closed.length };
  }

  function liveCalls(): LiveCall[] {
    return [...calls.values()].filter((c) => !c.ended).map((c) => ({
      key: c.key, queue: c.queue, queuedAt: c.queuedAt, waiting: c.waiting,
      ringing: [...c.ringing].map((iface) => ({ iface, userId: c.rung.get(iface)?.userId ?? null, since: c.rung.get(iface)?.since ?? c.enteredAt })),
      answered: c.answered && !c.callerLeft ? { ...c.answered } : null,
    }));
  }

  /** Pops that reproduce what an operator's desk should show now (a stream opened mid-call). */
  async function current(userId: number): Promise<CallPop[]> {
    const out: CallPop[] = [];
    for (const call of calls.values()) {
      if (call.ended || call.callerLeft) continue;
      let type: CallPop['type'] | null = call.answered?.userId === userId ? 'answered' : null;
      if (!type && !call.answered) for (const iface of call.ringing) if (call.rung.get(iface)?.userId === userId) type = 'ringing';
      if (!type) continue;
      const [id, card] = await Promise.all([call.id, call.card ?? deps.card(call.phone)]);
      out.push({ type, callId: id, uniqueid: call.key, phone: call.phone, queue: call.queue,
        card: { resident: card.resident, openAppeals: card.openAppeals, announcements: card.announcements },
        at: now().toISOString(), answeredAt: call.answered?.at.toISOString() ?? null, seq: call.seq });
    }
    return out;
  }

  return {
    handle,
    reconcile,
    current,
    liveCalls,
    /** The caller channel of a call in progress (to hang it up or record it through AMI). */
    channelOf: (key: string) => calls.get(key)?.channel || null,
    /** The calls in progress (a session's start remembers them for its reconciliation). */
    trackedCalls: () => new Set(calls.keys()),
    activeCount: () => calls.size,
    /** Channels held in memory (a test checks nothing leaks). */
    channelCount: () => channels.size,
    /**
     * Resolves once what the events of this call said so far is in the database. A pop travels
     * faster than its row: a request made right after a pop ("consultation", "hang up") waits here.
     */
    async written(callId: number) {
      const call = byId.get(callId);
      if (!call) return;
      for (let i = 0; i < 10; i++) {
        const p = call.db;
        await p;
        if (p === call.db && !call.flushQueued) return;
      }
    },
    /** Waits until every pending database write and pop of the calls in progress has been applied. */
    async settle() { while (inflight.size) await Promise.all([...inflight]); },
  };
}
export type CallTracker = ReturnType<typeof callTracker>;
