// The life of requests in this process: each runs in a query scope (its statements are cancelled
// when its client goes away), in-flight requests are counted, event streams are registered, and on
// SIGTERM the process drains: no new connections, streams told to reconnect elsewhere, in-flight
// requests finished within a bound, then every socket closed.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Context, Next } from 'koa';
import { QueryScope, queryScope } from '../db/db.ts';
import { requestContext } from '../observe/log.ts';

const REQUEST_ID = /^[\w.:-]{8,128}$/;

export interface Lifecycle {
  readonly draining: boolean;
  readonly inflight: number;
  middleware(ctx: Context, next: Next): Promise<void>;
  /** Registers a long-lived response (SSE); `close` is called when the process drains. */
  stream(close: () => void): () => void;
  /** Stops accepting, closes streams, waits for in-flight requests up to `timeoutMs`. */
  drain(server: Server, timeoutMs: number): Promise<{ unfinished: number }>;
}

/** `trustRequestId`: take X-Request-Id from a reverse proxy in front (nginx's $request_id). */
export function lifecycle(opts: { trustRequestId?: boolean } = {}): Lifecycle {
  let draining = false;
  let inflight = 0;
  const streams = new Set<() => void>();
  let idle: (() => void) | null = null;

  return {
    get draining() { return draining; },
    get inflight() { return inflight; },

    async middleware(ctx, next) {
      const given = opts.trustRequestId ? ctx.get('X-Request-Id') : '';
      const requestId = REQUEST_ID.test(given) ? given : randomUUID();
      ctx.set('X-Request-Id', requestId);
      const scope = new QueryScope();
      // 'close' before 'finish': the client went away mid-request; stop its statements.
      const onClose = () => { if (!ctx.res.writableFinished) scope.cancel(); };
      ctx.res.once('close', onClose);
      inflight++;
      // A request on a kept-alive connection while draining is served, and the connection closed after.
      if (draining) ctx.set('Connection', 'close');
      try {
        await requestContext.run({ requestId }, () => queryScope.run(scope, next));
      } finally {
        inflight--;
        if (inflight === 0) idle?.();
      }
    },

    stream(close) {
      streams.add(close);
      return () => streams.delete(close);
    },

    async drain(server, timeoutMs) {
      draining = true;
      server.close();
      server.closeIdleConnections();
      for (const close of [...streams]) { try { close(); } catch { /* already gone */ } }
      streams.clear();
      if (inflight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          idle = () => { clearTimeout(timer); resolve(); };
        });
      }
      const unfinished = inflight;
      server.closeAllConnections();
      return { unfinished };
    },
  };
}
