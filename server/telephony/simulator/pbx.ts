// The core the call, queue and originate modules share: the options, the channel table, event
// emission (to the sessions whose classes want them), timers that die with the PBX, and the channel,
// dial, bridge, device-state and MixMonitor primitives, each emitting what Asterisk emits.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Headers } from '../ami-wire.ts';
import { CAUSE_TXT, ChannelTable, deviceOf, snapshot, STATE_DESC, type Channel } from './channels.ts';
import type { ManagerInterface } from './manager.ts';
import type { Member, SimQueue } from './queue.ts';
import type { MemberLeg, SimCall } from './calls.ts';
import type { OriginateOutcome, OriginateRequest } from './originate.ts';
import { wavFile, wavHeader } from './wav.ts';
import type { UserSpec } from './manager.ts';
import type { MemberSpec, QueueOptions } from './queue.ts';

/** Where Asterisk's MixMonitor writes relative file names (the path MIXMONITOR_FILENAME shows without a folder). */
export const SPOOL_MONITOR = '/var/spool/asterisk/monitor';

/** What the simulated operator behind an interface does when the PBX rings it by itself. */
export interface OperatorBehaviour {
  /** Answers this long after the ring starts; null: never answers (the ring times out). */
  answerAfterMs: number | null;
  /** Hangs up this long after answering; absent: the resident hangs up first. */
  hangupAfterMs?: number;
}

/** Durations of what the dialplan and Asterisk do on their own, in ms. */
export interface Timing {
  /** Answer() waits up to 500 ms for media before the next priority (Queue) runs. */
  answerToQueueMs: number;
  /** custom/misto-no-operators, played after JOINEMPTY/LEAVEEMPTY/TIMEOUT/FULL before Hangup(). */
  noOperatorsPromptMs: number;
  /** A caller who is not first (or has nobody free) hears the position announcement before its first recheck. */
  queueAnnounceMs: number;
  /** app_queue's RECHECK: a waiting caller looks at the queue again every second. */
  queueRecheckMs: number;
  /** `core stop now`: from the command to the channels' Hangups. */
  stopHangupMs: number;
  /** From the Hangups to `Event: Shutdown`. */
  shutdownEventMs: number;
  /** From `Event: Shutdown` to the sockets' FIN. */
  shutdownCloseMs: number;
  /** A restart's port-closed time (process gone → port accepting again). */
  restartDownMs: number;
  /** From the port opening to FullyBooted; Originate is refused until then. */
  bootMs: number;
  /** [misto-survey]'s Wait(1) before the first Read. */
  surveyWaitMs: number;
  /** Read(…,10): the beep, then 10 s for a key. */
  readTimeoutMs: number;
  /** A key pressed this long after Read starts (the resident's reaction). */
  keyDelayMs: number;
  /** custom/misto-thanks before the survey hangs up. */
  thanksPromptMs: number;
}

export const DEFAULT_TIMING: Timing = {
  answerToQueueMs: 500, noOperatorsPromptMs: 4300, queueAnnounceMs: 7000, queueRecheckMs: 1000,
  stopHangupMs: 12, shutdownEventMs: 1100, shutdownCloseMs: 25, restartDownMs: 2000, bootMs: 25,
  surveyWaitMs: 1000, readTimeoutMs: 10_450, keyDelayMs: 2200, thanksPromptMs: 2060,
};

export interface SimulatorOptions {
  /** manager.conf users: a secret (every class) or `{ secret, read, write }` with class lists. */
  users?: Record<string, UserSpec>;
  /** MixMonitor's folder (Asterisk's spool "monitor/"); null: no files, paths under /var/spool/asterisk/monitor. */
  recordingsDir?: string | null;
  /** Record every incoming call from the dialplan (MixMonitor(${UNIQUEID}.wav,b)), as the shipped extensions.conf does. */
  dialplanRecording?: boolean;
  /** Split every block the PBX writes into these chunk sizes (cycled), with pauses: TCP segmentation at its worst. */
  chunks?: number[];
  /** The far end of an originated survey call (Context misto-survey). */
  originate?: (req: OriginateRequest) => OriginateOutcome;
  /** Static members of the queue "operators" (queues.conf `member =>`); default PJSIP/101 … PJSIP/110. */
  queueMembers?: (string | MemberSpec)[];
  /** Queue parameters (queues.conf); "operators" always exists. */
  queues?: Record<string, QueueOptions>;
  /** The simulated operators (calls that run the dialplan: Originate, `incomingCall({ dialplan: true })`). */
  operator?: (iface: string, ring: { attempt: number; call: SimCall }) => OperatorBehaviour;
  /** The demo operator answers after this (MISTO_RING_MS overrides it per call). */
  demoRingMs?: number;
  /** The demo resident hangs up this long after the operator answered (MISTO_TALK_MS overrides it). */
  demoTalkMs?: number;
  timing?: Partial<Timing>;
  log?: (m: string) => void;
  /** Called as an event's bytes are handed to the sockets (benchmarks measure from here). */
  onSend?: (event: string, h: Headers, at: number) => void;
}

