// npm run bench:open311 — the Open311 GeoReport v2 reads a client makes, over real HTTP on the
// product's app: services, a request, the default requests list (90 days, up to 1,000) in JSON
// and XML, a page of it, a status filter, and servicerequestupdates. Reads only, without an
// api_key, so the database is left exactly as it was. Prints p50/p95/p99, the body size and rows.
// Goal: the full default list (1,000 requests) p95 ≤ 500 ms on kyiv.
import { config, projectCluster } from '../server/config.ts';
import { clusterUrl } from '../server/db/cluster.ts';
import { connect } from '../server/db/db.ts';
import { createServices } from '../server/services.ts';
import { createApp } from '../server/app.ts';
import { pino } from 'pino';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const urlArg = process.argv.indexOf('--database-url');
const given = urlArg > 0 ? process.argv[urlArg + 1] : undefined;
const dbs = given ? [given] : (process.env.BENCH_DBS ?? 'misto,misto_kyiv').split(',');
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function bench(target: string) {
  const isUrl = /^postgres(ql)?:\/\//.test(target);
  const db = connect(isUrl ? target : clusterUrl(projectCluster(target)), 4);
  const name = isUrl ? new URL(target).pathname.slice(1) : target;
  const services = createServices(db, config);
  // Request lines would drown the table.
  const server = createApp(services, { logger: pino({ level: 'silent' }) }).listen(0, '127.0.0.1');
  try {
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/open311/v2`;
    const newest = await db.oneOrNone<{ id: number; at: Date }>('SELECT id::int, created_at AS at FROM appeal ORDER BY created_at DESC LIMIT 1').catch(() => null);
    if (!newest) { console.log(`${name}: no appeals, skipped`); return; }
    const est = await db.one<{ a: number }>(`SELECT greatest(reltuples, 0)::bigint AS a FROM pg_class WHERE oid = 'appeal'::regclass`);
    // The list's window ends at the newest appeal, so a database seeded in the past still fills it.
    const end = encodeURIComponent(newest.at.toISOString());
    const start90 = encodeURIComponent(new Date(newest.at.getTime() - 90 * 86_400_000).toISOString());
    const start1 = encodeURIComponent(new Date(newest.at.getTime() - 86_400_000).toISOString());
    console.log(`\n${name}: ~${Number(est.a).toLocaleString('en')} appeals; ${RUNS} runs each`);
    console.log(`  ${'resource'.padEnd(58)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'bytes'.padStart(9)} rows`);
    const cases: [string, string][] = [
      ['services.json', 'services.json'],
      [`requests/{id}.xml`, `requests/${newest.id}.xml`],
      ['requests.json (90 days before the newest, ≤ 1,000)', `requests.json?start_date=${start90}&end_date=${end}`],
      ['requests.xml (the same)', `requests.xml?start_date=${start90}&end_date=${end}`],
      ['requests.json?status=open&page=3&page_size=50', `requests.json?status=open&page=3&page_size=50&start_date=${start90}&end_date=${end}`],
      ['servicerequestupdates.json (the last day, ≤ 1,000)', `servicerequestupdates.json?start_date=${start1}&end_date=${end}`],
    ];
    for (const [label, path] of cases) {
      const xs: number[] = [];
      let bytes = 0, rows = 0;
      for (let i = 0; i < RUNS + 3; i++) {
        const t = performance.now();
        const res = await fetch(`${base}/${path}`);
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
        if (i >= 3) xs.push(performance.now() - t); // the first three warm the caches
        bytes = text.length;
        rows = path.includes('.json') ? (JSON.parse(text) as unknown[]).length : (text.match(/<request>|<service>/g) ?? []).length;
      }
      const f = (x: number) => `${x.toFixed(1)} ms`.padStart(9);
      console.log(`  ${label.padEnd(58)} ${f(pct(xs, 50))} ${f(pct(xs, 95))} ${f(pct(xs, 99))} ${String(bytes).padStart(9)} ${rows}`);
    }
  } finally {
    await new Promise((r) => server.close(r));
    await services.close();
    await db.$pool.end();
  }
}

for (const target of dbs) {
  await bench(target).catch((e) => { console.log(`${target}: ${(e as Error).message}`); process.exitCode = 1; });
}
