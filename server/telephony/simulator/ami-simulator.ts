// The product's built-in PBX: it speaks the Asterisk Manager Interface as Asterisk 22 does, over
// real TCP. It is the demo PBX when AMI_HOST is unset, the tests' peer and the benchmark's load
// generator. What it emits, in which order and with which values follows transcripts of a real
// Asterisk 22.10.1 (tests/fixtures/ami/); README.md in this folder lists the facts it relies on and
// what it leaves out on purpose.
//
// This file: the lifecycle (boot, FullyBooted, `core stop now`, kill -9, the manager going away),
// the actions, and the convenience API the tests drive calls with. Channels, calls, queues and
// Originate live in channels.ts, calls.ts, queue.ts and originate.ts; sessions in manager.ts.
import { performance } from 'node:perf_hooks';
import { header, type Headers } from '../ami-wire.ts';
import { legDeviceState, SimCall, type IncomingSpec } from './calls.ts';
import type { Channel } from './channels.ts';
import { ManagerInterface, parseUsers, type AmiUser, type Session } from './manager.ts';
import { CONTEXTS, coreShowChannel, originateRequest, replier, runOriginate } from './originate.ts';
import { Pbx, type SimulatorOptions } from './pbx.ts';
import { SimQueue, type MemberSpec, type QueueOptions } from './queue.ts';

export { BANNER, type UserSpec } from './manager.ts';
export type { OperatorBehaviour, SimulatorOptions, Timing } from './pbx.ts';
export type { OriginateOutcome, OriginateRequest } from './originate.ts';
export type { MemberSpec, QueueOptions } from './queue.ts';
export type { Channel } from './channels.ts';
export { SimCall } from './calls.ts';

const ACTIONS = new Set(['ping', 'originate', 'hangup', 'mixmonitor', 'getvar', 'coreshowchannels', 'queuestatus',
  'queuesummary', 'queueadd', 'queueremove', 'queuepause', 'command']);

const yes = (v: string | undefined) => /^(true|yes|1|on)$/i.test((v ?? '').trim());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type State = 'down' | 'booting' | 'up' | 'stopping';

export class AmiSimulator extends Pbx {
  protected readonly manager: ManagerInterface;
  port = 0;
  host = '127.0.0.1';
  private state: State = 'down';
  private readonly users: Map<string, AmiUser>;
  private readonly devices = new Map<string, number>();
  private bootTimer: NodeJS.Timeout | null = null;
  private bootDone: (() => void) | null = null;
  /** Bumped by restart() and kill(): a restart that was overtaken stops where it is. */
  private life = 0;

  constructor(opts: SimulatorOptions = {}) {
    super(opts);
    this.users = parseUsers(this.opts.users);
    this.manager = new ManagerInterface({
      users: () => this.users,
      chunks: this.opts.chunks,
      shuttingDown: () => this.state === 'stopping',
      loggedIn: (s) => this.loggedIn(s),
      knows: (a) => ACTIONS.has(a),
      action: (s, a, req) => this.action(s, a, req),
      stats: this.stats,
      log: this.opts.log,
    });
    const qs: Record<string, QueueOptions> = { operators: {}, ...this.opts.queues };
    for (const [name, o] of Object.entries(qs)) {
      const members = o.members ?? (name === 'operators' ? this.opts.queueMembers ?? Array.from({ length: 10 }, (_, i) => `PJSIP/${101 + i}`) : []);
      this.queues.set(name, new SimQueue(this, name, { ...o, members }));
    }
  }

  // ------------------------------------------------------------------------------- lifecycle

  /**
   * Opens the manager port. A PBX that is down boots: the port accepts at once, FullyBooted follows
   * `bootMs` later, and the promise resolves then. After stop() the calls in progress are still there.
   */
  async start(port = this.port, host = this.host): Promise<number> {
    if (this.manager.listening) return this.port;
    this.port = await this.manager.listen(port, host);
    this.host = host;
    this.opts.log?.(`AMI listening on ${host}:${this.port}`);
    if (this.state === 'down') await this.boot();
    return this.port;
  }

  /** The manager interface goes away (every session closed, the port closed); calls go on. */
  async stop() {
    this.manager.closeSessions('destroy');
    await this.manager.unlisten();
  }

  /** Ends every AMI session; the listener stays (a network blip). Calls go on. */
  dropConnections() { this.manager.closeSessions('destroy'); }

  /** The PBX stops answering on open sessions without closing them: a half-open connection. */
  freeze() { this.manager.freeze(); }

