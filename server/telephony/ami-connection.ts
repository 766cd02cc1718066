// One AMI session to Asterisk through asterisk-ami-client, made dependable around the library's
// known faults (docs/telephony.md): every action carries our own ActionID (its generated
// ones collide within a millisecond) and our own timeout; liveness is our own Ping with an ActionID
// and a deadline (its keepAlive never notices a missing Pong, so a half-open TCP connection would
// hang forever); connecting has our own deadline (it has none: a silent host would hang it);
// reconnection is our own loop that never gives up — probing every few hundred milliseconds while
// the PBX refuses (a restart takes under a second to open the port again) and backing off only
// after a failed login; its double `disconnect` is folded into one.
import { EventEmitter } from 'node:events';
import AmiClient, { type AmiMessage } from 'asterisk-ami-client';
import AmiEventsStream from 'asterisk-ami-events-stream';
import { systemClock, type Clock } from '../clock.ts';

// asterisk-ami-events-stream 1.2.x (under asterisk-ami-client) converts the whole unparsed rest of a
// TCP chunk to a string and trims it with a regex before every single block, only to test whether it
// starts with "Response: Follows": quadratic in the chunk size. When the product falls behind, the
// kernel hands it bigger chunks, parsing gets slower still, and latency runs away (seen in
// `npm run bench:screenpop` on a loaded machine). Same test, on the first bytes only.
const streamProto = AmiEventsStream.prototype as unknown as {
  _isEmitted: boolean; _analyzeSimple(b: Buffer): Buffer | null; _analyzeExtend(b: Buffer): Buffer | null;
  _parse(chunk: Buffer): Generator<Buffer | null, null, Buffer | null>;
};
if (typeof streamProto._parse === 'function' && typeof streamProto._analyzeSimple === 'function') {
  streamProto._parse = function* (this: typeof streamProto, chunk: Buffer) {
    let slice: Buffer | null = chunk;
    while (slice) {
      const head: string = slice.subarray(0, 64).toString('utf8').replace(/^[\r\n]+/, '');
      slice = this._isEmitted && !/^Response:\sFollows/i.test(head) ? yield this._analyzeSimple(slice) : yield this._analyzeExtend(slice);
    }
    return null;
  };
}

export type AmiEvent = AmiMessage & { Event: string };
export type AmiResponse = AmiMessage & { Response?: string; Message?: string };

export interface AmiConnectionOptions {
  host: string;
  port: number;
  user: string;
  secret: string;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Between attempts while the PBX refuses or is unreachable. */
  probeMs?: number;
  /** The first wait after a failed login; it doubles up to backoffMaxMs. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  connectTimeoutMs?: number;
  clock?: Clock;
  log?: (m: string) => void;
}

interface Pending { resolve(r: AmiResponse): void; reject(e: Error): void; timer: NodeJS.Timeout }
interface PendingList { events: AmiMessage[]; resolve(items: AmiMessage[]): void; reject(e: Error): void; timer: NodeJS.Timeout }

let actionCounter = 0;
const nextActionId = () => `misto-${process.pid}-${++actionCounter}`;

/**
 * Events: 'event' (AmiEvent), 'connected' (after login, before any event is delivered to listeners
 * that care about reconciliation), 'disconnected' (reason, lostAt: the last moment the PBX was
 * heard from), 'shutdown' (the PBX announced it is stopping).
 */
export class AmiConnection extends EventEmitter {
  connected = false;
  lastError: string | null = null;
  connectedAt: Date | null = null;
  /** Successful logins since start; every one after the first is a reconnect. */
  logins = 0;
  /** When anything last arrived from the PBX; when the last session ended (taken from that). */
  lastHeardAt: Date | null = null;
  lostAt: Date | null = null;
  /** Set by Event: Shutdown (needs the `system` read class), cleared by the next login. */
  pbxShutdown: { at: Date; restart: boolean } | null = null;
  /** The PBX said FullyBooted (needs the `system` read class) in this session. */
  booted = false;
  private client: AmiClient | null = null;
  private stopped = true;
  private pending = new Map<string, Pending>();
  private lists = new Map<string, PendingList>();
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  readonly opts: Required<AmiConnectionOptions>;

