// A PBX that speaks the Asterisk Manager Interface exactly as Asterisk 22 does (see
// ../vocabulary/STACK-NOTES.md): the banner line, CRLF blocks, Login success and failure (the session is
// closed after a failed login), ActionID echo, list actions (EventList start / items / Complete),
// Ping, the event order of a queued call (Newchannel with "<unknown>" then NewCallerid on Local
// channels), hangup causes, async Originate with scripted Reason/Cause, UserEvent(SurveyResult) and
// MixMonitor writing a real WAV file named by the uniqueid. The product cannot tell it from Asterisk:
// it is the demo PBX when AMI_HOST is unset, the tests' peer, and the benchmark's load generator.
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BlockParser, formatBlock, header, headerAll, type Headers } from '../ami-wire.ts';
import { wavFile, wavHeader } from './wav.ts';

export const BANNER = 'Asterisk Call Manager/11.0.0';

export interface OriginateRequest {
  channel: string; context: string; exten: string; callerId: string; vars: Record<string, string>;
}
/** What the far end of an originated call does. Reasons and causes as Asterisk reports them. */
export interface OriginateOutcome {
  reason: number;              // 4 answered, 5 busy, 8 congestion, 3 no answer, 0 failure, 1 hangup
  cause?: number;              // Q.850 cause of the Hangup
  delayMs?: number;            // ringing time before the outcome
  /** Keys the resident presses in a survey context: one SurveyResult UserEvent each. */
  digits?: { digit: string; readStatus: string }[];
  talkMs?: number;
}

export interface SimulatorOptions {
  users?: Record<string, string>;
  /** MixMonitor's target folder (Asterisk's spool "monitor/"); null: no files. */
  recordingsDir?: string | null;
  /** Record every incoming call from the dialplan (MixMonitor(${UNIQUEID}.wav,b)), as the shipped extensions.conf does. */
  dialplanRecording?: boolean;
  /** Split every block the PBX writes into these chunk sizes (cycled), with pauses: TCP segmentation at its worst. */
  chunks?: number[];
  originate?: (req: OriginateRequest) => OriginateOutcome;
  queueMembers?: string[];
  demoRingMs?: number;
  demoTalkMs?: number;
  log?: (m: string) => void;
  /** Called as an event's bytes are handed to the socket (benchmarks measure from here). */
  onSend?: (event: string, h: Headers, at: number) => void;
}

interface Session {
  socket: net.Socket;
  authed: boolean;
  frozen: boolean;
  queue: string[];
  pumping: boolean;
}

export interface Channel {
  name: string;
  uniqueid: string;
  linkedid: string;
  state: number;
  callerNum: string;
  callerName: string;
  connectedNum: string;
  connectedName: string;
  context: string;
  exten: string;
  priority: number;
  application: string;
  appData: string;
  createdAt: number;
  bridgeId: string;
  vars: Map<string, string>;
  call?: SimCall;
  recording?: string;
}

const STATE_DESC: Record<number, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up' };
const CAUSE_TXT: Record<number, string> = {
  0: 'Unknown', 1: 'Unallocated (unassigned) number', 16: 'Normal Clearing', 17: 'User busy',
  18: 'No user responding', 19: 'User alerting, no answer', 21: 'Call Rejected', 26: 'Answered elsewhere',
  27: 'Destination out of order', 34: 'Circuit/channel congestion', 38: 'Network out of order',
};
const PRIVILEGE: Record<string, string> = {
  QueueCallerJoin: 'agent,all', QueueCallerLeave: 'agent,all', QueueCallerAbandon: 'agent,all',
  AgentCalled: 'agent,all', AgentConnect: 'agent,all', AgentComplete: 'agent,all', AgentRingNoAnswer: 'agent,all',
  VarSet: 'dialplan,all', UserEvent: 'user,all', FullyBooted: 'system,all',
};

// Unique across simulator restarts in one process, like Asterisk's "<epoch>.<sequence>".
const EPOCH = Math.floor(Date.now() / 1000);
let sequence = 0;
let channelSeq = Math.floor(Math.random() * 0x1000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hhmmss(ms: number) {
  const s = Math.floor(ms / 1000);
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}

/** `"Name" <+380…>` or a bare number, as the CallerID header of Originate. */
function parseCallerId(s: string): { name: string; num: string } {
  const m = /^\s*"?([^"<]*)"?\s*<([^>]*)>\s*$/.exec(s);
  return m ? { name: m[1].trim(), num: m[2].trim() } : { name: '', num: s.trim() };
}

