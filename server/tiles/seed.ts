// Pre-renders a map's tiles into a z/x/y.pbf tree for a CDN or an object store. Tiles are
// written raw (uncompressed MVT, as tegola's file cache does); empty tiles are not written
// (a missing object answers 404/204 at the CDN). Bounded concurrency, progress on stderr.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TileService } from './tiles.service.ts';
import { lonLatToMercator, tileRange } from './tile-math.ts';

export interface SeedOptions {
  map: string;
  minZoom: number;
  maxZoom: number;
  out: string;
  /** lon/lat; default: the map's data bounds. */
  bbox?: [number, number, number, number];
  concurrency?: number;
  progress?: (done: number, total: number, written: number) => void;
}

export function* tilesOf(bbox: [number, number, number, number], minZoom: number, maxZoom: number) {
  const [x1, y1] = lonLatToMercator(bbox[0], bbox[1]);
  const [x2, y2] = lonLatToMercator(bbox[2], bbox[3]);
  for (let z = minZoom; z <= maxZoom; z++) {
    const r = tileRange([x1, y1, x2, y2], z);
    for (let x = r.minX; x <= r.maxX; x++) for (let y = r.minY; y <= r.maxY; y++) yield { z, x, y };
  }
}

export function countTiles(bbox: [number, number, number, number], minZoom: number, maxZoom: number) {
  const [x1, y1] = lonLatToMercator(bbox[0], bbox[1]);
  const [x2, y2] = lonLatToMercator(bbox[2], bbox[3]);
  let n = 0;
  for (let z = minZoom; z <= maxZoom; z++) {
    const r = tileRange([x1, y1, x2, y2], z);
    n += (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1);
  }
  return n;
}

export async function seedTiles(tiles: TileService, o: SeedOptions) {
  const map = tiles.registry.maps.get(o.map);
  if (!map) throw new Error(`No map "${o.map}" in tiles/config.toml (maps: ${[...tiles.registry.maps.keys()].join(', ')})`);
  const minZoom = Math.max(o.minZoom, map.minZoom);
  const maxZoom = Math.min(o.maxZoom, map.maxZoom);
  if (minZoom > maxZoom) throw new Error(`Map ${o.map} is served at zoom ${map.minZoom}–${map.maxZoom}`);
  const bbox = o.bbox ?? (await tiles.tileJson(o.map, '')).bounds as [number, number, number, number];
  const total = countTiles(bbox, minZoom, maxZoom);
  const it = tilesOf(bbox, minZoom, maxZoom);
  let done = 0, written = 0, bytes = 0;
  const worker = async () => {
    for (let next = it.next(); !next.done; next = it.next()) {
      const t = next.value;
      const r = await tiles.tile(o.map, undefined, String(t.z), String(t.x), String(t.y));
      if (r.status === 200 && r.body) {
        const dir = join(o.out, String(t.z), String(t.x));
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, `${t.y}.pbf`), r.body);
        written++;
        bytes += r.body.length;
      }
      done++;
      o.progress?.(done, total, written);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 4) }, worker));
  return { total, written, empty: total - written, bytes, minZoom, maxZoom, bbox };
}
