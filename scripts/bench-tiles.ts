// npm run bench:tiles [-- --database-url URL] [--duration 1] [--skip-http] [--skip-copy]
// For a fixed, printed set of tiles across z10–z17 of both maps (the city centre and the
// busiest building and infrastructure spots): (a) PostGIS's own time for the same tile SQL on
// a warm pooled connection, (b) the HTTP server with its cache disabled, (c) the HTTP server
// cached, with autocannon at 1 and 32 connections. Prints a table, the ratios against the goals
// ((b)/(a) ≤ 1.15 median, (c) p50 ≤ 1 ms), the largest tile per zoom (≤ 500 KB), and what the
// invalidation triggers cost a COPY (inside a rolled-back transaction: the database is untouched).
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import autocannon from 'autocannon';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { config } from '../server/config.ts';
import { connect } from '../server/db/db.ts';
import { databaseUrl } from '../server/db/provision.ts';
import { createServices } from '../server/services.ts';
import { createApp } from '../server/app.ts';
import { serve } from '../tests/helpers/http.ts';
import { lonLatToTile, lonLatToMercator, tileRange, type TileCoord } from '../server/tiles/tile-math.ts';

const { values: a } = parseArgs({ options: {
  'database-url': { type: 'string' },
  duration: { type: 'string', default: '1' },
  'skip-copy': { type: 'boolean', default: false },
  'skip-http': { type: 'boolean', default: false },
} });
const url = a['database-url'] ?? databaseUrl(() => {});
const duration = Number(a.duration);
const dbName = new URL(url).pathname.slice(1);
const started = Date.now();

const db = connect(url, 40);
const cached = createServices(db, { ...config, tileCacheBytes: 512 * 1024 * 1024 });
const uncached = createServices(db, { ...config, tileCacheBytes: 0 });
const srvCached = await serve(createApp(cached));
const srvUncached = await serve(createApp(uncached));

// ---- the tile set: centre of the data, densest building cell, densest infrastructure cell
const spot = async (sql: string) => db.oneOrNone<{ lon: number; lat: number }>(sql);
const bounds = (await cached.tiles.tileJson('karta', '')).bounds as number[];
const centre = { lon: (bounds[0] + bounds[2]) / 2, lat: (bounds[1] + bounds[3]) / 2 };
const busyBuildings = await spot(`SELECT ST_X(ST_Centroid(ST_Collect(centroid))) AS lon, ST_Y(ST_Centroid(ST_Collect(centroid))) AS lat
  FROM building GROUP BY ST_SnapToGrid(centroid, 0.005) ORDER BY count(*) DESC LIMIT 1`) ?? centre;
const busyInfra = await spot(`SELECT ST_X(ST_Centroid(ST_Collect(geom))) AS lon, ST_Y(ST_Centroid(ST_Collect(geom))) AS lat
  FROM infra_object WHERE GeometryType(geom) = 'POINT' GROUP BY ST_SnapToGrid(geom, 0.005) ORDER BY count(*) DESC LIMIT 1`) ?? centre;
const annSpot = await spot(`SELECT ST_X(centroid) AS lon, ST_Y(centroid) AS lat FROM announcement ORDER BY id LIMIT 1`) ?? centre;

interface Case { map: string; place: string; t: TileCoord }
const cases: Case[] = [];
for (let z = 10; z <= 17; z++) {
  cases.push({ map: 'karta', place: 'centre', t: lonLatToTile(centre.lon, centre.lat, z) });
  cases.push({ map: 'karta', place: 'buildings', t: lonLatToTile(busyBuildings.lon, busyBuildings.lat, z) });
  if (z % 2 === 1) cases.push({ map: 'karta', place: 'infra', t: lonLatToTile(busyInfra.lon, busyInfra.lat, z) });
}
for (const z of [10, 12, 14, 16]) cases.push({ map: 'announcements', place: 'zone', t: lonLatToTile(annSpot.lon, annSpot.lat, z) });

const pathOf = (c: Case) => `/maps/${c.map}/${c.t.z}/${c.t.x}/${c.t.y}.pbf`;
const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

