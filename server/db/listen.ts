// LISTEN on PostgreSQL channels with a dedicated connection that comes back after the database
// restarts. This is how stateless Koa instances hear each other (tile invalidation, screen pops,
// announcement changes) without a broker.
import type { Db } from './db.ts';

export interface Listener { close(): Promise<void> }

export function listen(
  db: Db,
  channels: string[],
  onMessage: (channel: string, payload: string) => void,
  opts: {
    log?: (m: string) => void;
    /** After a reconnect: anything sent while we were away is lost, the owner resynchronises. */
    onReconnect?: () => void;
    /** After every LISTEN, the first included: from here on nothing is missed. */
    onListening?: () => void;
  } = {},
): Listener {
  let closed = false;
  let done: (() => void) | undefined;
  let delay = 250;

  const loop = async () => {
    let first = true;
    while (!closed) {
      try {
        const sco = await db.connect({ direct: true });
        delay = 250;
        const lost = new Promise<void>((resolve) => {
          done = resolve;
          sco.client.on('notification', (n) => onMessage(n.channel, n.payload ?? ''));
          sco.client.on('error', () => resolve());
          sco.client.on('end', () => resolve());
          // close() came while connecting: let go of the connection at once.
          if (closed) resolve();
        });
        for (const ch of channels) await sco.none('LISTEN $1:name', [ch]);
        // Anything sent while we were away is lost: let the owner resynchronise.
        if (!first) opts.onReconnect?.();
        first = false;
        opts.onListening?.();
        await lost;
        try { await sco.done(true); } catch { /* already gone */ }
      } catch (e) {
        opts.log?.(`listen: ${(e as Error).message}; retrying in ${delay} ms`);
      }
      if (!closed) await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  const finished = loop();
  return {
    /** Stops listening; resolves once the connection is released (also when closed mid-connect). */
    async close() { closed = true; done?.(); await finished; },
  };
}

