// npm run bench:analytics — p50/p95 of every appeal statistics endpoint (report 2, top-10s,
// ratings) over one year, as the service answers them from the rollups, and the ratio to the naive
// GROUP BY over the raw appeal table for the same period. `--database-url URL` benches that
// database (e.g. the kyiv preset's 10,000,000 appeals) and writes nothing; without it the project
// cluster's `misto` database (the default preset). Goal: every endpoint's p95 ≤ 200 ms.
// To bench another endpoint add a row to ENDPOINTS: a name, the call, and the naive key to compare with.
// The planners' maps follow on the same database (scripts/bench-analytics-maps.ts).
import { projectCluster } from '../server/config.ts';
import { clusterUrl, startCluster } from '../server/db/cluster.ts';
import { connect } from '../server/db/db.ts';
import { appealStatsRepo, type NaiveKey } from '../server/stats/appeal-stats.repo.ts';
import { appealStatsService, type AppealStatsService, type Filter } from '../server/stats/appeal-stats.service.ts';
import { manualClock } from '../server/clock.ts';
import { addDays, kyivDay } from '../vocabulary/calendar.ts';
import { DEFAULT_WEIGHTS } from '../vocabulary/appeal-stats.ts';
import { benchMaps } from './bench-analytics-maps.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const NAIVE_RUNS = Number(process.env.BENCH_NAIVE_RUNS ?? 2);
const GOAL_MS = 200;

interface Endpoint { name: string; run: (s: AppealStatsService, f: Filter) => Promise<unknown>; naive: NaiveKey }
const ENDPOINTS: Endpoint[] = [
  { name: 'appeals  group=month by=sphere', run: (s, f) => s.appeals(f, 'month', 'sphere'), naive: 'sphereMonth' },
  { name: 'appeals  group=none by=category', run: (s, f) => s.appeals(f, 'none', 'category'), naive: 'sphereMonth' },
  { name: 'appeals  group=week sphere=1', run: (s, f) => s.appeals({ ...f, sphere: 1 }, 'week', 'category'), naive: 'sphereMonth' },
  { name: 'appeals  group=day by=sphere', run: (s, f) => s.appeals(f, 'day', 'sphere'), naive: 'sphereMonth' },
  { name: 'appeals  group=day district=1', run: (s, f) => s.appeals({ ...f, district: 1 }, 'day', 'sphere'), naive: 'sphereMonth' },
  { name: 'appeals  group=week executor=1', run: (s, f) => s.appeals({ ...f, executor: 1 }, 'week', 'category'), naive: 'sphereMonth' },
  { name: 'appeals  month district=1 channel=phone', run: (s, f) => s.appeals({ ...f, district: 1, channel: 'phone' }, 'month', 'sphere'), naive: 'sphereMonth' },
  { name: 'top      (spheres, issues × district, months)', run: (s, f) => s.top(f), naive: 'categoryDistrict' },
  { name: 'ratings  of=executor', run: (s, f) => s.ratings(f, 'executor', DEFAULT_WEIGHTS), naive: 'executor' },
  { name: 'ratings  of=district', run: (s, f) => s.ratings(f, 'district', DEFAULT_WEIGHTS), naive: 'district' },
  { name: 'ratings  of=housing_office', run: (s, f) => s.ratings(f, 'housing_office', DEFAULT_WEIGHTS), naive: 'executor' },
];

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
async function timed(n: number, fn: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); await fn(); times.push(performance.now() - t0); }
  return times;
}

async function bench(url: string) {
  const db = connect(url, 4, { statementTimeoutMs: 0 });
  try {
    const span = await db.one<{ n: number; last: Date | null }>('SELECT count(*)::bigint AS n, max(created_at) AS last FROM appeal');
    if (!span.last) { console.log('no appeals: nothing to bench'); return; }
    const to = kyivDay(span.last), from = addDays(to, -364);
    const now = new Date(span.last.getTime() + 3_600_000);
    const repo = appealStatsRepo(db);
    const s = appealStatsService(repo, manualClock(now));
    const rollup = await db.one<{ days: number; months: number; open: number }>(
      'SELECT (SELECT count(*) FROM appeal_stat_day)::int AS days, (SELECT count(*) FROM appeal_stat_month)::int AS months, (SELECT count(*) FROM appeal_stat_open)::int AS open');
    console.log(`${Number(span.n).toLocaleString('en')} appeals; period ${from} … ${to} (one year); rollup rows: ${rollup.days.toLocaleString('en')} day, ${rollup.months.toLocaleString('en')} month, ${rollup.open.toLocaleString('en')} open`);
    console.log(`${RUNS} runs per endpoint (after one warm-up), the naive GROUP BY ${NAIVE_RUNS} runs each\n`);
    console.log(`  ${'endpoint'.padEnd(46)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'naive p50 ms'.padStart(13)} ${'× faster'.padStart(9)}  goal p95 ≤ ${GOAL_MS} ms`);
    const naive = new Map<NaiveKey, number>();
    let met = true;
    for (const e of ENDPOINTS) {
      const f: Filter = { from, to };
      await e.run(s, f);
      const t = await timed(RUNS, () => e.run(s, f));
      if (!naive.has(e.naive)) naive.set(e.naive, pct(await timed(NAIVE_RUNS, () => repo.naive({ from, to, now }, e.naive)), 50));
      const p95 = pct(t, 95), base = naive.get(e.naive)!;
      met &&= p95 <= GOAL_MS;
      console.log(`  ${e.name.padEnd(46)} ${pct(t, 50).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${base.toFixed(0).padStart(13)} ${(base / pct(t, 50)).toFixed(0).padStart(9)}  ${p95 <= GOAL_MS ? 'met' : 'NOT met'}`);
    }
    console.log(`\n  every endpoint p95 ≤ ${GOAL_MS} ms: ${met ? 'met' : 'NOT met'}`);
  } finally {
    await db.$pool.end();
  }
}

const urlArg = process.argv.indexOf('--database-url');
const given = urlArg > 0 ? process.argv[urlArg + 1] : undefined;
if (!given) startCluster(projectCluster());
const { loadavg, cpus } = await import('node:os');
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
const url = given ?? clusterUrl(projectCluster('misto'));
await bench(url);
console.log('\nthe planners\' maps:');
await benchMaps(url);
