// npm run tiles:seed -- --map karta --min-zoom 10 --max-zoom 16 --out DIR
//   [--bbox minLon,minLat,maxLon,maxLat] [--concurrency 4] [--database-url URL]
// Writes the raw (uncompressed) z/x/y.pbf tree of a map; see server/tiles/seed.ts.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { config } from '../config.ts';
import { connectForMaintenance } from '../db/db.ts';
import { openDatabase } from '../db/provision.ts';
import { loadRegistry } from '../tiles/registry.ts';
import { tilesRepo } from '../tiles/tiles.repo.ts';
import { tileService } from '../tiles/tiles.service.ts';
import { seedTiles } from '../tiles/seed.ts';

const { values: a } = parseArgs({
  options: {
    map: { type: 'string', default: 'karta' },
    'min-zoom': { type: 'string', default: '10' },
    'max-zoom': { type: 'string', default: '16' },
    out: { type: 'string' },
    bbox: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    'database-url': { type: 'string' },
  },
});
const fail = (m: string) => { console.error(`tiles:seed: ${m}`); process.exit(2); };
if (!a.out) fail('--out DIR is required');
const minZoom = Number(a['min-zoom']), maxZoom = Number(a['max-zoom']), concurrency = Number(a.concurrency);
if (![minZoom, maxZoom, concurrency].every(Number.isInteger) || minZoom < 0 || maxZoom > 22 || minZoom > maxZoom) fail('zooms must be integers, 0 ≤ min ≤ max ≤ 22');
let bbox: [number, number, number, number] | undefined;
if (a.bbox) {
  const b = a.bbox.split(',').map(Number);
  if (b.length !== 4 || b.some((v) => !Number.isFinite(v)) || b[0] >= b[2] || b[1] >= b[3]) fail('--bbox is minLon,minLat,maxLon,maxLat');
  bbox = b as [number, number, number, number];
}

const db = a['database-url'] ? connectForMaintenance(a['database-url'], concurrency + 2) : await openDatabase(() => {});
const tiles = tileService(db, tilesRepo(db), loadRegistry(), { cacheBytes: 0, cacheControl: config.tileCacheControl });
const started = Date.now();
let last = 0;
const bar = (done: number, total: number, written: number) => {
  const now = Date.now();
  if (done !== total && now - last < 200) return;
  last = now;
  const width = 30, filled = Math.round((done / total) * width);
  const rate = done / Math.max(0.001, (now - started) / 1000);
  const eta = rate ? Math.round((total - done) / rate) : 0;
  process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${((done / total) * 100).toFixed(1)}% ${done}/${total} tiles, ${written} written, ${rate.toFixed(0)}/s, ETA ${eta}s  `);
};
try {
  const r = await seedTiles(tiles, { map: a.map!, minZoom, maxZoom, out: resolve(a.out!), bbox, concurrency, progress: bar });
  process.stderr.write('\n');
  console.log(`tiles:seed: ${a.map} z${r.minZoom}–${r.maxZoom} bbox ${r.bbox.map((v) => v.toFixed(4)).join(',')}: ${r.total} tiles, ` +
    `${r.written} written (${(r.bytes / 1048576).toFixed(1)} MB, raw MVT), ${r.empty} empty skipped, ${((Date.now() - started) / 1000).toFixed(1)} s → ${resolve(a.out!)}`);
} catch (e) {
  process.stderr.write('\n');
  fail((e as Error).message);
} finally {
  await tiles.close();
  await db.$pool.end();
}