export class AmiSimulator {
  readonly opts: SimulatorOptions;
  private server: net.Server | null = null;
  private sessions = new Set<Session>();
  readonly channels = new Map<string, Channel>();   // by name
  private listening = false;
  port = 0;
  host = '127.0.0.1';
  /** Counters a test can look at. */
  stats = { logins: 0, failedLogins: 0, actions: 0, events: 0 };

  constructor(opts: SimulatorOptions = {}) {
    this.opts = { users: { misto: 'misto' }, recordingsDir: null, dialplanRecording: true, demoRingMs: 2000, demoTalkMs: 10 * 60_000, ...opts };
  }

  get queueMembers() { return this.opts.queueMembers ?? Array.from({ length: 10 }, (_, i) => `PJSIP/${101 + i}`); }

  /** Starts (or restarts, on the same port) the manager interface. Calls in progress survive a restart of the interface. */
  async start(port = this.port, host = this.host): Promise<number> {
    if (this.listening) return this.port;
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.host = host;
    this.port = (this.server.address() as net.AddressInfo).port;
    this.listening = true;
    this.opts.log?.(`AMI listening on ${host}:${this.port}`);
    return this.port;
  }

  /** Closes the manager interface and every session (as when Asterisk's manager goes away). */
  async stop() {
    this.listening = false;
    this.dropConnections();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Ends every AMI session; the listener stays (a network blip). */
  dropConnections() {
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
  }

  /** The PBX stops answering on open sessions without closing them: a half-open connection. */
  freeze() { for (const s of this.sessions) s.frozen = true; }

  get connectedSessions() { return [...this.sessions].filter((s) => s.authed).length; }

  // ---------------------------------------------------------------------------------- sessions

  private accept(socket: net.Socket) {
    socket.setNoDelay(true);
    const session: Session = { socket, authed: false, frozen: false, queue: [], pumping: false };
    this.sessions.add(session);
    const parser = new BlockParser();
    socket.on('data', (chunk) => {
      if (session.frozen) return;
      for (const block of parser.push(chunk)) this.handle(session, block);
    });
    socket.on('error', () => {});
    socket.on('close', () => this.sessions.delete(session));
    // Asterisk writes the banner as one line, without an empty line after it.
    socket.write(`${BANNER}\r\n`);
  }

  private write(session: Session, text: string) {
    if (session.frozen || session.socket.destroyed) return;
    const sizes = this.opts.chunks;
    if (!sizes?.length) { session.socket.write(text); return; }
    let i = 0, k = 0;
    while (i < text.length) {
      const n = sizes[k++ % sizes.length];
      session.queue.push(text.slice(i, i + n));
      i += n;
    }
    void this.pump(session);
  }

  private async pump(session: Session) {
    if (session.pumping) return;
    session.pumping = true;
    while (session.queue.length && !session.socket.destroyed) {
      session.socket.write(session.queue.shift()!);
      await sleep(1);
    }
    session.pumping = false;
  }

  private respond(session: Session, req: Headers, headers: Headers) {
    const id = header(req, 'ActionID');
    const [first, ...rest] = headers;
    this.write(session, formatBlock(id !== undefined ? [first, ['ActionID', id], ...rest] : headers));
  }

  /** An event to every logged-in session; list items go to one session with its ActionID. */
  event(name: string, headers: Headers, only?: { session: Session; actionId?: string }) {
    const h: Headers = [['Event', name]];
    if (only?.actionId !== undefined) h.push(['ActionID', only.actionId]);
    else h.push(['Privilege', PRIVILEGE[name] ?? 'call,all']);
    h.push(...headers);
    const text = formatBlock(h);
    const at = performance.now();
    if (only) this.write(only.session, text);
    else {
      this.stats.events++;
      for (const s of this.sessions) if (s.authed) this.write(s, text);
      this.opts.onSend?.(name, h, at);
    }
  }

  private handle(session: Session, req: Headers) {
    const action = (header(req, 'Action') ?? '').toLowerCase();
    this.stats.actions++;
    if (action === 'login') {
      const user = header(req, 'Username') ?? '';
      const secret = header(req, 'Secret') ?? '';
      if (this.opts.users?.[user] !== undefined && this.opts.users[user] === secret) {
        session.authed = true;
        this.stats.logins++;
        this.respond(session, req, [['Response', 'Success'], ['Message', 'Authentication accepted']]);
        this.event('FullyBooted', [['Status', 'Fully Booted'], ['Uptime', '1000'], ['LastReload', '1000']], { session });
      } else {
        this.stats.failedLogins++;
        this.respond(session, req, [['Response', 'Error'], ['Message', 'Authentication failed']]);
        // Asterisk ends the session after a failed login.
        setTimeout(() => session.socket.end(), 5);
      }
      return;
    }
    if (action === 'logoff') {
      this.respond(session, req, [['Response', 'Goodbye'], ['Message', 'Thanks for all the fish.']]);
      session.socket.end();
      return;
    }
    if (!session.authed) {
      this.respond(session, req, [['Response', 'Error'], ['Message', 'Permission denied']]);
      return;
    }
    switch (action) {
      case 'ping':
        this.respond(session, req, [['Response', 'Success'], ['Ping', 'Pong'], ['Timestamp', (Date.now() / 1000).toFixed(6)]]);
        return;
      case 'coreshowchannels': return this.coreShowChannels(session, req);
      case 'originate': return this.originateAction(session, req);
      case 'hangup': {
        const ch = this.channels.get(header(req, 'Channel') ?? '');
        if (!ch) return this.respond(session, req, [['Response', 'Error'], ['Message', 'No such channel']]);
        this.respond(session, req, [['Response', 'Success'], ['Message', 'Channel Hungup']]);
        const cause = Number(header(req, 'Cause') ?? 16) || 16;
        if (ch.call) ch.call.hangup(cause, ch === ch.call.caller ? 'caller' : 'agent');
        else this.hangupChannel(ch, cause);
        return;
      }
      case 'mixmonitor': {
        const ch = this.channels.get(header(req, 'Channel') ?? '');
        if (!ch) return this.respond(session, req, [['Response', 'Error'], ['Message', 'No such channel']]);
        this.startRecording(ch, header(req, 'File') ?? `${ch.uniqueid}.wav`);
        this.respond(session, req, [['Response', 'Success']]);
        return;
      }
      case 'getvar': {
        const ch = this.channels.get(header(req, 'Channel') ?? '');
        const name = header(req, 'Variable') ?? '';
        this.respond(session, req, [['Response', 'Success'], ['Variable', name], ['Value', ch?.vars.get(name) ?? '']]);
        return;
      }
      default:
        this.respond(session, req, [['Response', 'Error'], ['Message', 'Invalid/unknown command']]);
    }
  }

  private coreShowChannels(session: Session, req: Headers) {
    const actionId = header(req, 'ActionID');
    this.respond(session, req, [['Response', 'Success'], ['EventList', 'start'], ['Message', 'Channels will follow']]);
    const now = Date.now();
    for (const ch of this.channels.values()) {
      this.event('CoreShowChannel', [
        ...this.snapshot(ch), ['BridgeId', ch.bridgeId], ['Application', ch.application],
        ['ApplicationData', ch.appData], ['Duration', hhmmss(now - ch.createdAt)],
      ], { session, actionId });
    }
    this.event('CoreShowChannelsComplete', [['EventList', 'Complete'], ['ListItems', String(this.channels.size)]], { session, actionId });
  }

  // ---------------------------------------------------------------------------------- channels

  snapshot(ch: Channel, prefix = ''): Headers {
    return [
      [`${prefix}Channel`, ch.name], [`${prefix}ChannelState`, String(ch.state)],
      [`${prefix}ChannelStateDesc`, STATE_DESC[ch.state] ?? 'Unknown'],
      [`${prefix}CallerIDNum`, ch.callerNum || '<unknown>'], [`${prefix}CallerIDName`, ch.callerName || '<unknown>'],
      [`${prefix}ConnectedLineNum`, ch.connectedNum || '<unknown>'], [`${prefix}ConnectedLineName`, ch.connectedName || '<unknown>'],
      [`${prefix}Language`, 'uk'], [`${prefix}AccountCode`, ''], [`${prefix}Context`, ch.context],
      [`${prefix}Exten`, ch.exten], [`${prefix}Priority`, String(ch.priority)],
      [`${prefix}Uniqueid`, ch.uniqueid], [`${prefix}Linkedid`, ch.linkedid],
    ];
  }

  newChannel(tech: string, o: { linkedid?: string; callerNum?: string; callerName?: string; context: string; exten: string; state?: number }): Channel {
    const uniqueid = `${EPOCH}.${sequence++}`;
    const suffix = (channelSeq++).toString(16).padStart(8, '0');
    const name = tech.startsWith('Local/') ? `${tech}-${suffix};2` : `${tech}-${suffix}`;
    const ch: Channel = {
      name, uniqueid, linkedid: o.linkedid ?? uniqueid, state: o.state ?? 0, callerNum: o.callerNum ?? '',
      callerName: o.callerName ?? '', connectedNum: '', connectedName: '', context: o.context, exten: o.exten,
      priority: 1, application: '', appData: '', createdAt: Date.now(), bridgeId: '', vars: new Map(),
    };
    this.channels.set(name, ch);
    this.event('Newchannel', this.snapshot(ch));
    return ch;
  }

  setVar(ch: Channel, name: string, value: string) {
    ch.vars.set(name, value);
    this.event('VarSet', [...this.snapshot(ch), ['Variable', name], ['Value', value]]);
  }

  newState(ch: Channel, state: number) {
    ch.state = state;
    this.event('Newstate', this.snapshot(ch));
  }

  /** MixMonitor: relative names go to the monitor folder; the name is only visible as MIXMONITOR_FILENAME. */
  startRecording(ch: Channel, file: string) {
    const dir = this.opts.recordingsDir;
    const path = dir && !file.startsWith('/') ? join(dir, file) : file;
    ch.recording = path;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, wavHeader(0));
    }
    this.setVar(ch, 'MIXMONITOR_FILENAME', path);
    this.event('MixMonitorStart', this.snapshot(ch));
  }

  finishRecording(ch: Channel, talkedMs: number) {
    if (!ch.recording || !this.opts.recordingsDir) return;
    // A real recording of the bridged part, kept short: the simulator is not a media server.
    writeFileSync(ch.recording, talkedMs > 0 ? wavFile(Math.min(talkedMs, 4000) / 1000) : wavHeader(0));
  }

  hangupChannel(ch: Channel, cause: number) {
    if (!this.channels.has(ch.name)) return;
    this.channels.delete(ch.name);
    this.event('Hangup', [...this.snapshot(ch), ['Cause', String(cause)], ['Cause-txt', CAUSE_TXT[cause] ?? 'Unknown']]);
  }

  // ---------------------------------------------------------------------------------- calls

  /**
   * An incoming call reaching the city's number. A trunk channel carries the number in Newchannel;
   * a Local channel (`local: true`) shows "<unknown>" first and the number in NewCallerid.
   */
  incomingCall(o: { phone: string; name?: string; local?: boolean; context?: string; exten?: string }): SimCall {
    const context = o.context ?? 'misto-incoming';
    const tech = o.local ? `Local/${o.exten ?? '1580'}@${context}` : 'PJSIP/trunk';
    const ch = this.newChannel(tech, { callerNum: o.local ? '' : o.phone, callerName: o.local ? '' : (o.name ?? ''), context, exten: o.exten ?? '1580', state: 4 });
    const call = new SimCall(this, ch);
    if (o.local) {
      ch.callerNum = o.phone;
      ch.callerName = o.name ?? '';
      this.event('NewCallerid', [...this.snapshot(ch), ['CID-CallingPres', '0 (Presentation Allowed, Not Screened)']]);
    }
    this.newState(ch, 6);
    if (this.opts.dialplanRecording) this.startRecording(ch, `${ch.uniqueid}.wav`);
    return call;
  }

  /** A whole queued call on a timer: join, ring, answer (or not), talk, hang up. Resolves when it ends. */
  async scriptedCall(o: { phone: string; local?: boolean; queue?: string; iface: string; ringMs?: number; talkMs?: number; answer?: boolean; cause?: number; direct?: boolean }) {
    const call = this.incomingCall({ phone: o.phone, local: o.local });
    if (o.direct) call.dial(o.iface);
    else { call.join(o.queue ?? 'operators'); call.ring(o.iface); }
    await sleep(o.ringMs ?? 500);
    if (call.ended) return call;
    if (o.answer === false) { call.hangup(o.cause ?? 16); return call; }
    call.answer();
    await sleep(o.talkMs ?? 1000);
    call.hangup(o.cause ?? 16);
    return call;
  }

  private originateAction(session: Session, req: Headers) {
    const vars: Record<string, string> = {};
    for (const v of headerAll(req, 'Variable')) {
      for (const pair of v.split(',')) {
        const i = pair.indexOf('=');
        if (i > 0) vars[pair.slice(0, i).trim()] = pair.slice(i + 1);
      }
    }
    const r: OriginateRequest = {
      channel: header(req, 'Channel') ?? '', context: header(req, 'Context') ?? '', exten: header(req, 'Exten') ?? 's',
      callerId: header(req, 'CallerID') ?? '', vars,
    };
    const actionId = header(req, 'ActionID') ?? '';
    if (!r.channel) return this.respond(session, req, [['Response', 'Error'], ['Message', 'Channel not specified']]);
    if (!/^true|yes|1$/i.test(header(req, 'Async') ?? '')) {
      return this.respond(session, req, [['Response', 'Error'], ['Message', 'Originate failed']]);
    }
    this.respond(session, req, [['Response', 'Success'], ['Message', 'Originate successfully queued']]);
    if (r.context === 'misto-incoming') void this.demoIncoming(r, actionId);
    else void this.outbound(r, actionId, Number(header(req, 'Timeout') ?? 30000));
  }

  /** The desk's "simulate incoming call": a Local channel into the incoming context, dialling MISTO_RING. */
  private async demoIncoming(r: OriginateRequest, actionId: string) {
    const cid = parseCallerId(r.callerId);
    const call = this.incomingCall({ phone: cid.num, name: cid.name, local: true, exten: r.exten });
    this.event('OriginateResponse', [['ActionID', actionId], ['Response', 'Success'], ['Channel', call.caller.name],
      ['Context', r.context], ['Exten', r.exten], ['Application', ''], ['Data', ''], ['Reason', '4'],
      ['Uniqueid', call.caller.uniqueid], ['CallerIDNum', cid.num], ['CallerIDName', cid.name || '<unknown>']]);
    const iface = r.vars.MISTO_RING;
    if (iface) call.dial(iface);
    else { call.join('operators'); call.ring(this.queueMembers[0]); }
    await sleep(Number(r.vars.MISTO_RING_MS ?? this.opts.demoRingMs));
    if (call.ended) return;
    call.answer();
    await sleep(Number(r.vars.MISTO_TALK_MS ?? this.opts.demoTalkMs));
    if (!call.ended) call.hangup(16);
  }

  private async outbound(r: OriginateRequest, actionId: string, timeoutMs: number) {
    const outcome = this.opts.originate?.(r) ?? { reason: 4, cause: 16, digits: [{ digit: '1', readStatus: 'OK' }] };
    const number = /^(?:PJSIP|SIP|Local)\/([^@/-]+)/.exec(r.channel)?.[1] ?? r.channel;
    const cid = parseCallerId(r.callerId);
    const tech = r.channel.includes('@') ? `PJSIP/${r.channel.split('@')[1]}` : r.channel;
    const ch = this.newChannel(tech, { callerNum: number, context: r.context, exten: r.exten });
    ch.connectedNum = cid.num;
    for (const [k, v] of Object.entries(r.vars)) ch.vars.set(k, v);
    this.newState(ch, 5);
    const answer = outcome.reason === 4;
    await sleep(Math.min(outcome.delayMs ?? 200, answer ? Infinity : timeoutMs));
    const respond = (ok: boolean, reason: number) => this.event('OriginateResponse', [['ActionID', actionId],
      ['Response', ok ? 'Success' : 'Failure'], ['Channel', ok ? ch.name : r.channel], ['Context', r.context], ['Exten', r.exten],
      ['Application', ''], ['Data', ''], ['Reason', String(reason)], ['Uniqueid', ok ? ch.uniqueid : '<null>'],
      ['CallerIDNum', cid.num || '<unknown>'], ['CallerIDName', cid.name || '<unknown>']]);
    if (!answer) {
      this.hangupChannel(ch, outcome.cause ?? (outcome.reason === 5 ? 17 : outcome.reason === 3 ? 19 : outcome.reason === 8 ? 34 : 1));
      respond(false, outcome.reason);
      return;
    }
    this.newState(ch, 6);
    respond(true, 4);
    const surveyId = r.vars.SURVEY_ID ?? '';
    for (const d of outcome.digits ?? []) {
      await sleep(50);
      if (!this.channels.has(ch.name)) return;
      this.event('UserEvent', [...this.snapshot(ch), ['UserEvent', 'SurveyResult'], ['Digit', d.digit], ['ReadStatus', d.readStatus], ['SurveyId', surveyId]]);
    }
    await sleep(outcome.talkMs ?? 50);
    this.hangupChannel(ch, outcome.cause ?? 16);
  }
}

