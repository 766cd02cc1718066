// npm run bench:calls — how long GET /api/stats/calls's one statement takes on a big call log, for
// periods of 1, 7, 31 and 366 days, with and without a queue filter, and the plan PostgreSQL picks.
// By default on database `call_stats_bench` of the project's cluster, filled once with a generated
// year of ended calls (BENCH_CALLS, default 500,000; the outcomes in a contact centre's proportions);
// `--database-url URL` benches that database's own call log instead and writes nothing.
// Goal: the 31-day report p95 ≤ 300 ms, the 366-day one ≤ 3 s on 2 shared cores.
import { projectCluster } from '../server/config.ts';
import { clusterUrl, startCluster } from '../server/db/cluster.ts';
import { connect, type Db } from '../server/db/db.ts';
import { migrate } from '../server/db/migrate.ts';
import { callStatsRepo } from '../server/telephony/call-stats.repo.ts';
import { addDays, kyivDay } from '../vocabulary/calendar.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 500_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// The generated year ends the day before this one; fixed, so the data set is the same on every run.
const END = '2026-11-20';

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function generated(): Promise<string> {
  const name = 'call_stats_bench';
  const adminDb = connect(clusterUrl(projectCluster('postgres')), 1);
  if (!(await adminDb.oneOrNone('SELECT 1 FROM pg_database WHERE datname = $1', [name]))) await adminDb.none('CREATE DATABASE $1:name', [name]);
  await adminDb.$pool.end();
  const url = clusterUrl(projectCluster(name));
  const db = connect(url, 1, { statementTimeoutMs: 0 });
  await migrate(db);
  const have = (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM call')).n;
  if (have !== CALLS) {
    console.log(`generating ${CALLS.toLocaleString('en')} calls in ${name} …`);
    await db.tx(async (t) => {
      await t.none('TRUNCATE call CASCADE');
      await t.none(`INSERT INTO app_user (login, full_name, role, password_hash)
                    SELECT 'bench-op-' || i, 'Оператор ' || i, 'operator', 'x' FROM generate_series(1, 40) i
                    ON CONFLICT (login) DO NOTHING`);
      await t.one('SELECT setseed(0.42)');
      // Calls from 06:00 to 23:00 Kyiv time, busiest in the afternoon; outcomes, waits and talk from fixed shares.
      await t.none(`
        WITH ops AS (SELECT array_agg(id ORDER BY id) AS ids FROM app_user WHERE login LIKE 'bench-op-%'),
        raw AS (
          SELECT i, ((($2::date - 365) + (i::bigint * 365 / $1)::int)::timestamp AT TIME ZONE 'Europe/Kyiv')
                   + interval '6 hours' + (random() + random() + random()) / 3 * interval '17 hours' AS entered,
                 random() AS r, random() AS r2, random() AS r3
            FROM generate_series(0, $1 - 1) i
        ), x AS (
          SELECT i, entered, r2, r3,
                 CASE WHEN r < 0.75 THEN 'answered' WHEN r < 0.83 THEN 'abandoned_queue' WHEN r < 0.86 THEN 'abandoned_ringing'
                      WHEN r < 0.90 THEN 'no_operators' WHEN r < 0.91 THEN 'queue_timeout' WHEN r < 0.915 THEN 'queue_full'
                      WHEN r < 0.925 THEN 'unanswered' WHEN r < 0.93 THEN 'lost' ELSE 'ended_before_queue' END AS outcome
            FROM raw
        )
        INSERT INTO call (uniqueid, linkedid, channel, caller_phone, called_number, queue, operator_id, agent_interface,
                          entered_at, queued_at, answered_at, hungup_at, hangup_cause, outcome, consultation)
        SELECT 'b' || i, 'b' || i, 'PJSIP/trunk-' || lpad(to_hex(i), 8, '0'), '+38067' || lpad((i::bigint * 7919 % 10000000)::text, 7, '0'), '1580',
               CASE WHEN x.outcome = 'ended_before_queue' THEN NULL WHEN r2 < 0.7 THEN '1580' WHEN r2 < 0.95 THEN 'social' ELSE 'housing' END,
               CASE WHEN x.outcome IN ('answered', 'abandoned_ringing', 'unanswered') THEN ops.ids[1 + (i % 40)] END,
               CASE WHEN x.outcome IN ('answered', 'abandoned_ringing', 'unanswered') THEN 'PJSIP/' || (101 + i % 40) END,
               entered,
               CASE WHEN x.outcome <> 'ended_before_queue' THEN entered + interval '25 seconds' END,
               CASE WHEN x.outcome = 'answered' THEN entered + interval '25 seconds' + r3 * interval '60 seconds' END,
               entered + interval '25 seconds' + r3 * interval '60 seconds' + CASE WHEN x.outcome = 'answered' THEN r2 * interval '400 seconds' ELSE interval '0' END,
               16, x.outcome, x.outcome = 'answered' AND r3 < 0.3
          FROM x, ops`, [CALLS, END]);
    });
    await db.none('VACUUM ANALYZE call');
  }
  await db.$pool.end();
  return url;
}

async function bench(url: string) {
  const db = connect(url, 2, { statementTimeoutMs: 0 });
  try {
    const n = (await db.one<{ n: number; from: Date | null; to: Date | null }>('SELECT count(*)::int AS n, min(entered_at) AS from, max(entered_at) AS to FROM call WHERE hungup_at IS NOT NULL'));
    if (!n.n || !n.to) { console.log('no ended calls: nothing to bench'); return; }
    const last = kyivDay(n.to);
    console.log(`${n.n.toLocaleString('en')} ended calls, ${kyivDay(n.from!)} … ${last}; ${RUNS} runs per case`);
    const repo = callStatsRepo(db);
    console.log('  days  filter        calls     p50 ms     p95 ms');
    for (const days of [1, 7, 31, 366]) {
      for (const queue of [null, '1580']) {
        const f = { from: addDays(last, 1 - days), to: last, queue };
        await repo.breakdown(f);
        const times: number[] = [];
        let offered = 0;
        for (let i = 0; i < RUNS; i++) {
          const t0 = performance.now();
          const rows = await repo.breakdown(f);
          times.push(performance.now() - t0);
          const total = rows.find((r) => r.dim === 'total');
          offered = (total?.offered ?? 0) + (total?.endedBeforeQueue ?? 0);
        }
        console.log(`  ${String(days).padStart(4)}  ${(queue ? `queue ${queue}` : 'none').padEnd(12)} ${String(offered).padStart(7)} ${pct(times, 50).toFixed(1).padStart(10)} ${pct(times, 95).toFixed(1).padStart(10)}`);
        if (!queue && (days === 31 || days === 366)) {
          const goal = days === 31 ? 300 : 3000;
          console.log(`        goal p95 ≤ ${goal} ms: ${pct(times, 95) <= goal ? 'met' : 'NOT met'} (ratio ${(pct(times, 95) / goal).toFixed(2)})`);
        }
      }
    }
    // The plan of the month's report: which index, whether the heap is read, how the sets are grouped.
    const f = { from: addDays(last, -30), to: last };
    const sql = repo.breakdownSql(f);
    const plan = await db.map<string>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [], (r: Record<string, string>) => r['QUERY PLAN']);
    console.log(`\n  EXPLAIN (ANALYZE, BUFFERS), 31 days, no filter:\n${plan.map((l) => `    ${l}`).join('\n')}`);
  } finally {
    await db.$pool.end();
  }
}

const urlArg = process.argv.indexOf('--database-url');
const given = urlArg > 0 ? process.argv[urlArg + 1] : undefined;
if (!given) startCluster(projectCluster());
const { loadavg, cpus } = await import('node:os');
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
await bench(given ?? (await generated()));
