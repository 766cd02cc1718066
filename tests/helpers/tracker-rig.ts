// The call tracker without a PBX or a database, for the fast tier: its injected dependencies as
// in-memory stand-ins — a call log that behaves as telephony.repo.ts's SQL does (idempotent insert on
// uniqueid, patches of the given columns, recordings unique per call and path), caller cards by
// number, the pops it publishes, and a manual clock — fed with ordered tables of AMI events.
import { callTracker, type TrackerDeps } from '../../server/telephony/call-tracker.ts';
import type { CallPop } from '../../server/telephony/pops.ts';
import type { CardResident } from '../../server/residents/residents.repo.ts';
import type { CallerCard } from '../../server/residents/residents.service.ts';
import type { AmiMessage } from 'asterisk-ami-client';
import { manualClock } from '../../server/clock.ts';
import { TEST_NOW } from './clock.ts';
import { canonicalInterface } from '../../vocabulary/telephony.ts';

export type AmiEvent = AmiMessage & { Event: string };
/** One row of an event table: milliseconds after TEST_NOW, and the event as the AMI client hands it over. */
export type EventRow = [ms: number, event: AmiEvent];

export interface CallLogRow {
  id: number; uniqueid: string; linkedid: string | null; channel: string | null; callerPhone: string | null;
  calledNumber: string | null; queue: string | null; operatorId: number | null; agentInterface: string | null;
  residentId: number | null; enteredAt: Date; answeredAt: Date | null; hungupAt: Date | null;
  hangupCause: number | null; hangupCauseText: string | null; queuedAt: Date | null; queueStatus: string | null; outcome: string | null;
}
export interface RecordingRow { id: number; callId: number; path: string; startedAt: Date; endedAt: Date | null; bytes: number | null }
export interface Write { op: 'insert' | 'patch'; id: number; fields: Record<string, unknown> }

export interface RigOptions {
  /** Operators' phone interfaces → their user ids. */
  operators?: Record<string, number>;
  /** Known callers by E.164 number. */
  residents?: Record<string, CardResident>;
  record?: TrackerDeps['record'];
  recordingsDir?: string;
  inboundContexts?: string[];
  action?: TrackerDeps['action'];
}

export function trackerRig(o: RigOptions = {}) {
  const clock = manualClock(TEST_NOW);
  const calls = new Map<number, CallLogRow>();
  const recordings: RecordingRow[] = [];
  const writes: Write[] = [];
  const pops: { userId: number; pop: CallPop }[] = [];
  const lookups: (string | null)[] = [];
  const logs: string[] = [];
  let sequence = 1000;

  const repo: TrackerDeps['repo'] = {
    async insertCall(c) {
      writes.push({ op: 'insert', id: c.id ?? 0, fields: { ...c } });
      const existing = [...calls.values()].find((r) => r.uniqueid === c.uniqueid);
      if (existing) {
        // ON CONFLICT (uniqueid): what the row lacks is filled in, the rest stays.
        existing.linkedid ??= c.linkedid; existing.channel ??= c.channel;
        existing.callerPhone ??= c.callerPhone; existing.queue ??= c.queue;
        return existing.id;
      }
      const id = c.id ?? ++sequence;
      const v = <T>(x: unknown) => (x === undefined ? null : x) as T;
      calls.set(id, {
        id, uniqueid: c.uniqueid, linkedid: c.linkedid, channel: c.channel, callerPhone: c.callerPhone, calledNumber: c.calledNumber,
        queue: c.queue, enteredAt: c.enteredAt, operatorId: v(c.operatorId), agentInterface: v(c.agentInterface), residentId: v(c.residentId),
        answeredAt: v(c.answeredAt), hungupAt: v(c.hungupAt), hangupCause: v(c.hangupCause), hangupCauseText: v(c.hangupCauseText),
        queuedAt: v(c.queuedAt), queueStatus: v(c.queueStatus), outcome: v(c.outcome),
      });
      return id;
    },
    async patchCall(id, patch) {
      const fields = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      writes.push({ op: 'patch', id, fields });
      const row = calls.get(id);
      if (row) Object.assign(row, fields);
    },
    async closeMissing(live, at, text) {
      const closed = [...calls.values()].filter((r) => !r.hungupAt && !live.includes(r.uniqueid));
      for (const r of closed) {
        Object.assign(r, { hungupAt: new Date(Math.max(at.getTime(), r.enteredAt.getTime(), r.answeredAt?.getTime() ?? 0)), hangupCauseText: text, outcome: r.answeredAt ? 'answered' : 'lost' });
      }
      return closed.map((r) => ({ id: r.id, uniqueid: r.uniqueid }));
    },
    async insertRecording(callId, path, startedAt) {
      if (recordings.some((r) => r.callId === callId && r.path === path)) return null;
      const id = recordings.length + 1;
      recordings.push({ id, callId, path, startedAt, endedAt: null, bytes: null });
      return { id };
    },
    recordingsOfCall: async (callId) => recordings.filter((r) => r.callId === callId).map((r) => ({ id: r.id, path: r.path })),
    async finishRecording(id, bytes, at) {
      const r = recordings.find((x) => x.id === id);
      if (r) { r.bytes = bytes; r.endedAt ??= at; }
      return null;
    },
  };

  const byInterface = new Map(Object.entries(o.operators ?? {}).map(([raw, id]) => [canonicalInterface(raw)!, id]));
  const deps: TrackerDeps = {
    repo,
    reserveCallIds: async (n) => Array.from({ length: n }, () => ++sequence),
    operators: {
      of(raw) {
        const id = byInterface.get(canonicalInterface(raw) ?? '');
        return id === undefined ? null : { id, name: `Operator ${id}`, interface: raw ?? '' };
      },
    },
    async card(phone): Promise<CallerCard> {
      lookups.push(phone);
      const resident = (phone && o.residents?.[phone]) || null;
      return { phone, resident, openAppeals: [], announcements: [] };
    },
    publish: (userId, pop) => { pops.push({ userId, pop }); },
    action: o.action,
    recordingsDir: o.recordingsDir ?? '/var/spool/asterisk/monitor',
    record: o.record ?? 'dialplan',
    inboundContexts: o.inboundContexts ?? ['misto-incoming'],
    clock,
    log: (m) => logs.push(m),
  };
  const tracker = callTracker(deps);

  /** Lets every write and pop the tracker started so far happen (they chain on promises). */
  async function settle() {
    for (let i = 0; i < 5; i++) {
      await tracker.settle();
      await new Promise((r) => setImmediate(r));
    }
  }

  return {
    tracker, deps, clock, calls, recordings, writes, pops, lookups, logs, settle,
    /**
     * Hands the events to the tracker in order, the clock at each row's time. Rows of one instant
     * arrive together, as one TCP read does; before a later instant what they started has settled.
     */
    async feed(rows: EventRow[]) {
      let last: number | undefined;
      for (const [ms, event] of rows) {
        if (last !== undefined && ms !== last) await settle();
        clock.set(TEST_NOW.getTime() + ms);
        tracker.handle(event);
        last = ms;
      }
      await settle();
    },
    /** The call row of a PBX uniqueid. */
    call: (uniqueid: string) => [...calls.values()].find((r) => r.uniqueid === uniqueid),
    /** What one operator was shown, in order: type and reason. */
    popsOf: (userId: number) => pops.filter((p) => p.userId === userId).map((p) => p.pop),
  };
}
export type TrackerRig = ReturnType<typeof trackerRig>;

/** TEST_NOW shifted by `ms`, as the rows' times are. */
export const t = (ms: number) => new Date(TEST_NOW.getTime() + ms);