  constructor(opts: AmiConnectionOptions) {
    super();
    this.opts = {
      pingIntervalMs: 5000, pingTimeoutMs: 3000, probeMs: 250, backoffMinMs: 1000, backoffMaxMs: 15_000,
      connectTimeoutMs: 5000, clock: systemClock, log: () => {}, ...opts,
    };
  }

  private heard() { this.lastHeardAt = this.opts.clock.now(); }

  get target() { return `${this.opts.host}:${this.opts.port}`; }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  async stop() {
    this.stopped = true;
    this.wake?.();
    this.client?.disconnect();
    await this.loopDone;
  }

  private async loop() {
    let backoff = this.opts.backoffMinMs;
    while (!this.stopped) {
      const client = new AmiClient({ reconnect: false, keepAlive: false, emitEventsByTypes: false, emitResponsesById: false });
      client.on('internalError', () => {});
      try {
        await this.connectWithin(client);
      } catch (e) {
        const msg = (e as Error)?.message ?? String(e);
        // Only an answer to the Login is a failed login; a socket closed before it is the PBX going away.
        const auth = /^AMI message: /.test(msg);
        const delay = auth ? backoff : this.opts.probeMs;
        this.lastError = auth ? `AMI login failed for user "${this.opts.user}": ${msg.replace(/^AMI message: /, '')}` : `AMI ${this.target} unreachable: ${msg || 'connection closed'}`;
        // A refusing PBX is probed quietly: one line when it starts, not four a second.
        if (auth || this.failures++ % 40 === 0) this.opts.log(`${this.lastError}; retrying in ${delay} ms`);
        await this.sleep(delay * (0.9 + Math.random() * 0.2));
        // A wrong secret will not fix itself quickly: back off, but keep trying.
        if (auth) backoff = Math.min(backoff * 2, this.opts.backoffMaxMs);
        continue;
      }
      if (this.stopped) { client.disconnect(); break; }
      backoff = this.opts.backoffMinMs;
      this.failures = 0;
      const reason = await this.session(client);
      if (this.stopped) this.opts.log(`AMI connection to ${this.target} closed`);
      else this.opts.log(`AMI connection to ${this.target} lost (${reason}); reconnecting`);
    }
  }

  private failures = 0;

