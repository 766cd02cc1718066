// npm run bench:geocode — address search on a seeded city: for a fixed sample of real addresses
// (seeded random), four ways people type them — as written, lower case without "вул.", a prefix of
// the street name, and the street with one typo — timed through the service (parse + SQL) over a
// warm pool, plus HTTP throughput with autocannon. Prints p50/p95/p99 and how often the building
// meant was the first suggestion. Runs on `misto` and `misto_kyiv` (BENCH_DBS to change).
import autocannon from 'autocannon';
import { projectCluster } from '../server/config.ts';
import { clusterUrl } from '../server/db/cluster.ts';
import { connect, type Db } from '../server/db/db.ts';
import { geocodeRepo } from '../server/geocode/geocode.repo.ts';
import { geocodeService } from '../server/geocode/geocode.service.ts';
import { createServices } from '../server/services.ts';
import { createApp } from '../server/app.ts';
import { serve } from '../tests/helpers/http.ts';

const SAMPLE = Number(process.env.BENCH_GEOCODE_SAMPLE ?? 150);
// `--database-url URL` benches one other database instead (e.g. a copy of the demo city).
const urlArg = process.argv.indexOf('--database-url');
const targets: [label: string, url: string][] = urlArg > 0
  ? [[new URL(process.argv[urlArg + 1]).pathname.slice(1), process.argv[urlArg + 1]]]
  : (process.env.BENCH_DBS ?? 'misto,misto_kyiv').split(',').map((name) => [name, clusterUrl(projectCluster(name))]);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

/** A deterministic typo: two neighbouring letters of the longest word swapped. */
function typo(street: string, i: number): string {
  const words = street.split(' ');
  const w = words.reduce((a, b) => (b.length > a.length ? b : a));
  if (w.length < 5) return street;
  const k = 1 + (i % (w.length - 3));
  const t = w.slice(0, k) + w[k + 1] + w[k] + w.slice(k + 2);
  return words.map((x) => (x === w ? t : x)).join(' ');
}

async function bench(name: string, url: string) {
  const db: Db = connect(url, 4);
  try {
    const n = await db.one<{ b: number; s: number }>('SELECT (SELECT count(*) FROM building)::int AS b, (SELECT count(*) FROM street)::int AS s').catch(() => null);
    if (!n?.b) { console.log(`${name}: not seeded (no buildings), skipped`); return; }
    await db.one('SELECT setseed(0.1580)');
    const sample = await db.any<{ id: number; address: string; street: string; house: string }>(`
      SELECT b.id, b.address, s.name AS street, b.house_number AS house
        FROM building b JOIN street s ON s.id = b.street_id
       ORDER BY md5(b.id::text) LIMIT $1`, [SAMPLE]);
    const svc = geocodeService(geocodeRepo(db));
    const variants: [string, (r: (typeof sample)[number], i: number) => string][] = [
      ['as written', (r) => r.address],
      ['lower case, no kind', (r) => `${r.street.toLowerCase()} ${r.house}`],
      ['street prefix (6 letters)', (r) => `${r.street.toLowerCase().slice(0, 6)} ${r.house}`],
      ['one typo in the street', (r, i) => `${typo(r.street.toLowerCase(), i)} ${r.house}`],
    ];
    console.log(`\n${name}: ${n.b.toLocaleString('en')} buildings, ${n.s.toLocaleString('en')} streets, ${sample.length} addresses × ${variants.length} forms`);
    console.log(`  ${'form'.padEnd(28)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'first hit'.padStart(10)} ${'in top 5'.padStart(9)}`);
    const all: number[] = [];
    for (const [label, make] of variants) {
      for (const [i, r] of sample.slice(0, 10).entries()) await svc.search(make(r, i), 10); // warm
      const xs: number[] = [];
      let first = 0, top5 = 0;
      for (const [i, r] of sample.entries()) {
        const t = performance.now();
        const hits = await svc.search(make(r, i), 10);
        xs.push(performance.now() - t);
        if (hits[0]?.buildingId === r.id) first++;
        if (hits.slice(0, 5).some((h) => h.buildingId === r.id)) top5++;
      }
      all.push(...xs);
      const f = (x: number) => `${x.toFixed(2)} ms`.padStart(9);
      console.log(`  ${label.padEnd(28)} ${f(pct(xs, 50))} ${f(pct(xs, 95))} ${f(pct(xs, 99))} ${`${((100 * first) / sample.length).toFixed(1)} %`.padStart(10)} ${`${((100 * top5) / sample.length).toFixed(1)} %`.padStart(9)}`);
    }
    console.log(`  ${'all forms'.padEnd(28)} ${`${pct(all, 50).toFixed(2)} ms`.padStart(9)} ${`${pct(all, 95).toFixed(2)} ms`.padStart(9)} ${`${pct(all, 99).toFixed(2)} ms`.padStart(9)}`);

    // HTTP: the whole request path (Koa, parsing, SQL, JSON) under load, one query form rotating.
    const srv = await serve(createApp(createServices(db)));
    try {
      const paths = sample.map((r) => `/api/geocode?q=${encodeURIComponent(`${r.street.toLowerCase().slice(0, 8)} ${r.house}`)}`);
      for (const connections of [1, 8]) {
        let k = 0;
        const res = await autocannon({
          url: srv.url, connections, duration: 5,
          requests: [{ setupRequest: (req: { path: string }) => ({ ...req, path: paths[k++ % paths.length] }) }],
        });
        console.log(`  HTTP ${String(connections).padStart(2)} conn: ${res.requests.average.toFixed(0)} req/s, latency p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, errors ${res.errors + res.non2xx}`);
      }
    } finally {
      await srv.close();
    }
  } finally {
    await db.$pool.end();
  }
}

for (const [name, url] of targets) await bench(name, url);
