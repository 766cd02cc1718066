// AMI transcripts captured from a real Asterisk (tests/fixtures/ami/*.jsonl): every frame as it
// arrived (parsed as the product's AMI client parses a block: a repeated header keeps its last
// value), the events alone as a table, and a replay of a whole capture — events, the lab's
// CoreShowChannels answers as reconciliations, its QueueStatus answers as queue state, the end of
// a connection as a lost link — to a tracker (the in-memory rig or the product's telephony).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmiMessage } from 'asterisk-ami-client';
import { BlockParser } from '../../server/telephony/ami-wire.ts';
import type { ManualClock } from '../../server/clock.ts';
import type { AmiEvent, EventRow } from './tracker-rig.ts';

export interface Frame { t: number; dir: 'in' | 'out' | 'meta'; conn: number; frame?: string; meta?: string; msg?: Record<string, string> }

export interface Capture {
  scenario: string;
  asterisk: string;
  description: string;
  recordings?: { path: string; bytes: number }[];
  frames: Frame[];
  /** Every event Asterisk sent (responses to the capture client's actions left out). */
  events: EventRow[];
}

const parse = (raw: string) => Object.fromEntries(new BlockParser().push(raw)[0] ?? []) as Record<string, string>;

export function readCapture(scenario: string): Capture {
  const [head, ...lines] = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'ami', `${scenario}.jsonl`), 'utf8').trim().split('\n');
  const frames = lines.map((line) => {
    const f = JSON.parse(line) as Frame;
    return f.frame && !f.frame.startsWith('Asterisk Call Manager') ? { ...f, msg: parse(f.frame) } : f;
  });
  const events = frames.filter((f) => f.dir === 'in' && f.msg?.Event).map((f) => [f.t, f.msg as AmiEvent] as EventRow);
  return { ...JSON.parse(head), frames, events };
}

/** ActionIDs of the list actions the lab sent, with the action's name in lower case. */
export function labLists(frames: Frame[]) {
  const actions = new Map<string, string>();
  for (const f of frames) if (f.dir === 'out' && f.msg?.Action && f.msg.ActionID) actions.set(f.msg.ActionID, f.msg.Action.toLowerCase());
  return actions;
}

/** What a replay drives: the tracker's entry points (and the wallboard's queue state, if any). */
export interface ReplaySink {
  handle(e: AmiEvent): void;
  reconcile(items: AmiMessage[], o: { before: Set<string>; lostAt?: Date | null; orphansAt: Date }): Promise<unknown>;
  /** The calls in progress (remembered when a session begins). */
  trackedCalls(): Set<string>;
  queueStatus?(items: AmiMessage[]): void;
  settle(): Promise<void>;
}

/**
 * Feeds a capture to `sink` with the clock at `start` + each frame's time. Frames of one instant
 * arrive together, as one TCP read does; what they started settles before a later instant. Returns
 * when the link was last lost (the last frame heard before a connection ended).
 */
export async function replay(sink: ReplaySink, clock: ManualClock, scenario: string, start: Date, opts: { until?: number } = {}) {
  const { frames } = readCapture(scenario);
  const lists = labLists(frames);
  const items = new Map<string, AmiMessage[]>();
  let lastHeard: number | null = null;
  let lostAt: Date | null = null;
  let before = new Set<string>();
  let last: number | undefined;
  for (const f of frames) {
    if (opts.until !== undefined && f.t > opts.until) break;
    if (last !== undefined && f.t !== last) await sink.settle();
    last = f.t;
    clock.set(start.getTime() + f.t);
    if (f.dir === 'meta') {
      if (/^tcp-(end|close)/.test(f.meta ?? '') && lastHeard !== null) lostAt = new Date(start.getTime() + lastHeard);
      continue;
    }
    if (f.dir !== 'in' || !f.msg) continue;
    lastHeard = f.t;
    const m = f.msg;
    const list = m.ActionID ? lists.get(m.ActionID) : undefined;
    if (m.Response && /Authentication accepted/.test(m.Message ?? '')) before = sink.trackedCalls();
    if (list) {
      if (m.Response) { items.set(m.ActionID, []); continue; }
      if (m.EventList !== 'Complete') { items.get(m.ActionID)?.push(m); continue; }
      if (list === 'coreshowchannels') await sink.reconcile(items.get(m.ActionID) ?? [], { before, lostAt, orphansAt: lostAt ?? clock.now() });
      else if (list === 'queuestatus') sink.queueStatus?.(items.get(m.ActionID) ?? []);
      continue;
    }
    if (m.Event) sink.handle(m as AmiEvent);
  }
  await sink.settle();
  return { lostAt };
}
