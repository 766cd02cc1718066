// Comparing the PBX simulator with transcripts of a real Asterisk 22.10.1 (tests/fixtures/ami/).
//
// A transcript and a simulator run are both turned into tokens, one per AMI block a connection
// received: the event (or Response) with the fields that carry meaning — which channel, which half,
// which Uniqueid/Linkedid, interfaces, statuses, causes, QUEUESTATUS — and not the values that
// depend on the clock or the machine (times, durations, epoch-based uniqueids, addresses). Channel
// names and uniqueids become roles: "c1;1"/"c1;2" for the halves of the first call, "c1.m2;1" for
// the second member leg rung for it, "b1" for the first bridge.
//
// Asterisk's threads make the order inside a burst of events (the same few milliseconds) vary from
// run to run — the captures of one scenario disagree with each other there — so tokens are compared
// burst by burst: the transcript is cut where it is silent for more than GAP_MS, the simulator's
// tokens are taken in the same counts, and each pair of bursts must hold the same tokens. The
// order of bursts is exact. Kinds the capture tool dropped, and the noise listed in IGNORED, are
// left out on both sides.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BlockParser, formatBlock, header, type Headers } from '../../server/telephony/ami-wire.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ami');
export const GAP_MS = 40;

/**
 * Not modelled by the simulator (documented in server/telephony/simulator/README.md), or dropped by
 * the capture tool: left out of both sides.
 */
export const IGNORED = new Set(['Newexten', 'Cdr', 'CEL', 'RTCPSent', 'RTCPReceived', 'NewConnectedLine', 'LocalBridge',
  'DialState', 'MusicOnHoldStart', 'MusicOnHoldStop', 'SoftHangupRequest', 'HangupRequest']);
/** The VarSets the simulator emits (the capture kept these and a few more). */
export const VARIABLES = new Set(['MIXMONITOR_FILENAME', 'QUEUESTATUS', 'MEMBERINTERFACE', 'MEMBERNAME', 'SURVEY_ID',
  'DIGIT', 'RATING', 'READSTATUS', 'MISTO_RING']);

/** Fields that say what happened; the rest depends on clocks and machines. Channel-like fields become roles. */
const FIELDS = ['Privilege', 'Channel', 'ChannelStateDesc', 'Context', 'CallerIDNum', 'Uniqueid', 'Linkedid', 'DestChannel',
  'DestChannelStateDesc', 'DestUniqueid', 'DestLinkedid', 'DialString', 'DialStatus', 'Variable', 'Value', 'Queue', 'Position',
  'Count', 'OriginalPosition', 'Interface', 'MemberName', 'StateInterface', 'Membership', 'Status', 'Paused', 'PausedReason',
  'InCall', 'CallsTaken', 'Name', 'Location', 'Max', 'Strategy', 'Calls', 'Cause', 'Cause-txt', 'Response', 'Message', 'Reason',
  'UserEvent', 'QueueStatus', 'Digit', 'ReadStatus', 'SurveyId', 'Step', 'Direction', 'Shutdown', 'Restart', 'Application',
  'ApplicationData', 'BridgeId', 'BridgeUniqueid', 'BridgeNumChannels', 'EventList', 'ListItems', 'ActionID', 'LoggedIn',
  'Available', 'Callers', 'Ping', 'Service', 'AccountID', 'Data'];

export type Frame =
  | { t: number; dir: 'in' | 'out'; conn: number; block: Headers; greeting: boolean }
  | { t: number; dir: 'meta'; conn: number; meta: string };

export interface Capture { name: string; head: Record<string, unknown>; frames: Frame[] }

