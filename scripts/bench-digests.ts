// npm run bench:digests [-- --database-url URL] — the 07:00 digest (and the 08:00 overdue list) for
// every executor of a city, built and queued in the outbox the way the scheduler runs them, inside a
// transaction that is rolled back: the database is left as it was (its migrations aside, which are
// applied first as the product would on start). Default: the `kyiv` preset (`misto_kyiv` on the
// project's cluster: 10,000,000 appeals). Goal: the 07:00 digest for every executor of the kyiv
// preset built and queued in ≤ 60 s. Prints the time, the mails and their size, and the ratio.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { projectCluster } from '../server/config.ts';
import { clusterUrl, startCluster } from '../server/db/cluster.ts';
import { connectForMaintenance, type Db } from '../server/db/db.ts';
import { migrate } from '../server/db/migrate.ts';
import { jobs } from '../server/jobs/jobs.ts';
import { jobsRepo } from '../server/jobs/jobs.repo.ts';
import { latestSlot } from '../server/jobs/slots.ts';

const { values: args } = parseArgs({ options: { 'database-url': { type: 'string' } } });
const url = args['database-url'] ?? (startCluster(projectCluster()), clusterUrl(projectCluster('misto_kyiv')));
const name = new URL(url).pathname.slice(1);
const db: Db = connectForMaintenance(url, 2);
class Rollback extends Error {}

try {
  const appeals = await db.one<{ n: number }>(`SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = 'appeal'::regclass`).catch(() => null);
  if (!appeals) { console.log(`${name}: not seeded (npm run seed -- --preset kyiv --database-url …) — skipped`); process.exit(0); }
  await migrate(db, undefined, () => {});
  const executors = await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM executor WHERE email IS NOT NULL`);
  // The city's latest morning: the scheduler's clock one second after each slot.
  const morning = latestSlot(['07:00'], new Date());
  console.log(`\n${name}: ~${Number(appeals.n).toLocaleString('en')} appeals, ${executors.n} executors with an address; the 07:00 of ${morning.toISOString()}`);
  console.log('  job       mails   total KB   built and queued');
  let digestMs = NaN;
  for (const [job, times] of [['digest', ['07:00']], ['overdue', ['08:00']]] as [('digest' | 'overdue'), string[]][]) {
    const at = new Date(latestSlot(times, new Date(morning.getTime() + 2 * 3_600_000)).getTime() + 1000);
    const clock = { now: () => at };
    await db.tx('bench-digest', async (t) => {
      const repo = jobsRepo(t as unknown as Db);
      const j = jobs({ repo, clock, instance: 'bench', config: { digestTimes: ['07:00'], overdueTimes: ['08:00'], supervisorEmail: 'supervisor@misto.example', publicUrl: 'https://misto.example' } });
      const started = performance.now();
      const r = await j.runDue(job);
      const ms = performance.now() - started;
      const size = await t.one<{ kb: number }>(`SELECT coalesce(sum(octet_length(text_body) + coalesce(octet_length(html_body), 0)), 0) / 1024.0 AS kb FROM outbox_mail WHERE created_at = $1`, [clock.now()]);
      console.log(`  ${job.padEnd(8)} ${String(r?.mails ?? 0).padStart(6)}  ${Number(size.kb).toFixed(0).padStart(9)}   ${(ms / 1000).toFixed(2).padStart(8)} s${r ? '' : '  (the slot had run already)'}`);
      if (job === 'digest') digestMs = ms;
      throw new Rollback();
    }).catch((e) => { if (!(e instanceof Rollback)) throw e; });
  }
  console.log(`  goal: the 07:00 digest ≤ 60 s: ${digestMs <= 60_000 ? 'met' : 'NOT met'} (ratio ${(digestMs / 60_000).toFixed(3)})`);
} finally {
  await db.$pool.end();
}
