// The tile server's logic: tiles of a map or of one layer (cache, coalescing, compression),
// invalidation from tiles_invalidate notifications, and the tegola-compatible documents
// (capabilities, TileJSON) plus the generated MapLibre style and legend.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, gzip, gzipSync, constants as zlib } from 'node:zlib';
import type { Db } from '../db/db.ts';
import { listen, type Listener } from '../db/listen.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { TileCache, type Encoding, type TileEntry } from './cache.ts';
import type { MapLayer, Registry, TileMap } from './registry.ts';
import { preparedTileSql, replaceTokens, tileParams } from './sql.ts';
import { parseTile, tileBox, tileWidth, type Box, type TileCoord } from './tile-math.ts';
import type { TilesRepo } from './tiles.repo.ts';
import { buildLegend, buildStyle } from './style/style.ts';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

export const INVALIDATE_CHANNEL = 'tiles_invalidate';
const MIN_COMPRESS = 1024;

export interface TileOptions {
  cacheBytes: number;
  cacheControl: string;
  log?: (m: string) => void;
}

export interface TileResult {
  status: 200 | 204 | 304;
  etag: string;
  body?: Buffer;
  encoding: Encoding;
  cache: 'HIT' | 'MISS';
}

interface Pending { promise: Promise<TileEntry>; box: Box; tables: Set<string>; stale: boolean }

/** br when accepted, else gzip, else identity (q=0 means "not acceptable"). */
export function pickEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  const ok = new Set<string>();
  for (const part of acceptEncoding.split(',')) {
    const [token, ...params] = part.toLowerCase().split(';');
    const name = token.trim();
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    ok.add(name);
  }
  if (ok.has('br')) return 'br';
  if (ok.has('gzip') || ok.has('*')) return 'gzip';
  return 'identity';
}

// A miss answers with a fast compression (brotli 1 / gzip 1: well under a millisecond for a
// large tile, so the uncached path costs little more than PostGIS), then the cached entry is
// re-compressed once, off the event loop, at a level worth keeping (brotli 6 / gzip 6).
// Small tiles compress faster in place than the hop to libuv's thread pool takes.
function compress(raw: Buffer, enc: Exclude<Encoding, 'identity'>, fast: boolean): Promise<Buffer> | Buffer {
  const brOpts = { params: { [zlib.BROTLI_PARAM_QUALITY]: fast ? 1 : 6, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } };
  const gzOpts = { level: fast ? 1 : 6 };
  if (fast && raw.length < 32 * 1024) return enc === 'br' ? brotliCompressSync(raw, brOpts) : gzipSync(raw, gzOpts);
  return enc === 'br' ? brotli(raw, brOpts) : gz(raw, gzOpts);
}

