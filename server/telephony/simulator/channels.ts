// Channels as Asterisk names and numbers them, and the channel snapshot every channel event carries.
//
// Uniqueids are "<epoch seconds at creation>.<sequence>": the sequence is global, the seconds are
// the clock's when the channel is made (so one call can span two epoch values), and both restart
// from 0 when Asterisk restarts. Channel names end in an 8-hex-digit counter kept per channel driver
// (Local channels share one, PJSIP has its own), also reset by a restart. A Local channel is a pair
// "…;1" (the originated half) and "…;2" (the half that runs the dialplan), with consecutive
// uniqueids; both carry the Linkedid of the call's first channel.
import type { Headers } from '../ami-wire.ts';

export const STATE_DESC: Record<number, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up', 7: 'Busy' };
export const DOWN = 0, RING = 4, RINGING = 5, UP = 6, BUSY = 7;

export const CAUSE_TXT: Record<number, string> = {
  0: 'Unknown', 1: 'Unallocated (unassigned) number', 16: 'Normal Clearing', 17: 'User busy',
  18: 'No user responding', 19: 'User alerting, no answer', 21: 'Call Rejected', 26: 'Answered elsewhere',
  27: 'Destination out of order', 34: 'Circuit/channel congestion', 38: 'Network out of order',
  41: 'Temporary failure', 42: 'Switching equipment congestion',
};

export interface Channel {
  name: string;
  uniqueid: string;
  linkedid: string;
  state: number;
  callerNum: string;
  callerName: string;
  connectedNum: string;
  connectedName: string;
  language: string;
  context: string;
  exten: string;
  priority: number;
  application: string;
  appData: string;
  /** performance.now() at creation: CoreShowChannel's Duration. */
  createdAt: number;
  bridgeId: string;
  vars: Map<string, string>;
  /** The other half of a Local channel. */
  peer: Channel | null;
  half: 1 | 2 | null;
  /** The call or outbound call the channel belongs to: an AMI Hangup of the channel goes there. */
  owner?: ChannelOwner;
  /** MixMonitor's file (absolute) and how long the channel has been bridged (option b records only then). */
  recording?: { path: string; bridgedMs: number; since: number | null };
  alive: boolean;
}

export interface ChannelOwner {
  hangupChannel(ch: Channel, cause: number): void;
  /** `core stop now`. */
  shutdown(): void;
}

export class ChannelTable {
  readonly byName = new Map<string, Channel>();
  private sequence = 0;
  private counters = new Map<string, number>();

  /** Asterisk restarted: new numbering, no channels. */
  reset() {
    this.byName.clear();
    this.sequence = 0;
    this.counters.clear();
  }

  private uniqueid() { return `${Math.floor(Date.now() / 1000)}.${this.sequence++}`; }

  private suffix(driver: string) {
    const n = this.counters.get(driver) ?? 0;
    this.counters.set(driver, n + 1);
    return n.toString(16).padStart(8, '0');
  }

  private make(name: string, o: NewChannel, linkedid?: string): Channel {
    const uniqueid = this.uniqueid();
    const ch: Channel = {
      name, uniqueid, linkedid: linkedid ?? o.linkedid ?? uniqueid, state: o.state ?? DOWN,
      callerNum: o.callerNum ?? '', callerName: o.callerName ?? '', connectedNum: '', connectedName: '',
      language: 'en', context: o.context, exten: o.exten, priority: 1, application: '', appData: '',
      createdAt: performance.now(), bridgeId: '', vars: new Map(), peer: null, half: null, alive: true,
    };
    this.byName.set(name, ch);
    return ch;
  }

  /** "Local/<exten>@<context>": the ";1" half (Down) and the ";2" half (Ring), both in <context>. */
  local(target: string, o: Omit<NewChannel, 'context' | 'exten'> = {}): [Channel, Channel] {
    const m = /^Local\/([^@/]+)@([^/]+)/.exec(target);
    if (!m) throw new Error(`not a Local channel: ${target}`);
    const base = `Local/${m[1]}@${m[2]}-${this.suffix('Local')}`;
    const one = this.make(`${base};1`, { ...o, context: m[2], exten: m[1], state: DOWN });
    const two = this.make(`${base};2`, { ...o, context: m[2], exten: m[1], state: RING }, one.linkedid);
    one.half = 1; two.half = 2;
    one.peer = two; two.peer = one;
    return [one, two];
  }

  /** One channel of a driver that is not Local ("PJSIP/101" → "PJSIP/101-0000000a"). */
  single(resource: string, o: NewChannel): Channel {
    const driver = resource.split('/')[0];
    return this.make(`${resource}-${this.suffix(driver)}`, o);
  }

  get(name: string) { return this.byName.get(name); }

  remove(ch: Channel) {
    ch.alive = false;
    this.byName.delete(ch.name);
  }
}

interface NewChannel {
  context: string;
  exten: string;
  linkedid?: string;
  callerNum?: string;
  callerName?: string;
  state?: number;
}

const unknown = (s: string) => s || '<unknown>';

/** "Local/100@operators/n" → "Local/100@operators": a device without the dial options of Local. */
export const deviceOf = (iface: string) => iface.replace(/^(Local\/[^/]+)\/.*$/, '$1');

/** The channel snapshot, in Asterisk's header order; `Dest` gives the second channel of dial and agent events. */
export function snapshot(ch: Channel, prefix = ''): Headers {
  return [
    [`${prefix}Channel`, ch.name], [`${prefix}ChannelState`, String(ch.state)],
    [`${prefix}ChannelStateDesc`, STATE_DESC[ch.state] ?? 'Unknown'],
    [`${prefix}CallerIDNum`, unknown(ch.callerNum)], [`${prefix}CallerIDName`, unknown(ch.callerName)],
    [`${prefix}ConnectedLineNum`, unknown(ch.connectedNum)], [`${prefix}ConnectedLineName`, unknown(ch.connectedName)],
    [`${prefix}Language`, ch.language], [`${prefix}AccountCode`, ''], [`${prefix}Context`, ch.context],
    [`${prefix}Exten`, ch.exten], [`${prefix}Priority`, String(ch.priority)],
    [`${prefix}Uniqueid`, ch.uniqueid], [`${prefix}Linkedid`, ch.linkedid],
  ];
}

export function hhmmss(ms: number) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}

/** `"Name" <+380…>`, `<+380…>` or a bare number, as Originate's CallerID header. */
export function parseCallerId(s: string): { name: string; num: string } {
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(s);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), num: m[3].trim() };
  return { name: '', num: s.trim() };
}