console.log(`Tile benchmark on database "${dbName}" (${new Date().toISOString()}), ${cases.length} tiles, ${duration}s per autocannon run, ` +
  `${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`centre ${centre.lon.toFixed(4)},${centre.lat.toFixed(4)}; busiest buildings ${busyBuildings.lon.toFixed(4)},${busyBuildings.lat.toFixed(4)}; busiest infrastructure ${busyInfra.lon.toFixed(4)},${busyInfra.lat.toFixed(4)}`);

// ---- (a) and (b), interleaved request by request so machine noise hits both alike:
// (a) the same (prepared) statement the server sends, on a warm connection of the same pool;
// (b) one keep-alive HTTP connection to the server with its cache disabled (every request
//     runs the tile SQL and compresses the answer).
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function httpGet(base: string, path: string, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    const req = http.get(base + path, { agent, headers }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => { n += c.length; });
      res.on('end', () => (res.statusCode === 200 || res.statusCode === 204 ? resolve(n) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}
async function pairMs(c: Case, headers: Record<string, string>) {
  // The very statement the server runs: prepared (planned once per connection), tile as parameters.
  const sql = uncached.tiles.statement(c.map, undefined, c.t);
  const first = await db.one<{ data: Buffer | null }>(sql); // warm: plan cache, pages
  await httpGet(srvUncached.url, pathOf(c), headers);
  const pgT: number[] = [], httpT: number[] = [];
  const until = performance.now() + duration * 1000;
  while (pgT.length < 5 || (performance.now() < until && pgT.length < 300)) {
    let t0 = performance.now();
    await db.one(sql);
    pgT.push(performance.now() - t0);
    t0 = performance.now();
    await httpGet(srvUncached.url, pathOf(c), headers);
    httpT.push(performance.now() - t0);
  }
  return { a: median(pgT), b: median(httpT), n: pgT.length, size: first.data?.length ?? 0 };
}

async function cannon(base: string, path: string, connections: number, headers: Record<string, string> = {}) {
  const r = await autocannon({ url: base + path, connections, duration, headers, pipelining: 1 });
  const bad = r.non2xx - (r.statusCodeStats?.['204']?.count ?? 0);
  if (r.errors || bad > 0) throw new Error(`${path}: ${r.errors} errors, ${bad} non-2xx`);
  return { p50: r.latency.p50, p99: r.latency.p99, avg: r.latency.average, rps: r.requests.average };
}

const enc = { 'accept-encoding': 'gzip, br' };
const rows: Record<string, string | number>[] = [];
const ratios: number[] = [];
const cachedP50: number[] = [];
for (const c of a['skip-http'] ? [] : cases) {
  const ab = await pairMs(c, enc);
  // (c) cached: warm the entry (and its background re-compression), then hit it.
  await fetch(srvCached.url + pathOf(c), { headers: enc });
  await new Promise((r) => setTimeout(r, 50));
  const c1 = await cannon(srvCached.url, pathOf(c), 1, enc);
  const c32 = await cannon(srvCached.url, pathOf(c), 32, enc);
  const ratio = ab.b / ab.a;
  ratios.push(ratio);
  cachedP50.push(c1.p50);
  rows.push({
    map: c.map, place: c.place, tile: `${c.t.z}/${c.t.x}/${c.t.y}`, 'KB raw': +(ab.size / 1024).toFixed(1), n: ab.n,
    '(a) PostGIS ms': +ab.a.toFixed(2), '(b) HTTP uncached ms': +ab.b.toFixed(2), '(b)/(a)': +ratio.toFixed(3),
    '(c) 1c p50 ms': c1.p50, '(c) 1c avg ms': +c1.avg.toFixed(3), '(c) 1c req/s': Math.round(c1.rps),
    '(c) 32c p50 ms': c32.p50, '(c) 32c p99 ms': c32.p99, '(c) 32c req/s': Math.round(c32.rps),
  });
}
agent.destroy();
if (rows.length) {
console.table(rows);
console.log('(a), (b): medians of interleaved sequential requests; (c): autocannon, whose latency histogram has 1 ms resolution (p50 0 = under 1 ms).');
const medRatio = median(ratios);
const medCached = median(cachedP50);
console.log(`(b)/(a) median ${medRatio.toFixed(3)} (goal ≤ 1.15: ${medRatio <= 1.15 ? 'met' : 'NOT met'}); ` +
  `(c) 1-connection p50 median ${medCached} ms (goal ≤ 1 ms: ${medCached <= 1 ? 'met' : 'NOT met'})`);
}

// ---- largest tile per zoom: every tile of the data bounds up to z13, 5×5 blocks around the
// centre and the busiest spots from z14 (where the densest tiles are).
const sizes: Record<string, string | number>[] = [];
let worst = 0;
for (let z = 10; z <= 17; z++) {
  const tiles: TileCoord[] = [];
  if (z <= 13) {
    const [x1, y1] = lonLatToMercator(bounds[0], bounds[1]);
    const [x2, y2] = lonLatToMercator(bounds[2], bounds[3]);
    const r = tileRange([x1, y1, x2, y2], z);
    for (let x = r.minX; x <= r.maxX; x++) for (let y = r.minY; y <= r.maxY; y++) tiles.push({ z, x, y });
  } else {
    for (const p of [centre, busyBuildings, busyInfra]) {
      const t = lonLatToTile(p.lon, p.lat, z);
      for (let dx = -2; dx <= 2; dx++) for (let dy = -2; dy <= 2; dy++) tiles.push({ z, x: t.x + dx, y: t.y + dy });
    }
  }
  let max = 0, where = '', total = 0;
  for (const t of tiles) {
    const row = await db.one<{ data: Buffer | null }>(cached.tiles.statement('karta', undefined, t));
    const n = row.data?.length ?? 0;
    total += n;
    if (n > max) { max = n; where = `${t.z}/${t.x}/${t.y}`; }
  }
  worst = Math.max(worst, max);
  sizes.push({ zoom: z, tiles: tiles.length, 'largest KB': +(max / 1024).toFixed(1), 'largest tile': where, 'mean KB': +(total / tiles.length / 1024).toFixed(1) });
}
console.table(sizes);
console.log(`largest karta tile ${(worst / 1024).toFixed(1)} KB (goal ≤ 500 KB: ${worst <= 500 * 1024 ? 'met' : 'NOT met'})`);

// ---- what the statement-level invalidation triggers cost a COPY. Into a copy of infra_object
// (same columns, generated geom_3857, checks and indexes) created inside a transaction that is
// rolled back: the real tables are neither touched nor bloated.
if (!a['skip-copy']) {
  const N = 100_000;
  const copyRun = async (triggers: boolean) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query('CREATE TABLE tiles_bench_copy (LIKE infra_object INCLUDING ALL)');
      await c.query('ALTER TABLE tiles_bench_copy ALTER COLUMN id DROP DEFAULT');
      if (triggers) {
        await c.query(`CREATE TRIGGER tiles_bench_copy_ins AFTER INSERT ON tiles_bench_copy REFERENCING NEW TABLE AS new_rows
                       FOR EACH STATEMENT EXECUTE FUNCTION tiles_notify_changes('geom_3857')`);
      }
      const lines = function* () {
        for (let i = 0; i < N; i++) {
          const lon = centre.lon + ((i % 400) - 200) * 0.0002, lat = centre.lat + (Math.floor(i / 400) - 125) * 0.0002;
          yield `${i + 1}\tstop\tbench ${i}\tSRID=4326;POINT(${lon.toFixed(6)} ${lat.toFixed(6)})\n`;
        }
      };
      const t0 = performance.now();
      await pipeline(Readable.from(lines()), c.query(copyFrom('COPY tiles_bench_copy (id, kind, name, geom) FROM STDIN')));
      const ms = performance.now() - t0;
      await c.query('ROLLBACK');
      return ms;
    } finally { await c.end(); }
  };
  await copyRun(true); // warm
  const withoutT: number[] = [], withT0: number[] = [];
  for (let i = 0; i < 3; i++) { withoutT.push(await copyRun(false)); withT0.push(await copyRun(true)); }
  const without = median(withoutT), withT = median(withT0);
  console.log(`COPY ${N.toLocaleString('en')} infra_object rows: ${without.toFixed(0)} ms without the invalidation trigger, ${withT.toFixed(0)} ms with ` +
    `(${withT >= without ? '+' : ''}${(((withT - without) / without) * 100).toFixed(1)}%; one NOTIFY for the statement; medians of 3)`);
}

console.log(`bench:tiles finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
await cached.tiles.close();
await uncached.tiles.close();
await srvCached.close();
await srvUncached.close();
await db.$pool.end();
process.exit(0);