export function readCapture(name: string): Capture {
  const lines = readFileSync(join(FIXTURES, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean);
  const head = JSON.parse(lines[0]) as Record<string, unknown>;
  const frames: Frame[] = lines.slice(1).map((l) => {
    const o = JSON.parse(l) as { t: number; dir: string; conn: number; frame?: string; meta?: string };
    if (o.dir === 'meta') return { t: o.t, dir: 'meta', conn: o.conn, meta: o.meta ?? '' };
    const raw = o.frame ?? '';
    const greeting = !raw.includes('\r\n\r\n');
    return { t: o.t, dir: o.dir as 'in' | 'out', conn: o.conn, greeting, block: greeting ? [] : new BlockParser().push(raw)[0] ?? [] };
  });
  return { name, head, frames };
}

/** One block a connection received, or its end (the PBX closed it). */
export interface Received { conn: number; t: number; block: Headers | 'closed' }

/** What a capture's connections received: the 'in' blocks and the FINs the PBX sent first. */
export function received(c: Capture): Received[] {
  const out: Received[] = [];
  const clientClosed = new Set<number>();
  for (const f of c.frames) {
    if (f.dir === 'in' && !f.greeting) out.push({ conn: f.conn, t: f.t, block: f.block });
    if (f.dir === 'meta' && f.meta.startsWith('client-close')) clientClosed.add(f.conn);
    if (f.dir === 'meta' && f.meta.startsWith('tcp-end') && !clientClosed.has(f.conn)) out.push({ conn: f.conn, t: f.t, block: 'closed' });
  }
  return out;
}

/** Whether a block takes part in the comparison. */
export function comparable(b: Headers | 'closed'): boolean {
  if (b === 'closed') return true;
  const ev = header(b, 'Event');
  if (ev === undefined) return header(b, 'Response') !== undefined;
  if (IGNORED.has(ev)) return false;
  if (ev === 'VarSet') return VARIABLES.has(header(b, 'Variable') ?? '');
  return true;
}

const seqOf = (uid: string) => Number(uid.split('.')[1] ?? NaN);
const baseOf = (name: string) => name.replace(/;\d$/, '');

/** Channel names, uniqueids and bridge ids → roles, from every block of a run. */
export class Roles {
  readonly byChannel = new Map<string, string>();
  readonly byUid = new Map<string, string>();
  private bridges = new Map<string, string>();

  constructor(items: Received[]) {
    const chans = new Map<string, { uid: string; linked: string }>();
    for (const it of items) {
      if (it.block === 'closed') continue;
      for (const p of ['', 'Dest']) {
        const name = header(it.block, `${p}Channel`), uid = header(it.block, `${p}Uniqueid`), linked = header(it.block, `${p}Linkedid`);
        if (name && uid && linked && !chans.has(name)) chans.set(name, { uid, linked });
      }
      const b = header(it.block, 'BridgeUniqueid') ?? header(it.block, 'BridgeId');
      if (b && !this.bridges.has(b)) this.bridges.set(b, `b${this.bridges.size + 1}`);
    }
    const roots = [...chans.entries()].filter(([, c]) => c.uid === c.linked).sort((a, b) => seqOf(a[1].uid) - seqOf(b[1].uid));
    const rootRole = new Map<string, string>();
    roots.forEach(([name, c], i) => { rootRole.set(c.linked, `c${i + 1}`); rootRole.set(`base:${baseOf(name)}`, `c${i + 1}`); });
    const legs = new Map<string, string[]>();
    for (const [name, c] of [...chans.entries()].sort((a, b) => seqOf(a[1].uid) - seqOf(b[1].uid))) {
      const root = rootRole.get(c.linked) ?? '?';
      const half = /;(\d)$/.exec(name)?.[1];
      let role: string;
      if (rootRole.get(`base:${baseOf(name)}`) === root) role = root;
      else {
        const list = legs.get(root) ?? [];
        if (!list.includes(baseOf(name))) list.push(baseOf(name));
        legs.set(root, list);
        role = `${root}.m${list.indexOf(baseOf(name)) + 1}`;
      }
      role += half ? `;${half}` : '';
      this.byChannel.set(name, role);
      this.byUid.set(c.uid, role);
    }
  }

  /** A value with every channel name, uniqueid and bridge id replaced by its role. */
  value(v: string): string {
    const direct = this.byChannel.get(v) ?? this.byUid.get(v) ?? this.bridges.get(v);
    if (direct) return direct;
    let out = v;
    for (const [uid, role] of [...this.byUid].sort((a, b) => b[0].length - a[0].length)) out = out.split(uid).join(role);
    return out;
  }

  /** The channel name of a role in this run (to rewrite the lab's actions). */
  channelOf(role: string) { return [...this.byChannel].find(([, r]) => r === role)?.[0]; }
}

export interface Token { conn: number; t: number; text: string }

/**
 * `unscale`: values the replay scaled (a Wait's seconds), back to the capture's. A member leg's ";2"
 * runs the lab's operator extension (Answer, Playback tt-monkeys): its application is not compared.
 */
export function tokens(items: Received[], roles = new Roles(items), unscale = new Map<string, string>()): Token[] {
  const out: Token[] = [];
  for (const it of items) {
    if (!comparable(it.block)) continue;
    if (it.block === 'closed') { out.push({ conn: it.conn, t: it.t, text: 'closed by the PBX' }); continue; }
    const b = it.block;
    const kind = header(b, 'Event') ? `Event ${header(b, 'Event')}` : `Response`;
    const parts = [kind];
    for (const f of FIELDS) {
      // The first value only: the lab's UserEvent body repeated Uniqueid/Linkedid (Asterisk adds the
      // channel's own first); the shipped dialplan does not repeat them.
      const v = header(b, f);
      if (f === 'Privilege') { parts.push(v !== undefined ? `Privilege=${v}` : 'no Privilege'); continue; }
      if (v === undefined) continue;
      if ((f === 'Application' || f === 'ApplicationData') && /\.m\d+;2$/.test(roles.value(header(b, 'Channel') ?? ''))) continue;
      parts.push(`${f}=${roles.value(f === 'ApplicationData' ? unscale.get(v) ?? v : v)}`);
    }
    if (header(b, 'Event') === 'Newchannel') parts.push(`Exten=${header(b, 'Exten')}`);
    out.push({ conn: it.conn, t: it.t, text: parts.join(' ') });
  }
  return out;
}

/** Bursts of a capture's tokens: a new burst after GAP_MS of silence. */
export function bursts(toks: Token[], gapMs = GAP_MS): Token[][] {
  const out: Token[][] = [];
  let last = -Infinity;
  for (const t of toks) {
    if (t.t - last > gapMs || !out.length) out.push([]);
    out[out.length - 1].push(t);
    last = t.t;
  }
  return out;
}

const sorted = (xs: string[]) => [...xs].sort();

/**
 * Null when the simulator's tokens match the capture's burst by burst; else a report that starts
 * with the first burst that differs (what was expected, what came, what is missing or extra).
 */
export function compareTokens(expected: Token[], actual: Token[]): string | null {
  const groups = bursts(expected);
  let pos = 0;
  for (const [i, g] of groups.entries()) {
    const got = actual.slice(pos, pos + g.length).map((t) => t.text);
    const want = g.map((t) => t.text);
    if (JSON.stringify(sorted(got)) !== JSON.stringify(sorted(want))) {
      const missing = [...want], extra: string[] = [];
      for (const x of got) { const k = missing.indexOf(x); if (k >= 0) missing.splice(k, 1); else extra.push(x); }
      const firstDiff = want.findIndex((w, k) => got[k] !== w);
      return [`burst ${i + 1} of ${groups.length} (capture t=${g[0].t}…${g[g.length - 1].t} ms) differs;`,
        `first differing event (#${pos + Math.max(0, firstDiff) + 1}): expected ${want[Math.max(0, firstDiff)] ?? '(nothing)'}`,
        `                                   got ${got[Math.max(0, firstDiff)] ?? '(nothing)'}`,
        '  missing:', ...missing.map((m) => `    ${m}`), '  unexpected:', ...extra.map((m) => `    ${m}`),
        '  expected burst:', ...want.map((m) => `    ${m}`), '  simulator:', ...got.map((m) => `    ${m}`)].join('\n');
    }
    pos += g.length;
  }
  if (pos < actual.length) return `the simulator sent more than the capture:\n${actual.slice(pos).map((t) => `    ${t.text}`).join('\n')}`;
  return null;
}

// ---------------------------------------------------------------------------------- a raw client

/** A raw AMI connection that keeps every block it receives, with its arrival time. */
export class RawAmi {
  readonly socket: net.Socket;
  readonly blocks: { t: number; block: Headers }[] = [];
  text = '';
  /** performance.now() when the PBX's FIN arrived (null: not yet). */
  endedAt: number | null = null;
  closedAt: number | null = null;
  readonly closed: Promise<void>;
  private parser = new BlockParser();
  private waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d) => {
      const now = performance.now();
      this.text += d.toString();
      for (const b of this.parser.push(d)) this.blocks.push({ t: now, block: b });
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('end', () => { this.endedAt = performance.now(); for (const w of this.waiters.splice(0)) w(); });
    socket.on('error', () => {});
    this.closed = new Promise((r) => socket.once('close', () => { this.closedAt = performance.now(); r(); }));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawAmi> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host);
      s.once('connect', () => resolve(new RawAmi(s)));
      s.once('error', reject);
    });
  }

  send(block: Headers) { this.socket.write(formatBlock(block)); }

  action(fields: Record<string, string | string[]>) {
    const h: Headers = [];
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) h.push([k, x]);
    this.send(h);
  }

  /** Waits for a block (searching from the start) matching `pred`. */
  async waitFor(pred: (b: Headers) => boolean, ms = 3000, what = 'an AMI block'): Promise<Headers> {
    const deadline = performance.now() + ms;
    for (;;) {
      const hit = this.blocks.find((x) => pred(x.block));
      if (hit) return hit.block;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.blocks.map((x) => header(x.block, 'Event') ?? header(x.block, 'Response')).join(', ')}`);
      await new Promise<void>((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }

  async login(user = 'misto', secret = 'misto', id = 'login') {
    this.action({ Action: 'Login', ActionID: id, Username: user, Secret: secret });
    return this.waitFor((b) => header(b, 'ActionID') === id && header(b, 'Response') !== undefined, 3000, `the ${id} response`);
  }

  /** The blocks answering one ActionID: the response, list items and the Complete event. */
  answers(id: string) { return this.blocks.filter((x) => header(x.block, 'ActionID') === id).map((x) => x.block); }

  end() { this.socket.end(); }
}

// ---------------------------------------------------------------------------------- replaying the lab

export interface Lab {
  /** The capture's times are multiplied by this (the simulator's timings are scaled alike). */
  scale: number;
  /** What the lab did at its meta lines ("lab: kill -9 …"), by the line's start. */
  steps?: Record<string, () => unknown>;
  /** More stimuli at capture times (e.g. an Originate on a connection the capture did not record). */
  at?: { t: number; run: () => unknown }[];
}

const sleepUntil = (when: number) => new Promise((r) => setTimeout(r, Math.max(0, when - performance.now())));

async function connectRetrying(port: number, ms = 3000): Promise<RawAmi> {
  const deadline = performance.now() + ms;
  for (;;) {
    try { return await RawAmi.connect(port); } catch (e) {
      if (performance.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** The lab's variables and timeouts in capture time, scaled (`unscale` learns the way back). */
function scaleAction(b: Headers, scale: number, unscale: Map<string, string>): Headers {
  return b.map(([k, v]) => {
    if (k === 'Timeout') return [k, String(Math.round(Number(v) * scale))];
    if (k === 'Variable') {
      return [k, v.replace(/^(CALLER_HANGUP|QTIMEOUT)=(\d+(?:\.\d+)?)$/, (_, n: string, s: string) => {
        const scaled = (Number(s) * scale).toFixed(3);
        unscale.set(scaled, s);
        return `${n}=${scaled}`;
      })];
    }
    return [k, v];
  });
}

export interface Replayed { items: Received[]; unscale: Map<string, string> }

/**
 * Plays the lab's side of a capture against the simulator: connections opened and closed at the
 * capture's times, its actions sent at their times (each once the simulator has sent as many
 * comparable blocks on that connection as Asterisk had by then, so an action lands in the same
 * state of the call), channel names in actions rewritten to the simulator's channel of the same
 * role. Returns what each connection received, in capture time.
 */
export async function replay(port: () => number, c: Capture, lab: Lab): Promise<Replayed> {
  const t0 = performance.now();
  const unscale = new Map<string, string>();
  const at = (t: number) => t0 + t * lab.scale;
  const conns = new Map<number, RawAmi>();
  const clientClosed = new Set<number>();
  const capRoles = new Roles(received(c));
  const need = new Map<Frame, number>();
  const seen = new Map<number, number>();
  for (const f of c.frames) {
    if (f.dir === 'in' && !f.greeting && comparable(f.block)) seen.set(f.conn, (seen.get(f.conn) ?? 0) + 1);
    if (f.dir === 'out') need.set(f, seen.get(f.conn) ?? 0);
  }
  const collect = (): Received[] => {
    const out: Received[] = [];
    for (const [conn, raw] of conns) {
      for (const x of raw.blocks) out.push({ conn, t: (x.t - t0) / lab.scale, block: x.block });
      if (raw.endedAt !== null && !clientClosed.has(conn)) out.push({ conn, t: (raw.endedAt - t0) / lab.scale, block: 'closed' });
    }
    return out.sort((a, b) => a.t - b.t);
  };
  const extra = [...(lab.at ?? [])];
  const runExtras = async (upTo: number) => {
    while (extra.length && extra[0].t <= upTo) { const x = extra.shift()!; await sleepUntil(at(x.t)); await x.run(); }
  };
  for (const f of c.frames) {
    await runExtras(f.t);
    await sleepUntil(at(f.t));
    if (f.dir === 'meta') {
      if (f.meta === 'tcp-connect') conns.set(f.conn, await connectRetrying(port()));
      else if (f.meta.startsWith('client-close')) { clientClosed.add(f.conn); conns.get(f.conn)?.end(); }
      else for (const [prefix, run] of Object.entries(lab.steps ?? {})) if (f.meta.startsWith(prefix)) void run();
      continue;
    }
    if (f.dir !== 'out') continue;
    const raw = conns.get(f.conn);
    if (!raw) throw new Error(`${c.name}: an action on connection ${f.conn} before it was opened`);
    const want = need.get(f) ?? 0;
    const deadline = performance.now() + 3000;
    while (raw.blocks.filter((x) => comparable(x.block)).length < want && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const simRoles = new Roles(collect());
    const block = scaleAction(f.block, lab.scale, unscale).map(([k, v]): [string, string] => {
      const role = capRoles.byChannel.get(v);
      return [k, role ? simRoles.channelOf(role) ?? v : v];
    });
    raw.send(block);
  }
  await runExtras(Infinity);
  await new Promise((r) => setTimeout(r, 200));
  for (const [conn, raw] of conns) if (!clientClosed.has(conn)) raw.socket.destroy();
  return { items: collect(), unscale };
}