  get connectedSessions() { return [...this.manager.sessions].filter((s) => s.authed).length; }

  /** FullyBooted has been sent: Originate works. */
  get booted() { return this.state === 'up'; }

  /**
   * `core stop now` and a supervisor starting Asterisk again: the channels' Hangups, ~1.1 s later
   * `Event: Shutdown` (system class only), the sockets' FIN, the port closed for `downMs`, then a
   * fresh Asterisk: new uniqueid sequence, no channels, FullyBooted to new logins. Resolves when the
   * port accepts connections again.
   */
  async restart(o: { downMs?: number } = {}) {
    const t = this.timing;
    if (this.state === 'down') throw new Error('restart(): the PBX is not running');
    const life = ++this.life;
    this.state = 'stopping';
    await sleep(t.stopHangupMs);
    if (life !== this.life) return;
    this.hangupEverything();
    await sleep(t.shutdownEventMs);
    if (life !== this.life) return;
    this.emit('Shutdown', [['Shutdown', 'Cleanly'], ['Restart', 'False']]);
    await sleep(t.shutdownCloseMs);
    if (life !== this.life) return;
    await this.die('end');
    await sleep(o.downMs ?? t.restartDownMs);
    if (life !== this.life) return;
    await this.start();
  }

  /**
   * kill -9: every socket closed at once, no event, every call gone; the port stays closed until
   * start() (or `restartAfterMs`). Also cancels a restart() in progress.
   */
  async kill(o: { restartAfterMs?: number } = {}) {
    const life = ++this.life;
    await this.die('destroy');
    if (o.restartAfterMs !== undefined) setTimeout(() => { if (life === this.life) void this.start(); }, o.restartAfterMs);
  }

  private async die(how: 'end' | 'destroy') {
    this.manager.closeSessions(how);
    await this.manager.unlisten();
    this.timers.clearAll();
    if (this.bootTimer) clearTimeout(this.bootTimer);
    this.bootTimer = null;
    this.bootDone?.();
    this.bootDone = null;
    for (const ch of this.table.byName.values()) ch.alive = false;
    this.table.reset();
    this.legs.clear();
    for (const q of this.queues.values()) q.reset();
    this.state = 'down';
    this.opts.log?.('PBX stopped');
  }

  /** Asterisk starting: the port accepts at once, the dialplan and FullyBooted follow tens of ms later. */
  private boot(): Promise<void> {
    this.state = 'booting';
    this.bootedAt = performance.now();
    return new Promise((resolve) => {
      this.bootDone = resolve;
      this.bootTimer = setTimeout(() => {
        this.bootTimer = null;
        this.bootDone = null;
        resolve();
        if (this.state !== 'booting') return;
        this.state = 'up';
        this.emit('FullyBooted', [['Uptime', '0'], ['LastReload', '0'], ['Status', 'Fully Booted']]);
      }, this.timing.bootMs);
    });
  }

  private hangupEverything() {
    const owners = new Set([...this.table.byName.values()].map((ch) => ch.owner));
    for (const o of owners) o?.shutdown();
    for (const ch of [...this.table.byName.values()]) this.hangup(ch, 0);
  }

  /** After Login: FullyBooted to a session with the system class (when booted), SuccessfulAuth to security sessions. */
  private loggedIn(s: Session) {
    if (this.state === 'up' && s.read.has('system') && s.eventMask.has('system')) {
      this.manager.send(s, [['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Uptime', this.uptime()], ['LastReload', this.uptime()], ['Status', 'Fully Booted']]);
    }
    const now = new Date().toISOString().replace('Z', '+0000');
    this.emit('SuccessfulAuth', [['EventTV', now], ['Severity', 'Informational'], ['Service', 'AMI'], ['EventVersion', '1'],
      ['AccountID', s.user ?? ''], ['SessionID', `0x${(this.stats.logins * 4096 + 0x7f26b8000000).toString(16)}`],
      ['LocalAddress', `IPV4/TCP/${this.host}/${this.port}`], ['RemoteAddress', `IPV4/TCP/${s.socket.remoteAddress ?? '127.0.0.1'}/${s.socket.remotePort ?? 0}`],
      ['UsingPassword', '0'], ['SessionTV', now]]);
  }

  // ------------------------------------------------------------------------------- device states

  deviceState(iface: string): number {
    return this.devices.get(iface) ?? legDeviceState(this.legs, iface);
  }

  /** A phone registers or goes away: `unavailable` (5) until set back with `available`. */
  setDevice(iface: string, state: 'available' | 'unavailable' | 'invalid') {
    if (state === 'available') this.devices.delete(iface);
    else this.devices.set(iface, state === 'unavailable' ? 5 : 4);
    this.deviceChanged(iface);
  }