export type Resolved = Required<Pick<SimulatorOptions, 'users' | 'recordingsDir' | 'dialplanRecording' | 'demoRingMs' | 'demoTalkMs'>>
  & SimulatorOptions & { timing: Timing };

export interface Bridge { id: string; members: Channel[] }

/** Timers of the running PBX: a kill or a restart cancels all of them. */
export class Timers {
  private live = new Set<NodeJS.Timeout>();
  after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => { this.live.delete(t); fn(); }, Math.max(0, ms));
    // A forgotten simulator must not keep the process alive: sockets and servers do that.
    t.unref();
    this.live.add(t);
    return t;
  }
  clear(t: NodeJS.Timeout | null | undefined) {
    if (!t) return;
    clearTimeout(t);
    this.live.delete(t);
  }
  clearAll() { for (const t of this.live) clearTimeout(t); this.live.clear(); }
}

export abstract class Pbx {
  readonly opts: Resolved;
  readonly table = new ChannelTable();
  readonly timers = new Timers();
  readonly queues = new Map<string, SimQueue>();
  /** Member legs ringing or talking: the device states of Local and PJSIP members come from them. */
  readonly legs = new Set<MemberLeg>();
  /** Counters a test can look at. */
  readonly stats = { logins: 0, failedLogins: 0, actions: 0, events: 0 };
  protected abstract readonly manager: ManagerInterface;
  /** performance.now() when Asterisk (re)started: FullyBooted's Uptime. */
  protected bootedAt = performance.now();

  constructor(opts: SimulatorOptions) {
    this.opts = {
      users: { misto: 'misto' }, recordingsDir: null, dialplanRecording: true, demoRingMs: 2000, demoTalkMs: 10 * 60_000,
      ...opts, timing: { ...DEFAULT_TIMING, ...opts.timing },
    };
  }

  /** Live channels by name. */
  get channels(): Map<string, Channel> { return this.table.byName; }

  get timing() { return this.opts.timing; }

  later(ms: number, fn: () => void) { return this.timers.after(ms, fn); }

  // ------------------------------------------------------------------------------- events

  emit(event: string, headers: Headers) {
    const at = performance.now();
    const h = this.manager.broadcast(event, headers);
    this.stats.events++;
    this.opts.onSend?.(event, h, at);
  }

  /** An event about one channel: its snapshot, then the event's own fields. */
  emitOn(event: string, ch: Channel, extra: Headers = []) { this.emit(event, [...snapshot(ch), ...extra]); }

  /** An event about two channels (dial and agent events): the caller's snapshot, the destination's as Dest…. */
  emitPair(event: string, from: Channel | null, to: Channel, extra: Headers = []) {
    this.emit(event, [...(from ? snapshot(from) : []), ...snapshot(to, 'Dest'), ...extra]);
  }

  // ------------------------------------------------------------------------------- channels

  newchannel(ch: Channel) { this.emitOn('Newchannel', ch); }

  /** NewCallerid: the number appears here on Local and originated channels, never in their Newchannel. */
  callerId(ch: Channel, num: string, name: string) {
    ch.callerNum = num;
    ch.callerName = name;
    this.emitOn('NewCallerid', ch, [['CID-CallingPres', '0 (Presentation Allowed, Not Screened)']]);
  }

  setVar(ch: Channel, name: string, value: string) {
    ch.vars.set(name, value);
    this.emitOn('VarSet', ch, [['Variable', name], ['Value', value]]);
  }

  newState(ch: Channel, state: number) {
    if (ch.state === state || !ch.alive) return;
    ch.state = state;
    this.emitOn('Newstate', ch);
  }

  hangup(ch: Channel | null | undefined, cause: number) {
    if (!ch?.alive) return;
    this.finishRecording(ch);
    this.table.remove(ch);
    this.emitOn('Hangup', ch, [['Cause', String(cause)], ['Cause-txt', CAUSE_TXT[cause] ?? 'Unknown']]);
  }

  /** DialBegin; `from` is null for an Originate (no calling channel: only Dest… fields). */
  dialBegin(from: Channel | null, to: Channel, dialString: string) { this.emitPair('DialBegin', from, to, [['DialString', dialString]]); }
  dialEnd(from: Channel | null, to: Channel, status: string) { this.emitPair('DialEnd', from, to, [['DialStatus', status]]); }

