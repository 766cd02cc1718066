// npm run bench:maps — the planners' maps on a demo city: hexagons (two cell sizes) and districts
// from the rollups against the naive scan of appeals they replace (p50/p95 and the ratio), hotspots
// from the kept sets against linking every appeal anew, calls inside announcements from their kept
// counts against the scan, for periods of 31 and 366 Kyiv days ending on the last day with appeals.
// Checks on the way that the rollups and counts equal the scans.
// `--database-url URL` benches that database (read only); without it, database `maps_bench` of the
// project's cluster is seeded once with the default demo preset. `--trigger-cost` then also times
// inserts with and without the triggers of migration 133 (rolled back; see benchTriggerCost).
import { pathToFileURL } from 'node:url';
import { projectCluster } from '../server/config.ts';
import { clusterUrl, startCluster } from '../server/db/cluster.ts';
import { connect } from '../server/db/db.ts';
import { migrate } from '../server/db/migrate.ts';
import { seedCity } from '../gis-data/generator/load.ts';
import { Progress } from '../gis-data/progress.ts';
import { planningRepo, type Period } from '../server/planning/planning.repo.ts';
import { planningService } from '../server/planning/planning.service.ts';
import { hotspotSets } from '../server/planning/hotspot-sets.ts';
import { ANNOUNCEMENT_CALLS_LISTED, HOTSPOT_LIMIT, MAP_HEX_SIZES } from '../vocabulary/planning.ts';
import { addDays, kyivDay } from '../vocabulary/calendar.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const NAIVE_RUNS = Number(process.env.BENCH_NAIVE_RUNS ?? 5);

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function time(runs: number, fn: () => Promise<unknown>) {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); await fn(); xs.push(performance.now() - t0); }
  return { p50: pct(xs, 50), p95: pct(xs, 95) };
}