export function etagMatches(ifNoneMatch: string | undefined, etag: string) {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const strip = (t: string) => t.trim().replace(/^W\//, '').replace(/^"|(-br1?|-gz1?)?"$/g, '');
  const base = strip(etag);
  return ifNoneMatch.split(',').some((t) => strip(t) === base);
}

export function tileService(db: Db, repo: TilesRepo, registry: Registry, opts: TileOptions) {
  const cache = new TileCache(opts.cacheBytes);
  const pending = new Map<string, Pending>();
  const events = new EventEmitter();
  const counters = { queries: 0, coalesced: 0, notifications: 0 };
  let listener: Listener | undefined;
  const log = opts.log ?? (() => {});

  function ensureListening() {
    if (listener) return;
    listener = listen(db, [INVALIDATE_CHANNEL], (_ch, payload) => onNotification(payload), {
      log,
      // Notifications sent while we were disconnected are lost: start over.
      onReconnect: () => { cache.clear(); events.emit('flush'); },
    });
  }

  function onNotification(payload: string) {
    counters.notifications++;
    let msg: { table?: string; boxes?: Box[] | null };
    try { msg = JSON.parse(payload); } catch { log(`tiles: bad notification ${payload.slice(0, 200)}`); return; }
    if (!msg.table) return;
    invalidate(msg.table, msg.boxes ?? null);
  }

  /** Drops cached tiles of every map/layer built from `table` that the boxes (EPSG:3857) touch. */
  function invalidate(table: string, boxes: Box[] | null) {
    const dropped = cache.invalidate(table, boxes);
    for (const p of pending.values()) {
      if (!p.tables.has(table)) continue;
      if (!boxes || boxes.some((b) => b[0] <= p.box[2] && p.box[0] <= b[2] && b[1] <= p.box[3] && p.box[1] <= b[3])) p.stale = true;
    }
    events.emit('invalidate', { table, boxes, dropped });
  }

  function mapOf(name: string): TileMap {
    const m = registry.maps.get(name);
    if (!m) throw notFound(`No map "${name}"`);
    return m;
  }

  /** Features are picked within 4 px (ST_Expand) and points thinned on 8 px cells: 16 px covers both. */
  function margin(z: number) {
    return tileWidth(z) / 16;
  }

  function layersFor(map: TileMap, layerName: string | undefined, t: TileCoord): MapLayer[] {
    if (layerName !== undefined) {
      const layer = map.layers.find((l) => l.name === layerName);
      if (!layer) throw notFound(`Map "${map.name}" has no layer "${layerName}"`);
      if (t.z < layer.minZoom || t.z > layer.maxZoom) throw notFound(`Layer "${layerName}" is served at zoom ${layer.minZoom}–${layer.maxZoom}`);
      return [layer];
    }
    const layers = map.layers.filter((l) => t.z >= l.minZoom && t.z <= l.maxZoom);
    if (!layers.length) throw notFound(`Map "${map.name}" is served at zoom ${map.minZoom}–${map.maxZoom}`);
    return layers;
  }

  // One prepared statement per set of layers (a map's layer set changes only at zoom bounds).
  const statements = new Map<string, { name: string; text: string; keys: ReturnType<typeof preparedTileSql>['keys'] }>();
  function statementFor(layers: MapLayer[]) {
    const id = layers.map((l) => l.provider.ref + ':' + l.name).join('|');
    let st = statements.get(id);
    if (!st) {
      const { text, keys } = preparedTileSql(layers);
      st = { name: `tile_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, keys };
      statements.set(id, st);
    }
    return st;
  }

  async function build(key: string, map: TileMap, layers: MapLayer[], t: TileCoord): Promise<TileEntry> {
    counters.queries++;
    const st = statementFor(layers);
    const raw = await repo.preparedTile(st.name, st.text, tileParams(t, st.keys));
    const box = tileBox(t);
    const m = margin(t.z);
    const ttl = registry.style.maps[map.name]?.cacheTtlSeconds;
    return {
      key, map: map.name, z: t.z,
      box: [box[0] - m, box[1] - m, box[2] + m, box[3] + m],
      tables: new Set(layers.map((l) => l.provider.table)),
      etag: `"${createHash('sha1').update(raw).digest('base64url').slice(0, 22)}"`,
      raw,
      encoded: {},
      expiresAt: ttl ? Date.now() + ttl * 1000 : Infinity,
    };
  }

  async function entryFor(map: TileMap, layerName: string | undefined, t: TileCoord): Promise<{ entry: TileEntry; hit: boolean }> {
    const layers = layersFor(map, layerName, t);
    const key = `${map.name}/${layerName ?? '*'}/${t.z}/${t.x}/${t.y}`;
    const cached = cache.get(key);
    if (cached) return { entry: cached, hit: true };
    const inFlight = pending.get(key);
    if (inFlight) { counters.coalesced++; return { entry: await inFlight.promise, hit: false }; }
    const box = tileBox(t);
    const m = margin(t.z);
    const p: Pending = {
      promise: build(key, map, layers, t),
      box: [box[0] - m, box[1] - m, box[2] + m, box[3] + m],
      tables: new Set(layers.map((l) => l.provider.table)),
      stale: false,
    };
    pending.set(key, p);
    ensureListening();
    try {
      const entry = await p.promise;
      // A row changed while we were reading: serve this answer once but do not keep it.
      if (!p.stale) cache.set(entry);
      return { entry, hit: false };
    } finally {
      pending.delete(key);
    }
  }

  async function body(entry: TileEntry, enc: Exclude<Encoding, 'identity'>): Promise<{ buf: Buffer; final: boolean }> {
    const done = entry.encoded[enc];
    if (done) return { buf: done, final: true };
    const quick = entry.quick?.[enc];
    if (quick) return { buf: quick, final: false };
    const buf = await compress(entry.raw, enc, true);
    // An entry the cache did not keep (cache off, too big) is never served again: no second pass.
    if (!cache.has(entry.key)) return { buf, final: false };
    (entry.quick ??= {})[enc] = buf;
    cache.resized(entry);
    void Promise.resolve(compress(entry.raw, enc, false)).then((best) => {
      entry.encoded[enc] = best;
      delete entry.quick![enc];
      cache.resized(entry);
    }, (e: Error) => log(`tiles: compression failed: ${e.message}`));
    return { buf, final: false };
  }

  let extentMemo: { at: number; value: Promise<[number, number, number, number] | null> } | undefined;
  function dataBounds(): Promise<[number, number, number, number] | null> {
    if (!extentMemo || Date.now() - extentMemo.at > 60_000) {
      extentMemo = { at: Date.now(), value: repo.extent(registry.sources) };
      extentMemo.value.catch(() => { extentMemo = undefined; });
    }
    return extentMemo.value;
  }

  const fieldsMemo = new Map<string, Promise<Record<string, string>>>();
  function fieldsOf(layer: MapLayer) {
    let f = fieldsMemo.get(layer.provider.ref);
    if (!f) {
      f = repo.columns(replaceTokens(layer.provider.sql, layer, { z: layer.minZoom, x: 0, y: 0 })).then((cols) =>
        Object.fromEntries(cols
          .filter((c) => c.name !== layer.provider.geometryField && c.name !== layer.provider.idField)
          .map((c) => [c.name, c.type])));
      f.catch(() => fieldsMemo.delete(layer.provider.ref));
      fieldsMemo.set(layer.provider.ref, f);
    }
    return f;
  }

  async function mapBounds(map: TileMap): Promise<[number, number, number, number]> {
    return map.bounds ?? (await dataBounds()) ?? [-180, -85.0511, 180, 85.0511];
  }
  async function mapCenter(map: TileMap): Promise<[number, number, number]> {
    if (map.center) return map.center;
    const b = await mapBounds(map);
    return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, Math.max(map.minZoom, 12)];
  }

  return {
    registry,
    cache,
    counters,
    events,

    /** One tile; throws 404/400 AppErrors for unknown maps/layers, zooms outside a range, malformed z/x/y. */
    async tile(mapName: string, layerName: string | undefined, z: string, x: string, y: string,
      req: { acceptEncoding?: string; ifNoneMatch?: string } = {}): Promise<TileResult> {
      const map = mapOf(mapName);
      const t = parseTile(z, x, y);
      if (!t) throw badRequest(`Malformed or out-of-range tile ${z}/${x}/${y}: zoom 0–22, x and y 0…2^z−1`);
      const { entry, hit } = await entryFor(map, layerName, t);
      const cacheState = hit ? 'HIT' : 'MISS';
      // Below 1 KB compression saves a few hundred bytes and costs a round of zlib: send it as is.
      const enc = entry.raw.length >= MIN_COMPRESS ? pickEncoding(req.acceptEncoding) : 'identity';
      if (etagMatches(req.ifNoneMatch, entry.etag)) {
        return { status: 304, etag: enc === 'identity' ? entry.etag : entry.etag.replace(/"$/, enc === 'br' ? '-br"' : '-gz"'), encoding: enc, cache: cacheState };
      }
      if (!entry.raw.length) return { status: 204, etag: entry.etag, encoding: 'identity', cache: cacheState };
      if (enc === 'identity') return { status: 200, etag: entry.etag, body: entry.raw, encoding: enc, cache: cacheState };
      const { buf, final } = await body(entry, enc);
      // Each byte sequence has its own strong validator; all of them revalidate (same content).
      const etag = entry.etag.replace(/"$/, `-${enc === 'br' ? 'br' : 'gz'}${final ? '' : '1'}"`);
      return { status: 200, etag, body: buf, encoding: enc, cache: cacheState };
    },

    invalidate,
    /** Resolves at the next processed invalidation (tests and tools wait on it). */
    nextInvalidation(timeoutMs = 5000) {
      return new Promise<{ table: string; boxes: Box[] | null; dropped: number }>((resolve, reject) => {
        const timer = setTimeout(() => { events.off('invalidate', on); reject(new Error('no tile invalidation arrived')); }, timeoutMs);
        const on = (e: { table: string; boxes: Box[] | null; dropped: number }) => { clearTimeout(timer); resolve(e); };
        events.once('invalidate', on);
      });
    },
    /** Starts LISTENing now (otherwise the first tile request does). */
    listen: ensureListening,
    /** The prepared statement and parameters the server runs for a tile (benchmarks compare against it). */
    statement(mapName: string, layerName: string | undefined, t: TileCoord) {
      const st = statementFor(layersFor(mapOf(mapName), layerName, t));
      return { name: st.name, text: st.text, values: tileParams(t, st.keys) };
    },
    stats: () => ({ ...cache.snapshot(), ...counters, pending: pending.size }),

    async capabilities(base: string) {
      const maps = [];
      for (const m of registry.maps.values()) {
        maps.push({
          name: m.name,
          attribution: m.attribution,
          bounds: await mapBounds(m),
          center: await mapCenter(m),
          tiles: [`${base}/maps/${m.name}/{z}/{x}/{y}.pbf`],
          capabilities: `${base}/capabilities/${m.name}.json`,
          layers: m.layers.map((l) => ({
            name: l.name,
            tiles: [`${base}/maps/${m.name}/${l.name}/{z}/{x}/{y}.pbf`],
            minzoom: l.minZoom,
            maxzoom: l.maxZoom,
          })),
        });
      }
      return { version: 'misto-tegola-compatible', maps };
    },

    async tileJson(mapName: string, base: string) {
      const map = mapOf(mapName);
      const vectorLayers = [];
      for (const l of map.layers) {
        vectorLayers.push({
          id: l.name,
          description: registry.style.layers[l.name]?.title.en ?? '',
          fields: await fieldsOf(l),
          minzoom: l.minZoom,
          maxzoom: l.maxZoom,
          geometry_type: l.geometry,
          tiles: [`${base}/maps/${map.name}/${l.name}/{z}/{x}/{y}.pbf`],
        });
      }
      return {
        tilejson: '3.0.0',
        name: map.name,
        description: registry.style.maps[map.name]?.title?.en ?? map.name,
        attribution: map.attribution,
        scheme: 'xyz',
        format: 'pbf',
        tiles: [`${base}/maps/${map.name}/{z}/{x}/{y}.pbf`],
        minzoom: map.minZoom,
        maxzoom: map.maxZoom,
        bounds: await mapBounds(map),
        center: await mapCenter(map),
        vector_layers: vectorLayers,
      };
    },

    async style(mapName: string, urls: { tiles: string; assets: string }) {
      const map = mapOf(mapName);
      const basemapName = registry.style.maps[map.name]?.basemap;
      const basemap = basemapName ? mapOf(basemapName) : undefined;
      return buildStyle(registry, map, basemap, { ...urls, bounds: await mapBounds(map), center: await mapCenter(map) });
    },

    legend(mapName: string) {
      const map = mapOf(mapName);
      const basemapName = registry.style.maps[map.name]?.basemap;
      return buildLegend(registry, map, basemapName ? mapOf(basemapName) : undefined);
    },

    cacheControl: opts.cacheControl,

    async close() {
      await listener?.close();
      listener = undefined;
    },
  };
}
export type TileService = ReturnType<typeof tileService>;
