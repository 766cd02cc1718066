// Screen pops to the operators' browsers. A pop is delivered at once to SSE streams this process
// holds, and published with NOTIFY when another instance (behind a load balancer) holds a stream
// of that operator. Instances announce which operators have streams open on them ("presence"), so
// a single-instance deployment sends no NOTIFY at all and a pop costs no query. Receivers drop
// duplicates: with several instances watching the same PBX, each publishes the same pop.
import { randomUUID } from 'node:crypto';
import type { Listener } from '../db/listen.ts';
import type { CallerCard } from '../residents/residents.service.ts';
import type { Clock } from '../clock.ts';
import type { PopPathRepo } from './telephony.repo.ts';

export interface CallPop {
  type: 'ringing' | 'answered' | 'ended';
  callId: number;
  uniqueid: string;
  phone: string | null;
  queue: string | null;
  card: Omit<CallerCard, 'phone'>;
  /** Why a pop ended: hangup, answered_elsewhere, no_answer, lost (PBX connection), … */
  reason?: string;
  at: string;
  answeredAt?: string | null;
  seq: number;
  truncated?: boolean;
}

type Subscriber = (pop: CallPop) => void;

/** NOTIFY payloads are limited to 8000 bytes: long lists are cut, the full card is one API call away. */
function fitForNotify(message: { kind: 'pop'; origin: string; userId: number; pop: CallPop }): string {
  let text = JSON.stringify(message);
  if (text.length < 7800) return text;
  const pop = { ...message.pop, card: { ...message.pop.card }, truncated: true };
  for (const keep of [5, 2, 0]) {
    pop.card.openAppeals = message.pop.card.openAppeals.slice(0, keep);
    pop.card.announcements = message.pop.card.announcements.slice(0, keep);
    text = JSON.stringify({ ...message, pop });
    if (text.length < 7800) return text;
  }
  return JSON.stringify({ ...message, pop: { ...pop, card: { resident: null, openAppeals: [], announcements: [] } } });
}

export function popHub(bus: Pick<PopPathRepo, 'notifyPops' | 'watchPops'>, opts: { clock: Clock; log?: (m: string) => void }) {
  const origin = randomUUID();
  const subscribers = new Map<number, Set<Subscriber>>();
  const seen = new Map<string, number>();
  let listener: Listener | null = null;
  /** Operators with a stream open on other instances: instance → user ids. */
  const remote = new Map<string, Set<number>>();

  const send = (message: unknown, text = JSON.stringify(message)) => bus.notifyPops(text)
    .catch((e: Error) => opts.log?.(`pop NOTIFY failed: ${e.message}`));
  const announce = (userIds: number[]) => { if (listener) void send({ kind: 'presence', origin, userIds }); };
  const present = () => [...subscribers.keys()];
  const onMessage = (m: { kind?: string; origin: string; userId?: number; userIds?: number[]; pop?: CallPop }) => {
    if (m.origin === origin) return;
    if (m.kind === 'hello') { announce(present()); return; }
    if (m.kind === 'presence') { remote.set(m.origin, new Set(m.userIds ?? [])); return; }
    if (m.kind === 'pop' && m.userId !== undefined && m.pop) deliver(m.userId, m.pop);
  };
  const hello = () => { if (listener) void send({ kind: 'hello', origin }).then(() => announce(present())); };

  function deliver(userId: number, pop: CallPop) {
    const key = `${userId}|${pop.uniqueid}|${pop.type}|${pop.seq}`;
    const now = opts.clock.now().getTime();
    if (seen.has(key)) return;
    seen.set(key, now);
    if (seen.size > 5000) for (const [k, t] of seen) { if (now - t > 120_000 || seen.size > 4000) seen.delete(k); else break; }
    for (const fn of subscribers.get(userId) ?? []) {
      try { fn(pop); } catch (e) { opts.log?.(`pop delivery failed: ${(e as Error).message}`); }
    }
  }

  return {
    origin,
    start() {
      if (listener) return;
      listener = bus.watchPops((payload) => {
        try { onMessage(JSON.parse(payload)); } catch { /* not ours */ }
      }, { log: opts.log, onReconnect: hello });
      // Ask the others who is connected where (twice: our LISTEN may not be in place for the first answers).
      hello();
      setTimeout(hello, 1000).unref();
    },
    async stop() {
      if (listener) await send({ kind: 'presence', origin, userIds: [] });
      await listener?.close();
      listener = null;
    },

    subscribe(userId: number, fn: Subscriber): () => void {
      let set = subscribers.get(userId);
      if (!set) subscribers.set(userId, (set = new Set()));
      set.add(fn);
      if (set.size === 1) announce(present());
      return () => {
        set!.delete(fn);
        if (!set!.size) { subscribers.delete(userId); announce(present()); }
      };
    },

    /** Local streams first (milliseconds matter), then other instances holding a stream of this operator. */
    publish(userId: number, pop: CallPop) {
      deliver(userId, pop);
      if (!listener) return;
      for (const users of remote.values()) {
        if (users.has(userId)) {
          void send(null, fitForNotify({ kind: 'pop', origin, userId, pop }));
          return;
        }
      }
    },
    /** Whether another instance holds a stream of this operator (tests). */
    remotelyPresent: (userId: number) => [...remote.values()].some((s) => s.has(userId)),
  };
}
export type PopHub = ReturnType<typeof popHub>;
