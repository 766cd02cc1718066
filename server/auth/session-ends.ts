// Event streams that carry personal data end the moment their session does. Every instance
// LISTENs on misto_session_end (the database announces deleted sessions and disabled users,
// migrations/103_session_end.sql) and ends its own streams of that session or user.
import type { Listener } from '../db/listen.ts';

export interface SessionEndSource {
  /** LISTENs; `onListening` after each (re)connect: from then on nothing is missed. */
  watchSessionEnds(onMessage: (payload: string) => void, opts: { log?: (m: string) => void; onListening?: () => void }): Listener;
}

const READY_WAIT_MS = 2000;

export const tokenKey = (tokenHashHex: string) => `t:${tokenHashHex}`;
export const userKey = (userId: number) => `u:${userId}`;

export function sessionEnds(source: SessionEndSource, log?: (m: string) => void) {
  const watchers = new Map<string, Set<() => void>>();
  let listener: Listener | undefined;
  let ready: Promise<void> | undefined;

  const fire = (key: string) => {
    const fns = watchers.get(key);
    if (!fns) return;
    watchers.delete(key);
    for (const fn of fns) { try { fn(); } catch { /* the stream's own problem */ } }
  };
  /** The LISTEN connection opens with the first stream and stays. */
  const start = () => ready ??= new Promise<void>((resolve) => {
    listener = source.watchSessionEnds(fire, { log, onListening: resolve });
  });

  return {
    /** Calls `fn` once when any of `keys` ends; resolves once that is being listened for. */
    async watch(keys: string[], fn: () => void): Promise<() => void> {
      let done = false;
      const once = () => { if (!done) { done = true; unwatch(); fn(); } };
      const unwatch = () => { for (const k of keys) { const s = watchers.get(k); s?.delete(once); if (s?.size === 0) watchers.delete(k); } };
      for (const k of keys) { if (!watchers.has(k)) watchers.set(k, new Set()); watchers.get(k)!.add(once); }
      // A database that will not LISTEN does not hold the stream up: its heartbeat's check remains.
      await Promise.race([start(), new Promise((r) => setTimeout(r, READY_WAIT_MS).unref())]);
      return () => { done = true; unwatch(); };
    },
    async close() { await listener?.close(); },
  };
}
export type SessionEnds = ReturnType<typeof sessionEnds>;
