// npm run bench:announcements — how long PostGIS takes to find the buildings affected by a zone
// (the preview query the utility page runs while drawing, and publish reuses), for zones hitting
// about 10, 100 and 1,000 buildings, on the demo city (`misto`) and the Kyiv preset (`misto_kyiv`,
// read-only: nothing is written). Prints p50/p95 per size. Goal: p95 ≤ 10 ms at 1,000 on kyiv.
// Options: --database-url URL (bench that database only), --synthetic (add a generated Kyiv-sized
// city when misto_kyiv is not loaded); env BENCH_DBS, BENCH_ZONES, BENCH_RUNS.
import { projectCluster } from '../server/config.ts';
import { clusterUrl, startCluster } from '../server/db/cluster.ts';
import { connect, type Db } from '../server/db/db.ts';
import { migrate } from '../server/db/migrate.ts';
import { announcementsRepo } from '../server/announcements/announcements.repo.ts';

const SIZES = [10, 100, 1000];
const ZONES = Number(process.env.BENCH_ZONES ?? 15);
const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const dbs = (process.env.BENCH_DBS ?? 'misto,misto_kyiv').split(',');

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

/** Circles around random buildings, each just big enough to reach its `n`-th nearest building. */
async function zones(db: Db, n: number): Promise<string[]> {
  return db.map(`
    WITH seeds AS (SELECT id, centroid FROM building TABLESAMPLE SYSTEM (5) ORDER BY random() LIMIT $2)
    SELECT encode(ST_AsEWKB(ST_Multi(ST_Buffer(s.centroid::geography, r.d + 1, 'quad_segs=8')::geometry)), 'hex') AS zone
      FROM seeds s
      CROSS JOIN LATERAL (SELECT ST_Distance(s.centroid::geography, b.centroid::geography) AS d
                            FROM building b ORDER BY b.centroid <-> s.centroid OFFSET $1 - 1 LIMIT 1) r`,
    [n, ZONES], (r: { zone: string }) => r.zone);
}

async function bench(name: string, given?: string) {
  const url = given ?? clusterUrl(projectCluster(name));
  const db = connect(url, 2);
  try {
    const total = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM building').catch(() => null);
    if (!total?.n) { console.log(`${name}: no buildings (database missing or not seeded), skipped`); return; }
    const residents = await db.one<{ n: number }>(`SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = 'resident'::regclass`);
    console.log(`\n${name}: ${total.n.toLocaleString('en')} buildings, ~${residents.n.toLocaleString('en')} residents; ${ZONES} zones × ${RUNS} runs per size`);
    console.log('  target   got(avg)   preview p50        p95  |  buildings-only p50     p95');
    console.log('  (preview = buildings + apartments + residents + 2,000 highlight points, as POST /api/announcements/preview)');
    const repo = announcementsRepo(db);
    for (const n of SIZES) {
      const zs = await zones(db, n);
      // Warm every zone first; each query runs as the product runs it (its own transaction).
      for (const z of zs) await repo.affected(z, 2000);
      {
        const full: number[] = [], bare: number[] = [];
        let got = 0;
        for (let i = 0; i < RUNS; i++) {
          const z = zs[i % zs.length];
          let t0 = performance.now();
          const s = await repo.affected(z, 2000);
          full.push(performance.now() - t0);
          got += s.buildings;
          t0 = performance.now();
          await db.one(`SET LOCAL max_parallel_workers_per_gather = 0;
            SELECT count(*)::int AS n, coalesce(sum(apartments), 0)::int AS a FROM building WHERE ST_Intersects(geom, $1::geometry)`, [z]);
          bare.push(performance.now() - t0);
        }
        const f = (x: number) => `${x.toFixed(2)} ms`.padStart(10);
        console.log(`  ${String(n).padStart(6)} ${String(Math.round(got / RUNS)).padStart(10)} ${f(pct(full, 50))} ${f(pct(full, 95))}   | ${f(pct(bare, 50))} ${f(pct(bare, 95))}`);
        if ((name === 'misto_kyiv' || name === 'announcements_bench') && n === 1000) {
          const p95 = pct(full, 95);
          console.log(`  goal p95 ≤ 10 ms at 1,000 buildings on kyiv${name === 'misto_kyiv' ? '' : ' (synthetic stand-in)'}: ${p95.toFixed(2)} ms → ${p95 <= 10 ? 'met' : 'NOT met'} (ratio ${(p95 / 10).toFixed(2)})`);
        }
      }
    }
  } finally {
    await db.$pool.end();
  }
}

/**
 * `--synthetic`: a Kyiv-sized stand-in when `misto_kyiv` is not loaded — database
 * `announcements_bench` of the dev cluster, 150,000 jittered 18×14 m buildings on a 40 m grid and
 * 12 residents each (1.8 M). Built once (~30 s), reused after.
 */
async function synthetic(): Promise<string> {
  const name = 'announcements_bench';
  const adminDb = connect(clusterUrl(projectCluster('postgres')), 1);
  const exists = await adminDb.oneOrNone('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!exists) await adminDb.none('CREATE DATABASE $1:name', [name]);
  await adminDb.$pool.end();
  const db = connect(clusterUrl(projectCluster(name)), 1);
  await migrate(db);
  if ((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM building')).n === 0) {
    console.log(`building the synthetic city in ${name} …`);
    await db.tx(async (t) => {
      await t.none(`INSERT INTO district (name, geom) VALUES ('Synthetic', ST_Multi(ST_MakeEnvelope(30.3, 50.3, 30.8, 50.6, 4326)))`);
      await t.none(`INSERT INTO street (name, geom) VALUES ('Synthetic', ST_Multi(ST_MakeLine(ST_MakePoint(30.3, 50.3), ST_MakePoint(30.8, 50.6))))`);
      await t.none(`
        INSERT INTO building (street_id, house_number, address, apartments, floors, district_id, geom)
        SELECT (SELECT min(id) FROM street), i || '-' || j, 'Synthetic ' || i || '-' || j, (random() * 120)::int, 5, (SELECT min(id) FROM district),
               ST_Multi(ST_MakeEnvelope(x, y, x + 18 / 71000.0, y + 14 / 111200.0, 4326))
          FROM generate_series(0, 399) i, generate_series(0, 374) j,
               LATERAL (SELECT 30.35 + i * 40 / 71000.0 + random() * 8 / 71000.0 AS x, 50.35 + j * 40 / 111200.0 + random() * 8 / 111200.0 AS y) p`);
      await t.none(`INSERT INTO resident (full_name, building_id) SELECT 'Synthetic', b.id FROM building b, generate_series(1, 12)`);
    });
    for (const table of ['building', 'resident', 'building_resident_count']) await db.none('VACUUM ANALYZE $1:name', [table]);
  }
  await db.$pool.end();
  return name;
}

// `npm run bench -- --database-url URL` benches that database instead of the dev cluster's.
const urlArg = process.argv.indexOf('--database-url');
const given = urlArg > 0 ? process.argv[urlArg + 1] : undefined;
if (!given) startCluster(projectCluster());
// Timings on a shared 2-core machine depend on what else runs: say how busy it was.
const { loadavg, cpus } = await import('node:os');
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
if (given) await bench(new URL(given).pathname.slice(1) || 'database', given);
else {
  const names = process.argv.includes('--synthetic') ? [...dbs, await synthetic()] : dbs;
  for (const name of names) await bench(name).catch((e) => console.log(`${name}: ${(e as Error).message}`));
}