  // ------------------------------------------------------------------------------- actions

  private respond(s: Session, req: Headers, h: Headers) { this.manager.respond(s, req, h); }
  private error(s: Session, req: Headers, message: string) { this.respond(s, req, [['Response', 'Error'], ['Message', message]]); }
  private ok(s: Session, req: Headers, message?: string) { this.respond(s, req, [['Response', 'Success'], ...(message ? [['Message', message] as [string, string]] : [])]); }

  private action(s: Session, a: string, req: Headers) {
    const actionId = header(req, 'ActionID');
    switch (a) {
      case 'ping':
        return this.respond(s, req, [['Response', 'Success'], ['Ping', 'Pong'], ['Timestamp', (Date.now() / 1000).toFixed(6)]]);
      case 'originate': return this.originate(s, req);
      case 'hangup': {
        const name = header(req, 'Channel') ?? '';
        if (!name) return this.error(s, req, 'No channel specified');
        const ch = this.table.get(name);
        if (!ch) return this.error(s, req, 'No such channel');
        this.ok(s, req, 'Channel Hungup');
        const cause = Number(header(req, 'Cause') ?? '') || 16;
        if (ch.owner) ch.owner.hangupChannel(ch, cause);
        else this.hangup(ch, cause);
        return;
      }
      case 'mixmonitor': {
        const ch = this.table.get(header(req, 'Channel') ?? '');
        if (!ch) return this.error(s, req, 'No such channel');
        this.ok(s, req);
        this.mixMonitor(ch, header(req, 'File') || `${ch.uniqueid}.wav`);
        return;
      }
      case 'getvar': {
        const name = header(req, 'Variable') ?? '';
        const chName = header(req, 'Channel');
        const ch = chName ? this.table.get(chName) : undefined;
        if (chName && !ch) return this.error(s, req, 'No such channel');
        return this.respond(s, req, [['Response', 'Success'], ['Variable', name], ['Value', ch?.vars.get(name) ?? '']]);
      }
      case 'coreshowchannels': {
        this.respond(s, req, [['Response', 'Success'], ['EventList', 'start'], ['Message', 'Channels will follow']]);
        const all = [...this.table.byName.values()];
        for (const ch of all) this.manager.send(s, coreShowChannel(ch, actionId));
        return this.complete(s, 'CoreShowChannelsComplete', all.length, actionId);
      }
      case 'queuestatus': return this.queueStatus(s, req, actionId);
      case 'queuesummary': {
        this.respond(s, req, [['Response', 'Success'], ['EventList', 'start'], ['Message', 'Queue summary will follow']]);
        const qs = this.queuesNamed(header(req, 'Queue'));
        for (const q of qs) this.manager.send(s, [['Event', 'QueueSummary'], ...q.summaryItem(actionId)]);
        return this.complete(s, 'QueueSummaryComplete', qs.length, actionId);
      }
      case 'queueadd': return this.queueAdd(s, req);
      case 'queueremove': {
        const q = this.queues.get(header(req, 'Queue') ?? ''), iface = header(req, 'Interface') ?? '';
        if (!header(req, 'Queue') || !iface) return this.error(s, req, "Need 'Queue' and 'Interface' parameters.");
        if (!q) return this.error(s, req, 'Unable to remove interface from queue: No such queue');
        const m = q.members.get(iface);
        if (!m) return this.error(s, req, 'Unable to remove interface: Not there');
        if (m.membership !== 'dynamic') return this.error(s, req, 'Member not dynamic');
        this.ok(s, req, 'Removed interface from queue');
        q.remove(iface);
        return;
      }
      case 'queuepause': {
        const iface = header(req, 'Interface') ?? '', paused = header(req, 'Paused');
        if (!iface || paused === undefined) return this.error(s, req, "Need 'Interface' and 'Paused' parameters.");
        const qs = this.queuesNamed(header(req, 'Queue')).filter((q) => q.members.has(iface));
        if (!qs.length) return this.error(s, req, 'Interface not found');
        this.ok(s, req, yes(paused) ? 'Interface paused successfully' : 'Interface unpaused successfully');
        for (const q of qs) q.pause(iface, yes(paused), header(req, 'Reason') ?? '');
        return;
      }
      case 'command': {
        const cmd = (header(req, 'Command') ?? '').trim();
        const out = cmd === 'core show version' ? 'Asterisk 22.10.1 (Misto PBX simulator)'
          : `No such command '${cmd}' (type 'core show help ${cmd}' for other possible commands)`;
        return this.respond(s, req, [['Response', 'Success'], ['Message', 'Command output follows'], ['Output', out]]);
      }
    }
  }

