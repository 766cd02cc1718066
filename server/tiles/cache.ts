// The tile cache: an LRU bounded in bytes (a Map keeps insertion order, re-inserting on a hit
// makes it the newest). Each entry remembers its map, layers' source tables and grown tile
// box, so an invalidation drops exactly the tiles whose features a changed row can touch.
import type { Box } from './tile-math.ts';

export type Encoding = 'br' | 'gzip' | 'identity';

export interface TileEntry {
  key: string;
  map: string;
  z: number;
  /** Tile box grown by the margin features are picked with (see TileService.margin). */
  box: Box;
  tables: Set<string>;
  etag: string;
  raw: Buffer;
  /** Compressed bodies at the level kept for good. */
  encoded: Partial<Record<Exclude<Encoding, 'identity'>, Buffer>>;
  /** Fast-compressed bodies served until the background re-compression lands. */
  quick?: Partial<Record<Exclude<Encoding, 'identity'>, Buffer>>;
  expiresAt: number; // ms epoch, Infinity when only invalidation ends it
}

const OVERHEAD = 256; // bookkeeping bytes per entry, so many empty tiles still count

export function entryBytes(e: TileEntry) {
  return OVERHEAD + e.key.length + e.raw.length + (e.encoded.br?.length ?? 0) + (e.encoded.gzip?.length ?? 0)
    + (e.quick?.br?.length ?? 0) + (e.quick?.gzip?.length ?? 0);
}

export interface CacheStats {
  entries: number; bytes: number; maxBytes: number;
  hits: number; misses: number; evictions: number; invalidated: number; flushes: number;
}

function intersects(a: Box, b: Box) {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

export class TileCache {
  private entries = new Map<string, TileEntry>();
  private sizes = new Map<string, number>();
  private bytes = 0;
  readonly stats = { hits: 0, misses: 0, evictions: 0, invalidated: 0, flushes: 0 };

  constructor(readonly maxBytes: number) {}

  get(key: string, now = Date.now()): TileEntry | undefined {
    const e = this.entries.get(key);
    if (!e) { this.stats.misses++; return undefined; }
    if (e.expiresAt <= now) { this.delete(key); this.stats.misses++; return undefined; }
    this.entries.delete(key);
    this.entries.set(key, e);
    this.stats.hits++;
    return e;
  }

  set(e: TileEntry) {
    if (this.maxBytes <= 0) return;
    this.delete(e.key);
    const size = entryBytes(e);
    if (size > this.maxBytes) return;
    this.entries.set(e.key, e);
    this.sizes.set(e.key, size);
    this.bytes += size;
    this.evict();
  }

  /** An entry grew (another encoding was added): account for it. */
  resized(e: TileEntry) {
    const old = this.sizes.get(e.key);
    if (old === undefined || this.entries.get(e.key) !== e) return;
    const size = entryBytes(e);
    this.sizes.set(e.key, size);
    this.bytes += size - old;
    this.evict();
  }

  private evict() {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(key);
      this.stats.evictions++;
    }
  }

  delete(key: string) {
    const size = this.sizes.get(key);
    if (size === undefined) return false;
    this.entries.delete(key);
    this.sizes.delete(key);
    this.bytes -= size;
    return true;
  }

  /** Drops the tiles built from `table` whose grown box meets one of `boxes` (all of them if boxes is null). */
  invalidate(table: string, boxes: Box[] | null): number {
    let n = 0;
    for (const e of this.entries.values()) {
      if (!e.tables.has(table)) continue;
      if (boxes && !boxes.some((b) => intersects(b, e.box))) continue;
      this.delete(e.key);
      n++;
    }
    this.stats.invalidated += n;
    return n;
  }

  clear() {
    this.entries.clear();
    this.sizes.clear();
    this.bytes = 0;
    this.stats.flushes++;
  }

  has(key: string) { return this.entries.has(key); }

  snapshot(): CacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes, ...this.stats };
  }
}
