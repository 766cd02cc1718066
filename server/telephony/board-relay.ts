// The wallboard on every instance. The instance connected to the PBX has the live picture and
// writes it to PostgreSQL (at most once a second, only when it changed) with a NOTIFY; an instance
// that is not connected (AMI_HOST=none behind the same load balancer) serves what it reads back.
// A picture older than STALE_MS says the PBX is not connected: its writer is gone.
import type { Board } from '../../vocabulary/telephony.ts';
import type { Clock } from '../clock.ts';
import type { Listener } from '../db/listen.ts';
import type { TelephonyRepo } from './telephony.repo.ts';

const WRITE_EVERY_MS = 1000;
const STALE_MS = 10_000;

/** What changes on a board, without the moment it was drawn. */
const essence = (b: Board) => JSON.stringify({ ...b, at: undefined });

export function boardRelay(repo: Pick<TelephonyRepo, 'writeBoard' | 'readBoard' | 'watchBoard'>, o: { clock: Clock; log: (m: string) => void }) {
  let lastWritten = '';
  let lastWriteAt = -Infinity;
  let pending: Board | null = null;
  let timer: NodeJS.Timeout | null = null;
  let relayed: { board: Board; writtenAt: Date } | null = null;
  let listener: Listener | null = null;
  const listeners = new Set<(b: Board) => void>();

  function flush() {
    timer = null;
    const b = pending;
    pending = null;
    if (!b) return;
    lastWriteAt = o.clock.now().getTime();
    lastWritten = essence(b);
    repo.writeBoard(b, o.clock.now()).catch((e: Error) => o.log(`wallboard not shared: ${e.message}`));
  }

  function fresh(r: { board: Board; writtenAt: Date } | null): Board | null {
    if (!r) return null;
    const stale = o.clock.now().getTime() - new Date(r.writtenAt).getTime() > STALE_MS;
    return stale ? { ...r.board, connected: false } : r.board;
  }

  return {
    /** The connected instance: share this board (throttled, unchanged ones skipped). */
    publish(b: Board) {
      if (essence(b) === lastWritten && o.clock.now().getTime() - lastWriteAt < STALE_MS / 2) return;
      pending = b;
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, lastWriteAt + WRITE_EVERY_MS - o.clock.now().getTime()));
      timer.unref();
    },

    /** An instance not connected: follow what the connected one shares. */
    follow() {
      if (listener) return;
      listener = repo.watchBoard(() => {
        repo.readBoard().then((r) => {
          relayed = r;
          const b = fresh(r);
          if (b) for (const fn of listeners) fn(b);
        }, (e: Error) => o.log(`wallboard not read: ${e.message}`));
      }, o.log);
    },
    relayed: () => fresh(relayed),
    subscribe(fn: (b: Board) => void) {
      listeners.add(fn);
      return () => { listeners.delete(fn); };
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await listener?.close();
      listener = null;
      listeners.clear();
    },
  };
}