/** One incoming call in the simulated PBX; each step emits what Asterisk emits at that moment. */
export class SimCall {
  agent: Channel | null = null;
  queue: string | null = null;
  iface: string | null = null;
  bridgeId = '';
  joinedAt = 0;
  ringStartedAt = 0;
  answeredAt = 0;
  ended = false;
  private readonly sim: AmiSimulator;
  readonly caller: Channel;

  constructor(sim: AmiSimulator, caller: Channel) {
    this.sim = sim;
    this.caller = caller;
    caller.call = this;
  }

  get uniqueid() { return this.caller.uniqueid; }

  private ev(name: string, h: Headers) { this.sim.event(name, h); }

  join(queue: string) {
    this.queue = queue;
    this.joinedAt = Date.now();
    this.caller.application = 'Queue';
    this.caller.appData = `${queue},tT,,,300`;
    this.caller.priority = 4;
    this.ev('QueueCallerJoin', [...this.sim.snapshot(this.caller), ['Queue', queue], ['Position', '1'], ['Count', '1']]);
  }

  private agentLeg(iface: string) {
    const agent = this.sim.newChannel(iface, {
      linkedid: this.caller.linkedid, callerNum: iface.split('/')[1], context: 'misto-operators', exten: 's', state: 0,
    });
    agent.connectedNum = this.caller.callerNum;
    agent.connectedName = this.caller.callerName;
    agent.call = this;
    agent.application = this.queue ? 'AppQueue' : 'AppDial';
    agent.appData = '(Outgoing Line)';
    this.agent = agent;
    this.iface = iface;
    this.ringStartedAt = Date.now();
    return agent;
  }