  // ------------------------------------------------------------------------------- bridges

  bridgeCreate(): Bridge {
    const b: Bridge = { id: crypto.randomUUID(), members: [] };
    this.emit('BridgeCreate', [...this.bridgeHeaders(b)]);
    return b;
  }

  private bridgeHeaders(b: Bridge): Headers {
    return [['BridgeUniqueid', b.id], ['BridgeType', 'basic'], ['BridgeTechnology', 'simple_bridge'],
      ['BridgeCreator', '<unknown>'], ['BridgeName', '<unknown>'], ['BridgeNumChannels', String(b.members.length)],
      ['BridgeVideoSourceMode', 'none']];
  }

  bridgeEnter(b: Bridge, ch: Channel) {
    b.members.push(ch);
    ch.bridgeId = b.id;
    if (ch.recording) ch.recording.since = performance.now();
    this.emit('BridgeEnter', [...this.bridgeHeaders(b), ...snapshot(ch)]);
  }

  bridgeLeave(b: Bridge | null, ch: Channel) {
    if (!b || !b.members.includes(ch)) return;
    b.members = b.members.filter((c) => c !== ch);
    ch.bridgeId = '';
    if (ch.recording?.since != null) { ch.recording.bridgedMs += performance.now() - ch.recording.since; ch.recording.since = null; }
    this.emit('BridgeLeave', [...this.bridgeHeaders(b), ...snapshot(ch)]);
  }

  bridgeDestroy(b: Bridge | null) {
    if (!b) return;
    for (const ch of b.members) ch.bridgeId = '';
    b.members = [];
    this.emit('BridgeDestroy', this.bridgeHeaders(b));
  }

  // ------------------------------------------------------------------------------- MixMonitor

  /**
   * MixMonitor: the file name is only visible as MIXMONITOR_FILENAME, as an absolute path (a relative
   * name lands in the monitor folder). The file starts as a header with zero sizes; option b keeps
   * only the bridged part, so a call never bridged leaves the bare 44-byte header.
   */
  mixMonitor(ch: Channel, file: string) {
    const dir = this.opts.recordingsDir ? resolve(this.opts.recordingsDir) : SPOOL_MONITOR;
    const path = file.startsWith('/') ? file : join(dir, file);
    ch.recording = { path, bridgedMs: 0, since: ch.bridgeId ? performance.now() : null };
    if (this.opts.recordingsDir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, wavHeader(0, 8000, true));
    }
    this.setVar(ch, 'MIXMONITOR_FILENAME', path);
    this.emitOn('MixMonitorStart', ch);
  }

  private finishRecording(ch: Channel) {
    const r = ch.recording;
    if (!r || !this.opts.recordingsDir) return;
    if (r.since != null) { r.bridgedMs += performance.now() - r.since; r.since = null; }
    // Real audio for the bridged time, capped: the simulator is not a media server.
    writeFileSync(r.path, r.bridgedMs > 0 ? wavFile(Math.min(r.bridgedMs, 60_000) / 1000) : wavHeader(0));
  }

  // ------------------------------------------------------------------------------- device states

  /** Every queue member whose state interface is the device `iface` ("/n" and other Local options aside). */
  membersOn(iface: string): { queue: SimQueue; member: Member }[] {
    const out: { queue: SimQueue; member: Member }[] = [];
    const dev = deviceOf(iface);
    for (const q of this.queues.values()) for (const m of q.members.values()) if (deviceOf(m.stateInterface) === dev) out.push({ queue: q, member: m });
    return out;
  }

  /** The device state of an interface now, from the legs on it (legDeviceState in calls.ts). */
  abstract deviceState(iface: string): number;

  /** The simulated operator behind an interface (the `operator` option, else answering after demoRingMs). */
  operatorFor(iface: string, ring: { attempt: number; call: SimCall }): OperatorBehaviour {
    return this.opts.operator?.(iface, ring) ?? { answerAfterMs: this.opts.demoRingMs };
  }

  /** A device may have changed state: QueueMemberStatus for each queue member on it whose Status changed. */
  deviceChanged(iface: string) {
    for (const { queue, member } of this.membersOn(iface)) {
      const state = this.deviceState(member.stateInterface);
      if (member.status === state) continue;
      member.status = state;
      this.emit('QueueMemberStatus', queue.memberHeaders(member));
    }
  }

  /** FullyBooted's Uptime/LastReload: seconds since Asterisk started. */
  uptime() { return String(Math.floor((performance.now() - this.bootedAt) / 1000)); }

  stateDesc(state: number) { return STATE_DESC[state] ?? 'Unknown'; }
}
