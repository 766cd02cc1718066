// The manager interface itself: the TCP listener, sessions, Login, the read/write classes of each
// user, and delivering blocks the way Asterisk writes them (the greeting line, CRLF blocks, the
// ActionID right after the Response line, optionally cut into tiny TCP segments).
import net from 'node:net';
import { BlockParser, formatBlock, header, type Headers } from '../ami-wire.ts';
import { ACTION_CLASSES, eventClass, parseClasses, type AmiClass } from './classes.ts';

export const BANNER = 'Asterisk Call Manager/11.0.0';

/** A manager.conf user. A plain string is a secret with every class (`read = all`, `write = all`). */
export type UserSpec = string | { secret: string; read?: string | readonly string[]; write?: string | readonly string[] };
export interface AmiUser { secret: string; read: Set<AmiClass>; write: Set<AmiClass> }

export function parseUsers(spec: Record<string, UserSpec>): Map<string, AmiUser> {
  const out = new Map<string, AmiUser>();
  for (const [name, u] of Object.entries(spec)) {
    out.set(name, typeof u === 'string'
      ? { secret: u, read: parseClasses(undefined), write: parseClasses(undefined) }
      : { secret: u.secret, read: parseClasses(u.read), write: parseClasses(u.write) });
  }
  return out;
}

export class Session {
  user: string | null = null;
  read = new Set<AmiClass>();
  write = new Set<AmiClass>();
  /** `Events: off` at Login (or a class list) narrows what the session is sent. */
  eventMask = new Set<AmiClass>();
  frozen = false;
  private queue: string[] = [];
  private pumping = false;

  constructor(readonly socket: net.Socket, private readonly chunks: number[] | undefined) {}

  get authed() { return this.user !== null; }

  wants(cls: AmiClass) { return this.authed && this.read.has(cls) && this.eventMask.has(cls); }

  deliver(text: string) {
    if (this.frozen || this.socket.destroyed) return;
    const sizes = this.chunks;
    if (!sizes?.length) { this.socket.write(text); return; }
    let i = 0, k = 0;
    while (i < text.length) {
      const n = sizes[k++ % sizes.length];
      this.queue.push(text.slice(i, i + n));
      i += n;
    }
    void this.pump();
  }

  private async pump() {
    if (this.pumping) return;
    this.pumping = true;
    while (this.queue.length && !this.socket.destroyed) {
      this.socket.write(this.queue.shift()!);
      await new Promise((r) => setTimeout(r, 1));
    }
    this.pumping = false;
  }
}

export interface ManagerHooks {
  users(): Map<string, AmiUser>;
  chunks?: number[];
  /** Asterisk refuses every action, even Login, while it shuts down. */
  shuttingDown(): boolean;
  /** After the Login response: FullyBooted, SuccessfulAuth. */
  loggedIn(session: Session): void;
  /** Whether an action exists (unknown ones get "Invalid/unknown command"). */
  knows(action: string): boolean;
  /** A permitted action from a logged-in session. */
  action(session: Session, action: string, req: Headers): void;
  stats: { logins: number; failedLogins: number; actions: number };
  log?: (m: string) => void;
}

export class ManagerInterface {
  readonly sessions = new Set<Session>();
  private server: net.Server | null = null;

  constructor(private readonly hooks: ManagerHooks) {}

  get listening() { return this.server !== null; }

  async listen(port: number, host: string): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  /** Stops accepting connections (sessions are left alone). */
  async unlisten() {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Ends every session: `end` sends a FIN after what is queued, `destroy` drops the socket at once. */
  closeSessions(how: 'end' | 'destroy') {
    for (const s of this.sessions) how === 'end' ? s.socket.end() : s.socket.destroy();
    this.sessions.clear();
  }

  freeze() { for (const s of this.sessions) s.frozen = true; }

  /** A response to `req`: its ActionID goes right after the first (Response) line, as Asterisk writes it. */
  respond(session: Session, req: Headers, headers: Headers) {
    const id = header(req, 'ActionID');
    const [first, ...rest] = headers;
    session.deliver(formatBlock(id !== undefined && id !== '' ? [first, ['ActionID', id], ...rest] : headers));
  }

  /** One block to one session, as is (list items carry their ActionID where Asterisk puts it). */
  send(session: Session, headers: Headers) { session.deliver(formatBlock(headers)); }

  /** An event to every session whose read classes (and event mask) include its class. */
  broadcast(event: string, headers: Headers): Headers {
    const cls = eventClass(event);
    const h: Headers = [['Event', event], ['Privilege', `${cls},all`], ...headers];
    const text = formatBlock(h);
    for (const s of this.sessions) if (s.wants(cls)) s.deliver(text);
    return h;
  }

  private accept(socket: net.Socket) {
    socket.setNoDelay(true);
    const session = new Session(socket, this.hooks.chunks);
    this.sessions.add(session);
    const parser = new BlockParser();
    socket.on('data', (chunk) => {
      if (session.frozen) return;
      for (const block of parser.push(chunk)) this.handle(session, block);
    });
    socket.on('error', () => {});
    socket.on('close', () => this.sessions.delete(session));
    // The greeting is one line, written at once, without an empty line after it.
    socket.write(`${BANNER}\r\n`);
  }

  private handle(session: Session, req: Headers) {
    this.hooks.stats.actions++;
    const action = (header(req, 'Action') ?? '').trim();
    const key = action.toLowerCase();
    const error = (message: string) => this.respond(session, req, [['Response', 'Error'], ['Message', message]]);
    if (!action) return error('Missing action in request');
    if (this.hooks.shuttingDown()) return error('Asterisk is shutting down');
    if (!session.authed && key !== 'login' && key !== 'logoff' && key !== 'challenge') return error('Permission denied');
    if (key === 'login') return this.login(session, req);
    if (key === 'logoff') {
      this.respond(session, req, [['Response', 'Goodbye'], ['Message', 'Thanks for all the fish.']]);
      session.socket.end();
      return;
    }
    if (!this.hooks.knows(key)) return error(`Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`);
    const needs = ACTION_CLASSES[key] ?? [];
    if (needs.length && !needs.some((c) => session.write.has(c))) return error('Permission denied');
    this.hooks.action(session, key, req);
  }

  private login(session: Session, req: Headers) {
    const name = header(req, 'Username') ?? '';
    const user = this.hooks.users().get(name);
    if (session.authed) {
      this.respond(session, req, [['Response', 'Success'], ['Message', 'Already authenticated']]);
      return;
    }
    if (!user || user.secret !== (header(req, 'Secret') ?? '')) {
      this.hooks.stats.failedLogins++;
      this.hooks.log?.(`failed login for "${name}"`);
      this.respond(session, req, [['Response', 'Error'], ['Message', 'Authentication failed']]);
      // Asterisk ends the session after a failed login.
      setTimeout(() => session.socket.end(), 5);
      return;
    }
    session.user = name;
    session.read = user.read;
    session.write = user.write;
    session.eventMask = eventMask(header(req, 'Events'));
    this.hooks.stats.logins++;
    this.respond(session, req, [['Response', 'Success'], ['Message', 'Authentication accepted']]);
    this.hooks.loggedIn(session);
  }
}

/** Login's `Events:` header: on (default), off, or the classes wanted. */
function eventMask(v: string | undefined): Set<AmiClass> {
  const s = (v ?? 'on').trim().toLowerCase();
  if (s === 'on' || s === 'yes' || s === '') return parseClasses('all');
  if (s === 'off' || s === 'no') return new Set();
  try { return parseClasses(s); } catch { return parseClasses('all'); }
}
