// Which operator a ringing phone belongs to. Asterisk names an interface with options and per-call
// suffixes ("Local/100@operators/n", "Local/100@operators-0000001c;1", "PJSIP/101-0000002a"); an
// administrator types it the way the queue lists it. Both sides are compared in the canonical form
// (vocabulary/telephony.ts). The map is held in memory — a pop never waits for a query — and
// reloaded whenever a statement changes the users (NOTIFY misto_operators).
import { canonicalInterface } from '../../vocabulary/telephony.ts';
import type { Listener } from '../db/listen.ts';
import type { TelephonyRepo } from './telephony.repo.ts';
import type { Clock } from '../clock.ts';

export interface Operator { id: number; name: string; interface: string }

/** An interface the PBX rang that no operator has is logged once per this long. */
const UNMATCHED_LOG_MS = 10 * 60_000;

export function operatorDirectory(repo: Pick<TelephonyRepo, 'operatorInterfaces' | 'watchOperators'>, o: { clock: Clock; log: (m: string) => void }) {
  let byInterface = new Map<string, Operator>();
  let loaded: Promise<void> | null = null;
  let listener: Listener | null = null;
  const unmatched = new Map<string, number>();

  async function load() {
    const rows = await repo.operatorInterfaces();
    const next = new Map<string, Operator>();
    for (const r of rows) {
      const key = canonicalInterface(r.sipInterface);
      if (!key) { o.log(`operator ${r.id}: "${r.sipInterface}" is not a phone interface Asterisk can ring`); continue; }
      if (next.has(key)) o.log(`operators ${next.get(key)!.id} and ${r.id} share the phone interface ${key}: pops go to ${next.get(key)!.id}`);
      else next.set(key, { id: r.id, name: r.fullName, interface: r.sipInterface });
    }
    byInterface = next;
  }

  function reload() {
    loaded = load().catch((e: Error) => o.log(`operators' phone interfaces not loaded: ${e.message}`));
    return loaded;
  }

  return {
    /** Loads the map and follows changes; resolves once the first load is done (or failed and logged). */
    start() {
      if (listener) return loaded!;
      listener = repo.watchOperators(() => void reload(), o.log);
      return reload();
    },
    async stop() { await listener?.close(); listener = null; },
    ready: () => loaded ?? Promise.resolve(),

    /** The operator behind an interface or channel name; null (logged unless quiet) when none has it. */
    of(raw: string | null | undefined, opts: { quiet?: boolean } = {}): Operator | null {
      const key = canonicalInterface(raw);
      if (!key) return null;
      const hit = byInterface.get(key);
      if (hit || opts.quiet) return hit ?? null;
      const now = o.clock.now().getTime();
      if ((unmatched.get(key) ?? -Infinity) < now - UNMATCHED_LOG_MS) {
        unmatched.set(key, now);
        o.log(`the PBX rang ${raw}, but no operator has the phone interface ${key} (Admin → Users): no screen pop`);
      }
      return null;
    },
    all: () => [...byInterface.entries()].map(([key, op]) => ({ key, ...op })),
  };
}
export type OperatorDirectory = ReturnType<typeof operatorDirectory>;
