// The database handle shared by all repositories: one pg-promise instance per URL, with limits on
// every path — a statement timeout, a lock timeout, a bound on waiting for a pooled connection — and
// cancellation of the statements of a request whose client has gone (server/http/lifecycle.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import pgPromise from 'pg-promise';
import type { IDatabase, IMain } from 'pg-promise';
import net from 'node:net';
import pg from 'pg';
import { logger } from '../observe/log.ts';

const dbLog = logger.child({ component: 'db' });

type ScopedClient = pg.Client & {
  /** The scope whose statement the connection runs now; unset between statements. */
  mistoScope?: QueryScope;
  /** Set, the pool closes the connection when it is released instead of keeping it (pg-promise). */
  $connectionError?: Error;
  processID: number; secretKey: number; host: string; port: number;
};

/** The statements a request runs, so they can be cancelled together when its client goes away. */
export class QueryScope {
  /** Connections running one of this scope's statements right now. */
  readonly running = new Set<ScopedClient>();

  /** Cancels, on the server, whatever this scope's connections are running now. */
  cancel() {
    for (const client of this.running) {
      if (client.mistoScope !== this) continue;
      sendCancel(client);
      // The statement may end before the cancel arrives; the signal would then stop whatever the
      // connection runs next, for another request. A cancelled connection is never reused.
      client.$connectionError ??= new Error('a statement on this connection was cancelled');
    }
    this.running.clear();
  }
}
export const queryScope = new AsyncLocalStorage<QueryScope>();

/**
 * PostgreSQL's CancelRequest (protocol §55.2.9) on a connection of its own, so it never waits for a
 * pool slot: length 16, code 80877102, the backend's process id and secret key.
 */
function sendCancel(c: ScopedClient) {
  const msg = Buffer.alloc(16);
  msg.writeInt32BE(16, 0); msg.writeInt32BE(80877102, 4); msg.writeInt32BE(c.processID, 8); msg.writeInt32BE(c.secretKey, 12);
  const socket = net.connect(c.port, c.host, () => socket.end(msg));
  socket.on('error', () => { /* the statement ends by its own timeout */ });
  socket.setTimeout(5000, () => socket.destroy());
}

const clientOf = (e: { client: unknown }) => e.client as ScopedClient;

/** The statement on `client` is over. Its result arrives in the async context of whoever opened the
 * connection, not of the request that asked, so the scope is the one recorded on the connection. */
function statementEnded(client: ScopedClient) {
  client.mistoScope?.running.delete(client);
  client.mistoScope = undefined;
}

export const pgp: IMain = pgPromise({
  // A broken connection must not crash the process: queries fail, /api/health reports 503.
  error: (_err, e) => { if (e?.client) statementEnded(clientOf(e)); },
  query(e) {
    const client = clientOf(e);
    // Statements after the cancel still run (a transaction must be able to roll back); they are short.
    const scope = queryScope.getStore();
    client.mistoScope = scope;
    scope?.running.add(client);
  },
  receive(e) { statementEnded(clientOf(e.ctx)); },
});
// bigint ids and counts as JS numbers (all well below 2^53); numeric stays a string.
pgp.pg.types.setTypeParser(20, (v: string) => Number(v));

export type Db = IDatabase<unknown>;

export interface ConnectOptions {
  /** Longest a single statement may run (ms); 0 = no limit (migrations, seeding, backups). */
  statementTimeoutMs?: number;
  /** Longest a statement waits for a row lock (ms). */
  lockTimeoutMs?: number;
  /** Longest a request waits for a free pooled connection before it gets a 503 (ms). */
  poolTimeoutMs?: number;
  /** A transaction left idle (a crashed request) is ended by the server after this (ms). */
  idleInTransactionMs?: number;
  /** An idle pooled connection is closed after this (ms). */
  idleMs?: number;
  /** What pg_stat_activity shows for these connections. */
  applicationName?: string;
}

export const DB_DEFAULTS: Required<ConnectOptions> = {
  statementTimeoutMs: 15_000, lockTimeoutMs: 5_000, poolTimeoutMs: 5_000, idleInTransactionMs: 60_000, idleMs: 10_000, applicationName: 'misto',
};

export function connect(url: string, max = 20, opts: ConnectOptions = {}): Db {
  const o = { ...DB_DEFAULTS, ...opts };
  const db: Db = pgp({
    connectionString: url, max, application_name: o.applicationName,
    ...(o.statementTimeoutMs ? { statement_timeout: o.statementTimeoutMs, query_timeout: o.statementTimeoutMs + 5_000 } : {}),
    ...(o.lockTimeoutMs ? { lock_timeout: o.lockTimeoutMs } : {}),
    ...(o.idleInTransactionMs ? { idle_in_transaction_session_timeout: o.idleInTransactionMs } : {}),
    connectionTimeoutMillis: o.poolTimeoutMs,
    idleTimeoutMillis: o.idleMs,
  });
  // An idle pooled connection that the server ends (a restart, a fast shutdown, DROP DATABASE … FORCE)
  // is an 'error' on the pool. pg-promise listens while the pool lives but stops when it ends, and a
  // connection still closing then would throw out of the socket handler: this listener stays.
  db.$pool.on('error', (e: Error) => dbLog.warn(`an idle database connection ended: ${e.message}`));
  return db;
}

/** A connection for long maintenance work: no statement or lock timeouts. */
export const connectForMaintenance = (url: string, max = 4) => connect(url, max, { statementTimeoutMs: 0, lockTimeoutMs: 0, idleInTransactionMs: 0, poolTimeoutMs: 60_000 });

/**
 * A small pool of its own on the same database, for work that must not queue behind the main
 * pool's (screen pops behind call-log writes waiting for the disk). Short timeouts: a pop that
 * cannot get an answer quickly had better say so.
 */
const companions = new Map<string, number>();
export function companionPool(db: Db, max: number, name: string, opts: ConnectOptions = {}): Db {
  const cn = db.$cn as { connectionString?: string };
  if (!cn.connectionString) throw new Error('companionPool: the pool was not opened from a connection string');
  // pg-promise warns about two pools with identical settings (a test's second instance): number them.
  const n = (companions.get(`${cn.connectionString}|${name}`) ?? 0) + 1;
  companions.set(`${cn.connectionString}|${name}`, n);
  return connect(cn.connectionString, max, {
    statementTimeoutMs: 5_000, poolTimeoutMs: 2_000, idleMs: 300_000, applicationName: `misto-${name}${n > 1 ? `-${n}` : ''}`, ...opts,
  });
}