  private complete(s: Session, event: string, items: number, actionId: string | undefined) {
    this.manager.send(s, [['Event', event], ...(actionId !== undefined ? [['ActionID', actionId] as [string, string]] : []),
      ['EventList', 'Complete'], ['ListItems', String(items)]]);
  }

  private queuesNamed(name: string | undefined) {
    return name ? [this.queues.get(name)].filter((q): q is SimQueue => !!q) : [...this.queues.values()];
  }

  private queueStatus(s: Session, req: Headers, actionId: string | undefined) {
    this.respond(s, req, [['Response', 'Success'], ['EventList', 'start'], ['Message', 'Queue status will follow']]);
    const only = header(req, 'Member');
    let n = 0;
    for (const q of this.queuesNamed(header(req, 'Queue'))) {
      this.manager.send(s, [['Event', 'QueueParams'], ...q.paramsItem(actionId)]);
      n++;
      for (const m of q.members.values()) {
        if (only && m.iface !== only && m.name !== only) continue;
        this.manager.send(s, [['Event', 'QueueMember'], ...q.memberItem(m, actionId)]);
        n++;
      }
      for (const e of q.entries) { this.manager.send(s, [['Event', 'QueueEntry'], ...q.entryItem(e, actionId)]); n++; }
    }
    this.complete(s, 'QueueStatusComplete', n, actionId);
  }

  private queueAdd(s: Session, req: Headers) {
    const name = header(req, 'Queue'), iface = header(req, 'Interface');
    if (!name) return this.error(s, req, "'Queue' not specified.");
    if (!iface) return this.error(s, req, "'Interface' not specified.");
    const q = this.queues.get(name);
    if (!q) return this.error(s, req, 'Unable to add interface to queue: No such queue');
    if (q.members.has(iface)) return this.error(s, req, 'Unable to add interface: Already there');
    this.ok(s, req, 'Added interface to queue');
    q.add({ interface: iface, name: header(req, 'MemberName'), stateInterface: header(req, 'StateInterface'),
      penalty: Number(header(req, 'Penalty') ?? 0) || 0, paused: yes(header(req, 'Paused')), reason: header(req, 'Reason') });
  }

  private originate(s: Session, req: Headers) {
    const r = originateRequest(req);
    if (!r.channel) return this.error(s, req, 'Channel not specified');
    // Until the dialplan is loaded (the boot window before FullyBooted) no extension exists.
    if (this.state !== 'up' || (!r.application && !CONTEXTS.has(r.context))) return this.error(s, req, 'Extension does not exist.');
    const actionId = header(req, 'ActionID');
    const async = yes(header(req, 'Async'));
    const respond = async ? null : (ok: boolean) => ok ? this.ok(s, req, 'Originate successfully queued') : this.error(s, req, 'Originate failed');
    if (async) this.ok(s, req, 'Originate successfully queued');
    runOriginate(this, r, replier(this, r, actionId, respond));
  }

  // ------------------------------------------------------------------------------- queues

  queue(name = 'operators'): SimQueue {
    const q = this.queues.get(name);
    if (!q) throw new Error(`no queue "${name}"`);
    return q;
  }

  /** As QueueAdd: a dynamic member (QueueMemberAdded). */
  addMember(spec: MemberSpec | string, queue = 'operators') {
    return this.queue(queue).add(typeof spec === 'string' ? { interface: spec } : spec, 'dynamic');
  }
  removeMember(iface: string, queue = 'operators') { return this.queue(queue).remove(iface); }
  pauseMember(iface: string, paused: boolean, reason = '', queue = 'operators') { return this.queue(queue).pause(iface, paused, reason); }

  // ------------------------------------------------------------------------------- calls

  /**
   * An incoming call reaching the city's number: one trunk channel with the number in its
   * Newchannel, or (`local: true`) a Local pair as an Originate into misto-incoming makes it.
   * Step by step from here (join, ring, answer, hangup…), or `dialplan: true` to let
   * [misto-incoming] and the simulated operators run it.
   */
  incomingCall(o: Omit<IncomingSpec, 'originate'>): SimCall {
    if (this.state === 'down') throw new Error('incomingCall(): the PBX is not running');
    return new SimCall(this, o);
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

  /** The live channel with this name. */
  channel(name: string): Channel | undefined { return this.table.get(name); }
}
