// A small seeded PRNG (sfc32) so the demo city is the same for the same seed on every machine.
// Each generation stage gets its own stream (`rng.fork('stage')`): changing one stage does not
// shift the random numbers every later stage sees.

function hash32(s: string): number {
  // FNV-1a, then a final avalanche: good enough to seed sfc32 from "seed:stage".
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  private a: number; private b: number; private c: number; private d: number;
  constructor(readonly seed: string) {
    this.a = hash32(seed + '#a'); this.b = hash32(seed + '#b'); this.c = hash32(seed + '#c'); this.d = hash32(seed + '#d');
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  fork(stage: string): Rng { return new Rng(`${this.seed}:${stage}`); }
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  range(min: number, max: number): number { return min + this.next() * (max - min); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }
  /** Approximately normal (Irwin–Hall of 4), mean 0, sd 1. */
  normal(): number { return (this.next() + this.next() + this.next() + this.next() - 2) * 1.7320508; }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) { const j = Math.floor(this.next() * (i + 1)); [items[i], items[j]] = [items[j], items[i]]; }
    return items;
  }
}

/** Picks from a fixed weighted table in O(log n): build once, sample many times. */
export class Weighted<T> {
  private cum: Float64Array; private total: number;
  constructor(readonly items: readonly T[], weights: readonly number[]) {
    this.cum = new Float64Array(weights.length);
    let s = 0;
    weights.forEach((w, i) => { s += Math.max(0, w); this.cum[i] = s; });
    this.total = s;
  }
  sample(rng: Rng): T { return this.items[this.index(rng)]; }
  index(rng: Rng): number {
    const x = rng.next() * this.total;
    let lo = 0, hi = this.cum.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.cum[mid] > x) hi = mid; else lo = mid + 1; }
    return lo;
  }
}