  /** The library's connect with a deadline; a login that completes after it is logged off at once. */
  private connectWithin(client: AmiClient): Promise<void> {
    const attempt = client.connect(this.opts.user, this.opts.secret, { host: this.opts.host, port: this.opts.port });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        attempt.then(() => client.disconnect(), () => {});
        reject(new Error(`no answer within ${this.opts.connectTimeoutMs} ms`));
      }, this.opts.connectTimeoutMs);
    });
    return Promise.race([attempt.then(() => undefined), deadline]).finally(() => clearTimeout(timer));
  }

  /** Runs one logged-in session until it ends; returns why it ended. */
  private session(client: AmiClient): Promise<string> {
    this.client = client;
    return new Promise<string>((resolve) => {
      let over = false;
      const end = (reason: string) => {
        if (over) return;   // the library emits `disconnect` twice
        over = true;
        clearInterval(pinger);
        this.connected = false;
        this.client = null;
        this.wake = null;
        client.removeAllListeners('event');
        client.removeAllListeners('response');
        client.removeAllListeners('disconnect');
        if (client.isConnected) client.disconnect();
        for (const [, p] of this.pending) { clearTimeout(p.timer); p.reject(new Error(`AMI disconnected (${reason})`)); }
        this.pending.clear();
        for (const [, l] of this.lists) { clearTimeout(l.timer); l.reject(new Error(`AMI disconnected (${reason})`)); }
        this.lists.clear();
        this.lostAt = this.lastHeardAt ?? this.opts.clock.now();
        if (!this.stopped) this.lastError = this.pbxShutdown ? `the PBX ${this.pbxShutdown.restart ? 'is restarting' : 'shut down'}` : `AMI connection lost: ${reason}`;
        this.emit('disconnected', reason, this.lostAt);
        resolve(reason);
      };
      this.wake = () => end('stopped');
      client.on('disconnect', () => end('closed by peer'));
      client.on('response', (r: AmiResponse) => {
        this.heard();
        const id = r.ActionID;
        const p = id ? this.pending.get(id) : undefined;
        if (!p) return;
        this.pending.delete(id!);
        clearTimeout(p.timer);
        p.resolve(r);
      });
      client.on('event', (e: AmiEvent) => {
        this.heard();
        if (e.Event === 'Shutdown') {
          this.pbxShutdown = { at: this.opts.clock.now(), restart: /^true|yes$/i.test(e.Restart ?? '') };
          this.opts.log(`the PBX announced its shutdown (${e.Shutdown ?? 'unknown'}, restart: ${e.Restart ?? 'unknown'}); reconnecting as soon as it is back`);
          this.emit('shutdown', this.pbxShutdown);
        } else if (e.Event === 'FullyBooted') this.booted = true;
        const list = e.ActionID ? this.lists.get(e.ActionID) : undefined;
        if (list) {
          if (e.EventList === 'Complete') {
            this.lists.delete(e.ActionID!);
            clearTimeout(list.timer);
            list.resolve(list.events);
          } else list.events.push(e);
          return;
        }
        this.emit('event', e);
      });
      const pinger = setInterval(() => {
        this.action({ Action: 'Ping' }, this.opts.pingTimeoutMs).catch((e: Error) => {
          if (!over && /timed out/.test(e.message)) end(`no Pong within ${this.opts.pingTimeoutMs} ms`);
        });
      }, this.opts.pingIntervalMs);
      pinger.unref();
      this.connected = true;
      this.logins++;
      this.connectedAt = this.opts.clock.now();
      this.heard();
      this.pbxShutdown = null;
      this.booted = false;
      this.lastError = null;
      this.opts.log(`AMI connected to ${this.target} as "${this.opts.user}"`);
      this.emit('connected');
    });
  }

  /** Sends an action and waits for its response (matched by our own ActionID). */
  action(message: AmiMessage, timeoutMs = 10_000): Promise<AmiResponse> {
    const client = this.client;
    if (!client || !this.connected) return Promise.reject(new Error('AMI is not connected'));
    // A caller's own ActionID (survey calls): its OriginateResponse can arrive in the same chunk as
    // the response, before the caller could learn a generated one.
    const id = message.ActionID ?? nextActionId();
    return new Promise<AmiResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`AMI action ${message.Action} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      client.action({ ...message, ActionID: id });
    });
  }

  /** A list action: the response, then item events with our ActionID, then the EventList: Complete event. */
  async list(message: AmiMessage, timeoutMs = 15_000): Promise<AmiMessage[]> {
    const client = this.client;
    if (!client || !this.connected) throw new Error('AMI is not connected');
    const id = nextActionId();
    const items = new Promise<AmiMessage[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.lists.delete(id);
        reject(new Error(`AMI list ${message.Action} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.lists.set(id, { events: [], resolve, reject, timer });
    });
    const response = new Promise<AmiResponse>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`AMI action ${message.Action} timed out`)); }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    // Both settle on a disconnect; whichever is not awaited then must not be an unhandled rejection.
    items.catch(() => {});
    client.action({ ...message, ActionID: id });
    const r = await response;
    if (r.Response !== 'Success') {
      const l = this.lists.get(id);
      if (l) { clearTimeout(l.timer); this.lists.delete(id); }
      items.catch(() => {});
      throw new Error(`AMI ${message.Action} failed: ${r.Message ?? r.Response}`);
    }
    return items;
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => { this.wake = null; resolve(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = null; resolve(); };
    });
  }
}
