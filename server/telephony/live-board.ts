// The contact centre right now, for the supervisor's wallboard: queue lengths and waits from the
// calls the tracker follows, operators' states from the queue's members (QueueStatus after every
// login, then QueueMember* events) joined with the calls they ring or talk on, and the day's
// figures from the call log. No caller's number or name is in it.
import type { AmiMessage } from 'asterisk-ami-client';
import {
  canonicalInterface, DEVICE_STATE, OPERATOR_STATES, type Board, type BoardOperator, type BoardToday, type OperatorState,
} from '../../vocabulary/telephony.ts';
import type { Clock } from '../clock.ts';
import type { LiveCall } from './call-tracker.ts';
import type { Operator } from './operators.ts';

interface Member {
  queue: string;
  interface: string;
  key: string;
  name: string;
  device: 'free' | 'in_use' | 'ringing' | 'unavailable';
  paused: boolean;
  inCall: boolean;
  /** Asterisk's own wrap-up of this member, seconds (0: the queue's). */
  wrapupSeconds: number;
}

export interface BoardDeps {
  clock: Clock;
  calls(): LiveCall[];
  operators: { of(raw: string, opts?: { quiet?: boolean }): Operator | null; all(): (Operator & { key: string })[] };
  /** The day's figures (Europe/Kyiv) from the call log. */
  today(now: Date): Promise<BoardToday>;
  connected(): boolean;
  /** Seconds after a call during which an operator is in wrap-up (the queue's wrapuptime). */
  wrapupSeconds: number;
  log(m: string): void;
}

const TODAY_TTL_MS = 5000;
const EMPTY_TODAY: BoardToday = { offered: 0, answered: 0, abandoned: 0, noOperators: 0, serviceLevel: null, averageSpeedOfAnswerSeconds: null };

