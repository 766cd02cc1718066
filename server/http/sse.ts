// Server-sent event streams: headers that keep proxies from buffering, a reconnect hint, a
// heartbeat (which may also end the stream, e.g. when the session is gone), and an orderly end when
// the process drains — the browser's EventSource then reconnects, to another instance if need be.
import type { Context } from 'koa';
import type { Lifecycle } from './lifecycle.ts';

export interface EventStream {
  send(event: string, data: unknown): void;
  end(): void;
  readonly ended: boolean;
  /** Called once when the stream ends, for whatever reason. */
  onEnd(fn: () => void): void;
}

export const SSE_RETRY_MS = 2000;

export function openEventStream(ctx: Context, opts: {
  lifecycle?: Lifecycle;
  heartbeatMs: number;
  /** Runs before each keep-alive; returning false ends the stream. */
  stillWanted?: () => Promise<boolean>;
}): EventStream {
  const { req, res } = ctx;
  ctx.respond = false;
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true, 30_000);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform, no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(`retry: ${SSE_RETRY_MS}\n\n`);
  const enders: (() => void)[] = [];
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    unregister?.();
    for (const fn of enders) { try { fn(); } catch { /* a listener's own problem */ } }
  };
  const stream: EventStream = {
    send(event, data) { if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`); },
    end() { if (!res.writableEnded) res.end(); finish(); },
    get ended() { return ended; },
    onEnd(fn) { if (ended) fn(); else enders.push(fn); },
  };
  const heartbeat = setInterval(async () => {
    if (res.writableEnded) return;
    if (opts.stillWanted && !(await opts.stillWanted().catch(() => true))) { stream.end(); return; }
    res.write(': keep-alive\n\n');
  }, opts.heartbeatMs);
  // Draining: tell the browser to come back (to whichever instance answers) and end.
  const unregister = opts.lifecycle?.stream(() => {
    if (!res.writableEnded) res.write(`retry: ${SSE_RETRY_MS}\nevent: shutdown\ndata: {}\n\n`);
    stream.end();
  });
  req.on('close', finish);
  return stream;
}