  /** The queue rings a member: the agent's channel, AgentCalled, DialBegin. */
  ring(iface: string) {
    if (this.ended) return;
    const agent = this.agentLeg(iface);
    this.ev('AgentCalled', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'),
      ['Queue', this.queue ?? ''], ['Interface', iface], ['MemberName', iface]]);
    this.ev('DialBegin', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'), ['DialString', iface.split('/')[1]]]);
    this.sim.newState(agent, 5);
  }

  /** Direct dialling (no queue): Dial(PJSIP/101) from the dialplan. */
  dial(iface: string) {
    if (this.ended) return;
    this.caller.application = 'Dial';
    this.caller.appData = `${iface},30`;
    const agent = this.agentLeg(iface);
    this.ev('DialBegin', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'), ['DialString', iface.split('/')[1]]]);
    this.sim.newState(agent, 5);
  }

  /** The rung member does not pick up in time; the queue will ring someone else. */
  noAnswer() {
    const agent = this.agent;
    if (!agent || this.ended) return;
    this.ev('DialEnd', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'), ['DialStatus', 'NOANSWER']]);
    if (this.queue) {
      this.ev('AgentRingNoAnswer', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'),
        ['Queue', this.queue], ['Interface', this.iface!], ['MemberName', this.iface!], ['RingTime', String(Math.round((Date.now() - this.ringStartedAt) / 1000))]]);
    }
    this.sim.hangupChannel(agent, 19);
    this.agent = null;
  }

  answer() {
    const agent = this.agent;
    if (!agent || this.ended || this.answeredAt) return;
    this.answeredAt = Date.now();
    this.sim.newState(agent, 6);
    agent.connectedNum = this.caller.callerNum;
    this.ev('DialEnd', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'), ['DialStatus', 'ANSWER']]);
    const hold = String(Math.round((this.answeredAt - this.joinedAt) / 1000));
    if (this.queue) {
      this.ev('QueueCallerLeave', [...this.sim.snapshot(this.caller), ['Queue', this.queue], ['Count', '0'], ['Position', '1']]);
      this.ev('AgentConnect', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'), ['Queue', this.queue],
        ['Interface', this.iface!], ['MemberName', this.iface!], ['HoldTime', hold], ['RingTime', String(Math.round((this.answeredAt - this.ringStartedAt) / 1000))]]);
    }
    this.bridgeId = crypto.randomUUID();
    const bridge: Headers = [['BridgeUniqueid', this.bridgeId], ['BridgeType', 'basic'], ['BridgeTechnology', 'simple_bridge'],
      ['BridgeCreator', '<unknown>'], ['BridgeName', '<unknown>'], ['BridgeVideoSourceMode', 'none']];
    this.ev('BridgeCreate', [...bridge, ['BridgeNumChannels', '0']]);
    this.caller.bridgeId = agent.bridgeId = this.bridgeId;
    this.ev('BridgeEnter', [...bridge, ['BridgeNumChannels', '1'], ...this.sim.snapshot(this.caller)]);
    this.ev('BridgeEnter', [...bridge, ['BridgeNumChannels', '2'], ...this.sim.snapshot(agent)]);
  }

  /** Either side hangs up with a Q.850 cause. */
  hangup(cause = 16, by: 'caller' | 'agent' = 'caller') {
    if (this.ended) return;
    this.ended = true;
    const agent = this.agent;
    const talked = this.answeredAt ? Date.now() - this.answeredAt : 0;
    this.sim.finishRecording(this.caller, talked);
    if (agent && this.answeredAt) {
      const bridge: Headers = [['BridgeUniqueid', this.bridgeId], ['BridgeType', 'basic'], ['BridgeTechnology', 'simple_bridge'],
        ['BridgeCreator', '<unknown>'], ['BridgeName', '<unknown>'], ['BridgeVideoSourceMode', 'none']];
      const [first, second] = by === 'caller' ? [this.caller, agent] : [agent, this.caller];
      this.ev('BridgeLeave', [...bridge, ['BridgeNumChannels', '1'], ...this.sim.snapshot(first)]);
      this.sim.hangupChannel(first, cause);
      this.ev('BridgeLeave', [...bridge, ['BridgeNumChannels', '0'], ...this.sim.snapshot(second)]);
      this.sim.hangupChannel(second, 16);
      if (this.queue) {
        this.ev('AgentComplete', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'), ['Queue', this.queue],
          ['Interface', this.iface!], ['MemberName', this.iface!], ['HoldTime', String(Math.round((this.answeredAt - this.joinedAt) / 1000))],
          ['TalkTime', String(Math.round(talked / 1000))], ['Reason', by]]);
      }
      this.ev('BridgeDestroy', [...bridge, ['BridgeNumChannels', '0']]);
      return;
    }
    // Not answered: the caller gives up while waiting (or while ringing an operator).
    if (this.queue) {
      this.ev('QueueCallerAbandon', [...this.sim.snapshot(this.caller), ['Queue', this.queue], ['Position', '1'],
        ['OriginalPosition', '1'], ['HoldTime', String(Math.round((Date.now() - this.joinedAt) / 1000))]]);
      this.ev('QueueCallerLeave', [...this.sim.snapshot(this.caller), ['Queue', this.queue], ['Count', '0'], ['Position', '1']]);
    }
    if (agent) {
      this.ev('DialEnd', [...this.sim.snapshot(this.caller), ...this.sim.snapshot(agent, 'Dest'), ['DialStatus', 'CANCEL']]);
      this.sim.hangupChannel(agent, 26);
    }
    this.sim.hangupChannel(this.caller, cause);
  }
}