async function seeded(): Promise<string> {
  const name = 'maps_bench';
  const adminDb = connect(clusterUrl(projectCluster('postgres')), 1);
  const fresh = !(await adminDb.oneOrNone('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
  if (fresh) await adminDb.none('CREATE DATABASE $1:name', [name]);
  await adminDb.$pool.end();
  const url = clusterUrl(projectCluster(name));
  const db = connect(url, 4, { statementTimeoutMs: 0 });
  await migrate(db);
  if ((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM appeal')).n === 0) {
    console.log(`seeding the default demo preset into ${name} …`);
    await seedCity(db, { preset: 'default', seed: '1580', now: new Date('2026-11-20T10:00:00Z'), progress: new Progress(undefined, false) });
    await db.none('VACUUM ANALYZE');
  }
  await db.$pool.end();
  return url;
}

/** The maps' endpoints on `url`; also the second half of `npm run bench:analytics`. */
export async function benchMaps(url: string) {
  const db = connect(url, 2, { statementTimeoutMs: 0 });
  try {
    const repo = planningRepo(db);
    const r = await db.one<{ n: number; last: Date | null; rollup: number; top: number | null; sphere: number | null }>(`
      SELECT (SELECT count(*)::int FROM appeal) AS n, (SELECT max(created_at) FROM appeal) AS last,
             (SELECT count(*)::int FROM appeal_hex_day) AS rollup,
             (SELECT category_id FROM appeal GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) AS top,
             (SELECT c.sphere_id FROM appeal_district_day d JOIN category c ON c.id = d.category_id GROUP BY 1 ORDER BY sum(d.appeals) DESC LIMIT 1) AS sphere`);
    if (!r.n || !r.last) { console.log('no appeals: nothing to bench'); return; }
    const last = kyivDay(r.last);
    console.log(`${r.n.toLocaleString('en')} appeals up to ${last}; ${r.rollup.toLocaleString('en')} hexagon rollup rows; ${RUNS} runs (naive ${NAIVE_RUNS})`);
    console.log('  days  endpoint                         p50 ms   p95 ms   naive p95   ratio');
    // BENCH_NAIVE_RUNS=0 skips the scans (minutes each on a Kyiv-size city).
    const naive = (fn: () => Promise<unknown>) => (NAIVE_RUNS > 0 ? time(NAIVE_RUNS, fn) : Promise.resolve(undefined));
    const service = planningService(repo);
    const line = (days: number, what: string, t: { p50: number; p95: number }, naive?: { p95: number }) =>
      console.log(`  ${String(days).padStart(4)}  ${what.padEnd(30)} ${t.p50.toFixed(1).padStart(8)} ${t.p95.toFixed(1).padStart(8)}`
        + (naive ? ` ${naive.p95.toFixed(1).padStart(11)} ${(naive.p95 / Math.max(t.p95, 0.01)).toFixed(1).padStart(6)}×` : ''));
    // What the kept sets save: reading every appeal's place and linking them anew (hotspot-sets.ts),
    // the least a per-request clustering costs, whatever the period.
    const naiveHotspots = r.n <= 3_000_000 ? await naive(async () => hotspotSets(await repo.hotspotInput())) : undefined;
    if (!naiveHotspots) console.log('  (hotspots from the raw table: skipped above 3,000,000 appeals — it reads them all into memory)');
    for (const days of [31, 366]) {
      const p: Period = { from: addDays(last, 1 - days), to: last };
      for (const size of MAP_HEX_SIZES) {
        const compare = NAIVE_RUNS > 0 && (size === 250 || size === 1000);
        if (compare) {
          const fast = (await repo.hexagons(p, size)).map(({ i, j, appeals }) => `${i},${j},${appeals}`).join(';');
          const slow = (await repo.naiveHexagons(p, size)).map(({ i, j, appeals }) => `${i},${j},${appeals}`).join(';');
          if (fast !== slow) console.log(`  !! hexagons ${size}: the rollup differs from the scan`);
        }
        // As the endpoint answers: cells with their outlines.
        line(days, `hexagons size ${size}`, await time(RUNS, () => service.hexagons(p, size)), compare ? await naive(() => repo.naiveHexagons(p, size)) : undefined);
      }
      line(days, `hexagons ${1000}, one category`, await time(RUNS, () => service.hexagons({ ...p, category: r.top! }, 1000)),
        await naive(() => repo.naiveHexagons({ ...p, category: r.top! }, 1000)));
      line(days, `hexagons ${1000}, one sphere`, await time(RUNS, () => service.hexagons({ ...p, sphere: r.sphere! }, 1000)),
        await naive(() => repo.naiveHexagons({ ...p, sphere: r.sphere! }, 1000)));
      line(days, 'districts', await time(RUNS, () => repo.districts(p)), await naive(() => repo.naiveDistricts(p)));
      line(days, 'hotspots, all categories', await time(RUNS, () => repo.hotspots(p, { min: 3, limit: HOTSPOT_LIMIT })), naiveHotspots);
      line(days, 'hotspots, one category', await time(RUNS, () => repo.hotspots({ ...p, category: r.top! }, { min: 3, limit: HOTSPOT_LIMIT })));
      const calls = (rows: { announcementId: number; calls: number; appeals: number }[]) => rows.map((a) => `${a.announcementId},${a.calls},${a.appeals}`).join(';');
      if (NAIVE_RUNS > 0 && calls(await repo.announcementCalls(p)) !== calls(await repo.naiveAnnouncementCalls(p))) console.log('  !! announcement-calls: the kept counts differ from the scan');
      // As the page asks: every announcement counted, the listed ones with their outlines.
      line(days, 'announcement-calls', await time(RUNS, () => repo.announcementCalls(p, { zones: ANNOUNCEMENT_CALLS_LISTED })), await naive(() => repo.naiveAnnouncementCalls(p)));
    }
    const now = r.last;
    const start = await repo.dayStart(kyivDay(now));
    line(1, 'live: appeals today + outages', await time(RUNS, () => Promise.all([repo.appealsToday(start, now, 5), repo.activeOutages(now)])));
  } finally {
    await db.$pool.end();
  }
}

/**
 * `--trigger-cost`: the price of migration 133's triggers — 10,000 calls and 10,000 appeals copied
 * from existing ones and inserted with and without them, each in a transaction rolled back (it
 * writes nothing, but holds the tables' locks for its seconds: not on a database in use).
 */
export async function benchTriggerCost(url: string, n = 10_000) {
  const db = connect(url, 1, { statementTimeoutMs: 0 });
  const cases = [
    ['calls', 'call', ['announcement_hits_call'], `
      INSERT INTO call (uniqueid, direction, caller_phone, resident_id, entered_at)
      SELECT 'bench-' || id, 'in', caller_phone, resident_id, entered_at FROM call WHERE id % 7 = 3 ORDER BY id LIMIT $1`],
    ['appeals', 'appeal', ['announcement_hits_appeal'], `
      INSERT INTO appeal (number, channel, caller_phone, resident_id, building_id, point, category_id, executor_id, text, status, due_at, created_at)
      SELECT 'bench/' || id, channel, caller_phone, resident_id, building_id, point, category_id, executor_id, text, status, due_at, created_at
        FROM appeal WHERE id % 7 = 3 ORDER BY id LIMIT $1`],
  ] as const;
  const once = (table: string, off: readonly string[], sql: string) => db.tx(async (t) => {
    for (const tg of off) await t.none(`ALTER TABLE ${table} DISABLE TRIGGER ${tg}`);
    const t0 = performance.now();
    const r = await t.result(sql, [n]);
    const ms = performance.now() - t0;
    throw Object.assign(new Error('rollback'), { ms, rows: r.rowCount });
  }).catch((e: { ms?: number; rows?: number }) => { if (e.ms === undefined) throw e; return { ms: e.ms, rows: e.rows ?? 0 }; });
  try {
    console.log(`  triggers of migration 133: ${n.toLocaleString('en')} rows inserted, median of 3, rolled back`);
    for (const [what, table, triggers, sql] of cases) {
      const med = async (off: readonly string[]) => { const xs: number[] = []; let rows = 0; for (let k = 0; k < 3; k++) { const r = await once(table, off, sql); xs.push(r.ms); rows = r.rows; } return { ms: pct(xs, 50), rows }; };
      const on = await med([]), off = await med(triggers);
      console.log(`  ${what.padEnd(8)} ${on.rows} rows: ${on.ms.toFixed(0)} ms with, ${off.ms.toFixed(0)} ms without — ${((on.ms - off.ms) * 1000 / Math.max(on.rows, 1)).toFixed(0)} µs a row`);
    }
  } finally {
    await db.$pool.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const urlArg = process.argv.indexOf('--database-url');
  const given = urlArg > 0 ? process.argv[urlArg + 1] : undefined;
  if (!given) startCluster(projectCluster());
  const { loadavg, cpus } = await import('node:os');
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
  const url = given ?? (await seeded());
  await benchMaps(url);
  if (process.argv.includes('--trigger-cost')) await benchTriggerCost(url);
}
