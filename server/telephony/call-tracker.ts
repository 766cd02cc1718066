// Turns the PBX's AMI events into calls: the call log, the operator a call rings and who answers it,
// recordings, and the screen pops. Works for queued calls (QueueCallerJoin → AgentCalled →
// AgentConnect → Hangup → AgentComplete) and for direct dialling (DialBegin → BridgeEnter → Hangup).
// The caller's number is taken from whichever event carries it first (Newchannel shows "<unknown>"
// on Local and originated channels; NewCallerid, the queue and agent events carry it later).
//
// Latency: the caller lookup starts as soon as the number is known (usually well before an operator
// is rung), the call row is written with the first burst of events under an id reserved in advance
// (so a pop never waits for an INSERT), and the operator behind an interface is
// cached, so a pop waits for nothing but work already under way. Database writes of one call are
// chained so they apply in event order; pops of one call are chained so they arrive in order.
import { statSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { normalizePhone } from '../../vocabulary/phone.ts';
import type { CallerCard } from '../residents/residents.service.ts';
import type { AmiMessage } from 'asterisk-ami-client';
import type { AmiResponse } from './ami-connection.ts';
import type { CallPop } from './pops.ts';
import type { TelephonyRepo } from './telephony.repo.ts';
import type { Clock } from '../clock.ts';

export interface TrackerDeps {
  repo: Pick<TelephonyRepo, 'reserveCallIds' | 'insertCall' | 'patchCall' | 'operatorByInterface' | 'closeMissing' | 'insertRecording' | 'recordingsOfCall' | 'finishRecording'>;
  card(phone: string | null): Promise<CallerCard>;
  publish(userId: number, pop: CallPop): void;
  action?(msg: AmiMessage): Promise<AmiResponse>;
  recordingsDir: string;
  /** Who starts MixMonitor: the dialplan (the product only learns the file name), the product through AMI, or nobody. */
  record: 'dialplan' | 'ami' | 'off';
  /** Dialplan contexts where calls from the city enter; their channels are logged from the first event. */
  inboundContexts: string[];
  /** Event times: the moment each event is handled, by this clock. */
  clock: Clock;
  log(m: string): void;
}

interface ChannelInfo { uniqueid: string; linkedid: string; channel: string; phone: string | null; context: string; createdAt: Date; recording?: string }

interface TrackedCall {
  uniqueid: string;
  linkedid: string;
  channel: string;
  phone: string | null;
  queue: string | null;
  enteredAt: Date;
  id: Promise<number>;
  card: Promise<CallerCard> | null;
  cardPhone: string | null;
  rung: Map<string, Promise<number | null>>;      // interface → operator user id
  ringing: Set<string>;                             // interfaces currently ringing
  answered: { iface: string; user: Promise<number | null>; at: Date } | null;
  direct: boolean;
  ended: boolean;
  db: Promise<void>;
  pops: Promise<void>;
  seq: number;
  recordings: Set<string>;
  pending: Record<string, unknown>;
  flushQueued: boolean;
  /** The row is written by the first flush, together with whatever the first burst of events told. */
  inserted: boolean;
  row: NewCallRow;
}

type NewCallRow = Parameters<TrackerDeps['repo']['insertCall']>[0];

export const LOST_TEXT = 'Ended while the PBX connection was down';
const OPERATOR_TTL_MS = 30_000;

/** "PJSIP/101-0000002a" → "PJSIP/101"; Local channels keep their ";n" half out. */
export function interfaceOf(channel: string | undefined): string {
  if (!channel) return '';
  return channel.replace(/;\d+$/, '').replace(/-[0-9a-f]{8}$/i, '');
}

function phoneOf(raw: string | undefined): string | null {
  if (!raw || raw === '<unknown>' || raw === 'anonymous') return null;
  return normalizePhone(raw) ?? raw;
}

function durationMs(hms: string | undefined): number {
  const m = /^(\d+):(\d{2}):(\d{2})$/.exec(hms ?? '');
  return m ? ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 : 0;
}

export function callTracker(deps: TrackerDeps) {
  const channels = new Map<string, ChannelInfo>();
  const calls = new Map<string, TrackedCall>();
  const agentLegs = new Map<string, string>();      // agent channel uniqueid → caller uniqueid
  const hungUp = new Map<string, number>();          // recently hung up uniqueids (reconcile must not revive them)
  const operators = new Map<string, { at: number; user: Promise<number | null> }>();
  const inbound = new Set(deps.inboundContexts);
  /** Calls by id while they are tracked or still writing (the API waits for a call's writes). */
  const byId = new Map<number, TrackedCall>();

  function operatorFor(iface: string): Promise<number | null> {
    const hit = operators.get(iface);
    if (hit && deps.clock.now().getTime() - hit.at < OPERATOR_TTL_MS) return hit.user;
    const user = deps.repo.operatorByInterface(iface).then((r) => r?.id ?? null, () => null);
    operators.set(iface, { at: deps.clock.now().getTime(), user });
    return user;
  }

  const inflight = new Set<Promise<void>>();
  function hold(p: Promise<void>) {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  }

  function write(call: TrackedCall, fn: (id: number) => Promise<unknown>) {
    call.db = hold(call.db.then(async () => { await fn(await call.id); })
      .catch((e: Error) => deps.log(`call ${call.uniqueid}: ${e.message}`)));
  }

  /**
   * Column changes of one call merged into one statement per burst of events (values may be
   * promises): a queued call costs three writes — the INSERT with queue, number and rung operator,
   * the answer, the hang-up.
   */
  function patch(call: TrackedCall, fields: Record<string, unknown>) {
    Object.assign(call.pending, fields);
    if (call.flushQueued) return;
    call.flushQueued = true;
    write(call, async (id) => {
      call.flushQueued = false;
      const p = call.pending;
      call.pending = {};
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(p)) values[k] = await v;
      if (call.inserted) { await deps.repo.patchCall(id, values); return; }
      call.inserted = true;
      const actual = await deps.repo.insertCall({ ...call.row, ...values, id });
      if (actual !== id) {
        // The PBX's uniqueid was logged before (another instance, or before a restart): that row it is.
        call.id = Promise.resolve(actual);
        await deps.repo.patchCall(actual, values);
      }
    });
  }

  // Ids come from the sequence in batches: a pop never waits for the call's INSERT to commit.
  const idPool: number[] = [];
  let refilling: Promise<void> | null = null;
  function refill() {
    refilling ??= deps.repo.reserveCallIds(64).then((ids) => { idPool.push(...ids); }).finally(() => { refilling = null; });
    return refilling;
  }
  async function nextId(): Promise<number> {
    while (!idPool.length) await refill();
    if (idPool.length < 16) refill().catch((e: Error) => deps.log(`call ids: ${e.message}`));
    return idPool.shift()!;
  }

  function lookup(call: TrackedCall) {
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

  function setPhone(call: TrackedCall, raw: string | undefined) {
    const phone = phoneOf(raw);
    if (!phone || phone === call.phone) return;
    call.phone = phone;
    patch(call, { callerPhone: phone });
    lookup(call);
  }

  function track(uniqueid: string, e: AmiMessage, enteredAt?: Date): TrackedCall {
    const existing = calls.get(uniqueid);
    if (existing) return existing;
    const info = channels.get(uniqueid);
    const call: TrackedCall = {
      uniqueid, linkedid: e.Linkedid ?? info?.linkedid ?? uniqueid, channel: e.Channel ?? info?.channel ?? '',
      phone: info?.phone ?? phoneOf(e.CallerIDNum), queue: null, enteredAt: enteredAt ?? info?.createdAt ?? deps.clock.now(),
      id: Promise.resolve(0), card: null, cardPhone: null, rung: new Map(), ringing: new Set(), answered: null,
      direct: false, ended: false, db: Promise.resolve(), pops: Promise.resolve(), seq: 0, recordings: new Set(),
      pending: {}, flushQueued: false, inserted: false,
      row: {
        uniqueid, linkedid: e.Linkedid ?? info?.linkedid ?? uniqueid, channel: (e.Channel ?? info?.channel) || null,
        callerPhone: null, calledNumber: e.Exten && e.Exten !== 's' ? e.Exten : null, queue: null, enteredAt: enteredAt ?? info?.createdAt ?? deps.clock.now(),
      },
    };
    call.row.callerPhone = call.phone;
    if (enteredAt) {
      // Found in the PBX's list after a reconnect: the row may exist already, keep its id.
      call.inserted = true;
      call.id = deps.repo.insertCall(call.row);
    } else {
      call.id = nextId();
      patch(call, {});
    }
    call.id.catch((err: Error) => deps.log(`call ${uniqueid} has no id: ${err.message}`));
    calls.set(uniqueid, call);
    void call.id.then((id) => { byId.set(id, call); }, () => {});
    lookup(call);
    if (info?.recording) recording(call, info.recording);
    return call;
  }

  function pop(call: TrackedCall, type: CallPop['type'], user: Promise<number | null>, reason?: string) {
    const seq = ++call.seq;
    const at = deps.clock.now().toISOString();
    const answeredAt = call.answered?.at.toISOString() ?? null;
    call.pops = hold(call.pops.then(async () => {
      const [userId, id, card] = await Promise.all([user, call.id, call.card ?? deps.card(call.phone)]);
      if (userId === null) return;
      deps.publish(userId, {
        type, callId: id, uniqueid: call.uniqueid, phone: call.phone, queue: call.queue,
        card: { resident: card.resident, openAppeals: card.openAppeals, announcements: card.announcements },
        at, answeredAt, seq, ...(reason ? { reason } : {}),
      });
    }).catch((e: Error) => deps.log(`pop for ${call.uniqueid}: ${e.message}`)));
  }

  function ring(call: TrackedCall, iface: string) {
    if (!iface || call.ended || call.answered || call.ringing.has(iface)) return;
    const user = operatorFor(iface);
    call.rung.set(iface, user);
    call.ringing.add(iface);
    patch(call, { agentInterface: iface });
    pop(call, 'ringing', user);
  }

  function unring(call: TrackedCall, iface: string, reason: string) {
    if (!call.ringing.delete(iface)) return;
    pop(call, 'ended', call.rung.get(iface) ?? operatorFor(iface), reason);
  }

  function answer(call: TrackedCall, iface: string, at = deps.clock.now()) {
    if (call.ended || call.answered) return;
    const user = call.rung.get(iface) ?? operatorFor(iface);
    call.answered = { iface, user, at };
    call.ringing.delete(iface);
    patch(call, { answeredAt: at, agentInterface: iface, operatorId: user });
    pop(call, 'answered', user);
    for (const other of [...call.ringing]) unring(call, other, 'answered_elsewhere');
    if (deps.record === 'ami' && deps.action && call.channel) {
      const file = `${call.uniqueid}.wav`;
      deps.action({ Action: 'MixMonitor', Channel: call.channel, File: file, Options: 'b' })
        .then((r) => { if (r.Response === 'Success') recording(call, file); else deps.log(`MixMonitor on ${call.channel}: ${r.Message}`); })
        .catch((e: Error) => deps.log(`MixMonitor on ${call.channel}: ${e.message}`));
    }
  }

  function end(call: TrackedCall, cause: number | null, causeText: string | null, reason: string, at = deps.clock.now()) {
    if (call.ended) return;
    call.ended = true;
    patch(call, { hungupAt: at, hangupCause: cause, hangupCauseText: causeText });
    if (call.answered) pop(call, 'ended', call.answered.user, reason);
    for (const iface of [...call.ringing]) unring(call, iface, reason);
    calls.delete(call.uniqueid);
    for (const [leg, u] of agentLegs) if (u === call.uniqueid) agentLegs.delete(leg);
    setTimeout(() => { void call.db.then(async () => { for (const [k, c] of byId) if (c === call) byId.delete(k); }); }, 5000).unref();
    // The PBX closes the file right after the hangup: measure it a moment later.
    if (call.recordings.size) setTimeout(() => write(call, async (id) => {
      for (const r of await deps.repo.recordingsOfCall(id)) {
        let bytes: number | null = null;
        try { bytes = statSync(resolve(deps.recordingsDir, r.path)).size; } catch { /* not (yet) visible here */ }
        await deps.repo.finishRecording(r.id, bytes, at);
      }
    }), 300).unref();
  }

  function recording(call: TrackedCall, file: string) {
    const dir = resolve(deps.recordingsDir);
    const rel = isAbsolute(file) ? (file.startsWith(dir + '/') ? relative(dir, file) : basename(file)) : file;
    if (call.recordings.has(rel)) return;
    call.recordings.add(rel);
    const startedAt = deps.clock.now();
    write(call, (id) => deps.repo.insertRecording(id, rel, startedAt));
  }

  /** The tracked call a channel belongs to (the caller's own channel or an operator's leg). */
  const callOf = (uniqueid: string | undefined) =>
    uniqueid ? calls.get(uniqueid) ?? calls.get(agentLegs.get(uniqueid) ?? '') : undefined;

  function handle(e: AmiMessage) {
    const u = e.Uniqueid ?? '';
    switch (e.Event) {
      case 'Newchannel': {
        const info: ChannelInfo = { uniqueid: u, linkedid: e.Linkedid ?? u, channel: e.Channel ?? '', phone: phoneOf(e.CallerIDNum), context: e.Context ?? '', createdAt: deps.clock.now() };
        channels.set(u, info);
        if (u === info.linkedid && inbound.has(info.context)) track(u, e);
        return;
      }
      case 'NewCallerid': {
        const info = channels.get(u);
        if (info) info.phone = phoneOf(e.CallerIDNum) ?? info.phone;
        const call = calls.get(u);
        if (call) setPhone(call, e.CallerIDNum);
        return;
      }
      case 'VarSet': {
        if (e.Variable !== 'MIXMONITOR_FILENAME' || !e.Value) return;
        const call = callOf(u);
        if (call) recording(call, e.Value);
        else { const info = channels.get(u); if (info) info.recording = e.Value; }
        return;
      }
      case 'QueueCallerJoin': {
        const call = track(u, e);
        setPhone(call, e.CallerIDNum);
        if (e.Queue && call.queue !== e.Queue) {
          call.queue = e.Queue;
          patch(call, { queue: e.Queue });
        }
        return;
      }
      case 'AgentCalled': {
        const call = track(u, e);
        setPhone(call, e.CallerIDNum);
        if (e.DestUniqueid) agentLegs.set(e.DestUniqueid, u);
        ring(call, e.Interface ?? interfaceOf(e.DestChannel));
        return;
      }
      case 'DialBegin': {
        const iface = interfaceOf(e.DestChannel);
        const call = calls.get(u);
        if (!call || !e.DestUniqueid) return;
        agentLegs.set(e.DestUniqueid, u);
        if (call.queue) return;   // the queue already said whom it rings (AgentCalled)
        call.direct = true;
        setPhone(call, e.CallerIDNum);
        ring(call, iface);
        return;
      }
      case 'DialEnd': {
        const call = calls.get(u);
        if (!call || call.queue || e.DialStatus === 'ANSWER') return;
        const status = e.DialStatus ?? 'NOANSWER';
        unring(call, interfaceOf(e.DestChannel), status === 'CANCEL' ? 'hangup' : status === 'NOANSWER' ? 'no_answer' : status.toLowerCase());
        return;
      }
      case 'QueueCallerAbandon': {
        // The caller gave up while operators' phones were ringing.
        const call = calls.get(u);
        if (call) for (const iface of [...call.ringing]) unring(call, iface, 'hangup');
        return;
      }
      case 'AgentRingNoAnswer': {
        const call = calls.get(u);
        if (call) unring(call, e.Interface ?? interfaceOf(e.DestChannel), 'no_answer');
        return;
      }
      case 'AgentConnect': {
        const call = track(u, e);
        answer(call, e.Interface ?? interfaceOf(e.DestChannel));
        return;
      }
      case 'BridgeEnter': {
        // Direct dialling has no AgentConnect: the operator's leg entering the bridge is the answer.
        const caller = agentLegs.get(u);
        const call = caller ? calls.get(caller) : undefined;
        if (call && call.direct && !call.answered) answer(call, interfaceOf(e.Channel));
        return;
      }
      case 'Hangup': {
        channels.delete(u);
        hungUp.set(u, deps.clock.now().getTime());
        if (hungUp.size > 10_000) for (const [k, t] of hungUp) { if (deps.clock.now().getTime() - t > 300_000) hungUp.delete(k); else break; }
        const call = calls.get(u);
        if (call) {
          const cause = e.Cause !== undefined && e.Cause !== '' ? Number(e.Cause) : null;
          end(call, Number.isFinite(cause) ? cause : null, e['Cause-txt'] ?? null, 'hangup');
          return;
        }
        const caller = agentLegs.get(u);
        if (caller) {
          agentLegs.delete(u);
          const c = calls.get(caller);
          if (c && !c.answered && c.ringing.size) unring(c, interfaceOf(e.Channel), e.Cause === '26' ? 'answered_elsewhere' : 'no_answer');
        }
        return;
      }
    }
  }

  /**
   * After a (re)connect: `items` is the PBX's CoreShowChannels list, `before` the calls tracked when
   * the connection came back. Calls that were in progress but are not live any more ended during the
   * gap; live calls nobody logged (they started during the gap) are logged now with what the list tells.
   */
  async function reconcile(items: AmiMessage[], before: Set<string>, at = deps.clock.now()) {
    const live = new Map(items.map((i) => [i.Uniqueid ?? '', i]));
    let ended = 0, adopted = 0;
    for (const u of before) {
      const call = calls.get(u);
      if (call && !live.has(u)) { end(call, null, LOST_TEXT, 'lost', at); ended++; }
    }
    // Channels whose Hangup was missed while disconnected (not those created while the list was read).
    for (const [u, info] of [...channels]) {
      if (!live.has(u) && !calls.has(u) && info.createdAt.getTime() < at.getTime() - 2000) channels.delete(u);
    }
    for (const [leg, caller] of [...agentLegs]) if (!live.has(leg) && !calls.has(caller)) agentLegs.delete(leg);
    for (const it of items) {
      const u = it.Uniqueid ?? '';
      if (!u || u !== it.Linkedid || hungUp.has(u)) continue;
      const legs = items.filter((x) => x.Linkedid === u && x.Uniqueid !== u);
      const isCaller = it.Application === 'Queue' || inbound.has(it.Context ?? '') || (it.Application === 'Dial' && legs.length > 0);
      if (!isCaller) continue;
      if (!channels.has(u)) channels.set(u, { uniqueid: u, linkedid: u, channel: it.Channel ?? '', phone: phoneOf(it.CallerIDNum), context: it.Context ?? '', createdAt: new Date(at.getTime() - durationMs(it.Duration)) });
      const fresh = !calls.has(u);
      const call = track(u, it, new Date(at.getTime() - durationMs(it.Duration)));
      if (fresh) adopted++;
      setPhone(call, it.CallerIDNum);
      if (it.Application === 'Queue' && it.ApplicationData && !call.queue) {
        call.queue = it.ApplicationData.split(',')[0];
        patch(call, { queue: call.queue });
      }
      if (it.Application === 'Dial') call.direct = true;
      for (const leg of legs) {
        const iface = interfaceOf(leg.Channel);
        if (leg.Uniqueid) agentLegs.set(leg.Uniqueid, u);
        if (leg.BridgeId && leg.BridgeId === it.BridgeId) answer(call, iface, new Date(at.getTime() - durationMs(leg.Duration)));
        else if (!call.answered) ring(call, iface);
      }
    }
    // The log may hold calls no process is tracking (this one restarted, or another instance died).
    const keep = [...new Set([...live.keys(), ...calls.keys()])];
    await Promise.all([...calls.values()].map((c) => c.id.catch(() => 0)));
    const closed = await deps.repo.closeMissing(keep, at, LOST_TEXT);
    return { ended: ended + closed.length, adopted, live: items.length };
  }

  /** Pops that reproduce what an operator's desk should show now (a stream opened mid-call). */
  async function current(userId: number): Promise<CallPop[]> {
    const out: CallPop[] = [];
    for (const call of calls.values()) {
      if (call.ended) continue;
      const answeredBy = call.answered ? await call.answered.user : null;
      let type: CallPop['type'] | null = answeredBy === userId ? 'answered' : null;
      if (!type && !call.answered) for (const iface of call.ringing) if ((await call.rung.get(iface)) === userId) type = 'ringing';
      if (!type) continue;
      const [id, card] = await Promise.all([call.id, call.card ?? deps.card(call.phone)]);
      out.push({ type, callId: id, uniqueid: call.uniqueid, phone: call.phone, queue: call.queue,
        card: { resident: card.resident, openAppeals: card.openAppeals, announcements: card.announcements },
        at: deps.clock.now().toISOString(), answeredAt: call.answered?.at.toISOString() ?? null, seq: call.seq });
    }
    return out;
  }

  return {
    handle,
    reconcile,
    current,
    /** Uniqueids of the calls in progress (a reconnect compares them with the PBX's list). */
    trackedCalls: () => new Set(calls.keys()),
    /** The caller channel of a call in progress (to hang it up or record it through AMI). */
    channelOf: (uniqueid: string) => calls.get(uniqueid)?.channel ?? null,
    activeCount: () => calls.size,
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
    /** Waits until every pending database write of the calls in progress has been applied. */
    async settle() { while (inflight.size) await Promise.all([...inflight]); },
    forgetOperators() { operators.clear(); },
  };
}
export type CallTracker = ReturnType<typeof callTracker>;