export function liveBoard(deps: BoardDeps) {
  const members = new Map<string, Member>();              // queue|canonical interface
  const lastCallEnded = new Map<string, Date>();           // canonical interface → when its last call ended
  const stateSince = new Map<string, { state: OperatorState; since: Date }>();
  let today: { at: number; value: BoardToday; pending: Promise<void> | null } = { at: -Infinity, value: EMPTY_TODAY, pending: null };
  const listeners = new Set<(b: Board) => void>();
  let timer: NodeJS.Timeout | null = null;
  let ticker: NodeJS.Timeout | null = null;

  const now = () => deps.clock.now();

  function member(e: AmiMessage, queue: string, raw: string): Member | null {
    const key = canonicalInterface(raw);
    if (!key) return null;
    const id = `${queue}|${key}`;
    let m = members.get(id);
    if (!m) {
      m = { queue, interface: raw, key, name: e.MemberName ?? e.Name ?? raw, device: 'free', paused: false, inCall: false, wrapupSeconds: 0 };
      members.set(id, m);
    }
    return m;
  }

  function apply(m: Member, e: AmiMessage) {
    if (e.MemberName || e.Name) m.name = e.MemberName ?? e.Name ?? m.name;
    if (e.Status !== undefined) m.device = DEVICE_STATE[e.Status] ?? m.device;
    if (e.Paused !== undefined) m.paused = e.Paused === '1' || /^true$/i.test(e.Paused);
    if (e.InCall !== undefined) m.inCall = e.InCall === '1';
    if (e.Wrapuptime !== undefined) m.wrapupSeconds = Number(e.Wrapuptime) || 0;
  }

  /** Queue membership and device events (class agent). */
  function handle(e: AmiMessage) {
    switch (e.Event) {
      case 'QueueMemberAdded': case 'QueueMemberStatus': case 'QueueMemberPause': case 'QueueMemberPenalty': case 'QueueMemberRinginuse': {
        const m = member(e, e.Queue ?? '', e.Interface ?? e.Location ?? '');
        if (m) { apply(m, e); changed(); }
        return;
      }
      case 'QueueMemberRemoved': {
        const key = canonicalInterface(e.Interface ?? e.Location);
        if (key && members.delete(`${e.Queue ?? ''}|${key}`)) changed();
        return;
      }
      case 'AgentConnect': case 'AgentComplete': case 'AgentCalled': case 'AgentRingNoAnswer': case 'QueueCallerJoin': case 'QueueCallerLeave':
      case 'QueueCallerAbandon': case 'Hangup': case 'DialBegin': case 'DialEnd':
        changed();
        return;
    }
  }

  /** The QueueStatus list (QueueParams, QueueMember, QueueEntry items): the members as the PBX has them now. */
  function load(items: AmiMessage[]) {
    members.clear();
    for (const it of items) {
      if (it.Event !== 'QueueMember') continue;
      const m = member(it, it.Queue ?? '', it.Location ?? it.Interface ?? it.StateInterface ?? '');
      if (m) apply(m, it);
    }
    changed();
  }

  function stateOf(key: string, m: Member[] | undefined, calls: LiveCall[], at: Date): OperatorState {
    if (calls.some((c) => c.answered?.iface === key)) return 'on_call';
    if (calls.some((c) => c.ringing.some((r) => r.iface === key))) return 'ringing';
    if (m?.some((x) => x.inCall)) return 'on_call';
    const ended = lastCallEnded.get(key);
    const wrapup = Math.max(deps.wrapupSeconds, ...(m ?? []).map((x) => x.wrapupSeconds)) * 1000;
    if (ended && at.getTime() - ended.getTime() < wrapup) return 'wrap_up';
    if (!m?.length) return 'unavailable';
    if (m.every((x) => x.paused)) return 'paused';
    if (m.every((x) => x.device === 'unavailable')) return 'unavailable';
    if (m.some((x) => x.device === 'ringing')) return 'ringing';
    if (m.some((x) => x.device === 'in_use')) return 'on_call';
    return 'free';
  }

  function snapshot(): Board {
    const at = now();
    const calls = deps.calls();
    const byKey = new Map<string, Member[]>();
    for (const m of members.values()) {
      const list = byKey.get(m.key);
      if (list) list.push(m); else byKey.set(m.key, [m]);
    }
    const keys = new Set([...byKey.keys(), ...deps.operators.all().map((o) => o.key)]);
    const operators: BoardOperator[] = [];
    for (const key of keys) {
      const ms = byKey.get(key);
      const op = deps.operators.of(key, { quiet: true });
      const state = stateOf(key, ms, calls, at);
      const prev = stateSince.get(key);
      if (!prev || prev.state !== state) stateSince.set(key, { state, since: at });
      operators.push({
        userId: op?.id ?? null, name: op?.name ?? ms?.[0]?.name ?? key, interface: ms?.[0]?.interface ?? op?.interface ?? key,
        queues: [...new Set((ms ?? []).map((m) => m.queue))].sort(), state, since: stateSince.get(key)!.since.toISOString(),
      });
    }
    operators.sort((a, b) => OPERATOR_STATES.indexOf(a.state) - OPERATOR_STATES.indexOf(b.state) || a.name.localeCompare(b.name, 'uk'));
    const counts = Object.fromEntries(OPERATOR_STATES.map((s) => [s, 0])) as Record<OperatorState, number>;
    for (const o of operators) counts[o.state]++;
    const queueNames = new Set([...[...members.values()].map((m) => m.queue), ...calls.map((c) => c.queue).filter((q): q is string => !!q)]);
    const queues = [...queueNames].sort().map((name) => {
      const waiting = calls.filter((c) => c.queue === name && c.waiting);
      const longest = Math.max(0, ...waiting.map((c) => (c.queuedAt ? at.getTime() - c.queuedAt.getTime() : 0)));
      return { name, waiting: waiting.length, longestWaitSeconds: Math.round(longest / 1000) };
    });
    refreshToday(at);
    return { at: at.toISOString(), connected: deps.connected(), queues, operators, counts, today: today.value };
  }

  function refreshToday(at: Date, force = false) {
    if (today.pending || (!force && at.getTime() - today.at < TODAY_TTL_MS)) return;
    today.pending = deps.today(at).then((value) => {
      const moved = JSON.stringify(value) !== JSON.stringify(today.value);
      today = { at: at.getTime(), value, pending: null };
      if (moved) changed();
    }, (e: Error) => { deps.log(`today's figures: ${e.message}`); today.pending = null; today.at = at.getTime(); });
  }

  /** Listeners hear a fresh board at most every 250 ms, however busy the PBX is. */
  function changed() {
    if (timer || !listeners.size) return;
    timer = setTimeout(() => {
      timer = null;
      const b = snapshot();
      for (const fn of listeners) fn(b);
    }, 250);
    timer.unref();
  }

  return {
    handle,
    load,
    snapshot,
    /** A call ended (on an operator's phone, if `iface`): the day's figures move, the operator's wrap-up starts. */
    callEnded(iface: string | null, at = now()) {
      if (iface) lastCallEnded.set(iface, at);
      today.at = -Infinity;
      changed();
    },
    changed,
    subscribe(fn: (b: Board) => void) {
      listeners.add(fn);
      // Wrap-ups run out and waits grow without an event: a board every second while anyone watches.
      ticker ??= setInterval(changed, 1000).unref();
      return () => {
        listeners.delete(fn);
        if (!listeners.size && ticker) { clearInterval(ticker); ticker = null; }
      };
    },
    stop() {
      if (timer) clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      timer = ticker = null;
      listeners.clear();
    },
  };
}
export type LiveBoard = ReturnType<typeof liveBoard>;
