// npm run bench:surveys [-- --database-url URL] — survey calls at their channel limit.
// BENCH_APPEALS (5,000) appeals of the demo city are marked done at once (one transaction, the
// status events the appeals service writes; open ones first, then settled ones reopened); the product's survey scheduler, with
// BENCH_CHANNELS (8) outbound channels, dials them all through the real AMI client to the PBX
// simulator, whose residents answer after BENCH_ANSWER_MS (300) and press 1, then 5.
// Figures: surveys originated per minute against the theoretical rate (channels × 60 s / the mean
// holding time of a channel, measured), the most channels on the line at once (counted from the
// simulator's own Newchannel/Hangup, never > channels), and lost (a survey not over, an appeal not
// closed) or doubled (a number dialled twice) surveys. Goal: ≥ 95 % of the theoretical rate, 0 and 0.
//
// By default on database `surveys_bench` of the project's cluster (PG_PORT), seeded once with the
// demo city; `--database-url URL` runs on that database instead — it WRITES there (appeals move to
// done and then closed, surveys are added): give it a copy.
import { performance } from 'node:perf_hooks';
import { config, projectCluster } from '../server/config.ts';
import { clusterUrl, startCluster } from '../server/db/cluster.ts';
import { connect, type Db } from '../server/db/db.ts';
import { migrate } from '../server/db/migrate.ts';
import { systemClock } from '../server/clock.ts';
import { createServices } from '../server/services.ts';
import { AmiSimulator } from '../server/telephony/simulator/ami-simulator.ts';
import { isCityEmpty, seedCity } from '../gis-data/generator/load.ts';
import { Progress } from '../gis-data/progress.ts';
import { dialledNumber } from '../vocabulary/surveys.ts';

const APPEALS = Number(process.env.BENCH_APPEALS ?? 5000);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 8);
const ANSWER_MS = Number(process.env.BENCH_ANSWER_MS ?? 300);
const clock = systemClock;

async function benchDatabase(): Promise<string> {
  const urlArg = process.argv.indexOf('--database-url');
  if (urlArg > 0) return process.argv[urlArg + 1];
  const name = 'surveys_bench';
  startCluster(projectCluster('postgres'));
  const admin = connect(clusterUrl(projectCluster('postgres')), 1);
  if (!(await admin.oneOrNone('SELECT 1 FROM pg_database WHERE datname = $1', [name]))) await admin.none('CREATE DATABASE $1:name', [name]);
  await admin.$pool.end();
  const url = clusterUrl(projectCluster(name));
  const db = connect(url, 2, { statementTimeoutMs: 0 });
  await migrate(db);
  if (await isCityEmpty(db)) {
    console.log(`seeding the demo city into ${name} …`);
    await seedCity(db, { preset: 'default', now: clock.now(), progress: new Progress(undefined, false) });
  }
  await db.$pool.end();
  return url;
}

/**
 * Marks BENCH_APPEALS appeals done at one instant, as the appeals service does: open ones with a
 * caller's number first; when the city has fewer (an earlier run closed them), settled ones are
 * taken too, and an appeal without a number gets a generated one. Bench data only.
 */
async function markDone(db: Db) {
  const now = clock.now();
  return db.tx(async (t) => {
    const ids = await t.map(`
      SELECT a.id FROM appeal a JOIN category c ON c.id = a.category_id AND c.survey
       WHERE a.status <> 'done'
       ORDER BY a.status NOT IN ('new', 'in_progress', 'planned'), a.caller_phone IS NULL, a.id LIMIT $1`, [APPEALS], (r: { id: string }) => Number(r.id));
    // Residents who opted out would be skipped, not dialled: the bench wants every one dialled.
    await t.none(`UPDATE resident SET no_robocalls = false WHERE no_robocalls`);
    await t.none(`
      WITH a AS (SELECT id, status FROM appeal WHERE id = ANY($1::bigint[]) FOR UPDATE),
      u AS (UPDATE appeal SET status = 'done', done_at = $2, updated_at = $2, closed_at = NULL, answer = coalesce(answer, 'Виконано'),
                   caller_phone = coalesce(caller_phone, '+38063' || lpad((id % 10000000)::text, 7, '0'))
             WHERE id = ANY($1::bigint[]))
      INSERT INTO appeal_event (appeal_id, at, kind, data) SELECT id, $2, 'status', jsonb_build_object('from', status, 'to', 'done') FROM a`, [ids, now]);
    return ids;
  });
}

async function main() {
  const url = await benchDatabase();
  const db = connect(url, 20, { statementTimeoutMs: 0 });
  // Surveys of an earlier run on the same appeals are not this run's: counted from this instant.
  const since = clock.now();
  const ids = await markDone(db);
  if (ids.length < APPEALS) console.log(`only ${ids.length} appeals of categories with surveys`);
  const numbers = new Map<string, number>();
  let live = 0, maxLive = 0;
  const sim = new AmiSimulator({
    users: { misto: 'bench' },
    originate: (r) => {
      const n = /^PJSIP\/([^@]+)@/.exec(r.channel)?.[1] ?? r.channel;
      numbers.set(n, (numbers.get(n) ?? 0) + 1);
      return { result: 'answer', delayMs: ANSWER_MS, digits: ['1', '5'] };
    },
    timing: { surveyWaitMs: 20, keyDelayMs: 60, thanksPromptMs: 30, readTimeoutMs: 500 },
    onSend: (event, h) => {
      const ch = h.find(([k]) => k === 'Channel')?.[1] ?? '';
      if (!ch.startsWith('PJSIP/city-trunk')) return;
      if (event === 'Newchannel') { live++; if (live > maxLive) maxLive = live; }
      else if (event === 'Hangup') live--;
    },
  });
  await sim.start(0, '127.0.0.1');
  const services = createServices(db, {
    ...config, ami: { ...config.ami, host: '127.0.0.1', port: sim.port, user: 'misto', secret: 'bench', record: 'off' },
  }, { clock });
  await services.telephony.start({ log: () => {} });
  for (let i = 0; i < 200 && !services.telephony.status().connected; i++) await new Promise((r) => setTimeout(r, 25));
  const scheduler = services.surveys.scheduler(services.telephony, {
    settings: { channels: CHANNELS, delayMinutes: 0, hours: { from: 0, to: 24 * 60 }, tickMs: 250 }, log: (m) => console.error(`[surveys] ${m}`),
  });
  let ended = 0;
  const total = ids.length;
  const done = new Promise<void>((resolve) => scheduler.onEnded(() => { if (++ended >= total) resolve(); }));
  console.log(`${total} appeals marked done; ${CHANNELS} channels, the resident answers after ${ANSWER_MS} ms and presses 1, 5`);
  const t0 = performance.now();
  scheduler.start();
  await scheduler.tick();
  const timer = setInterval(() => process.stderr.write(`\r  ${ended}/${total} calls ended, ${live} on the line   `), 1000);
  await done;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  process.stderr.write('\n');
  await scheduler.stop();
  await services.telephony.stop();
  await sim.stop();

  const r = await db.one<{ surveys: number; over: number; attempts: number; closed: number; hold: number }>(`
    WITH s AS (SELECT * FROM survey WHERE appeal_id = ANY($1::bigint[]) AND created_at >= $2),
         t AS (SELECT t.* FROM survey_attempt t JOIN s ON s.id = t.survey_id)
    SELECT (SELECT count(*) FROM s)::int AS surveys,
           (SELECT count(*) FROM s WHERE state = 'over' AND result = 'confirmed')::int AS over,
           (SELECT count(*) FROM t)::int AS attempts,
           (SELECT count(*) FROM appeal WHERE id = ANY($1::bigint[]) AND status = 'closed')::int AS closed,
           (SELECT avg(extract(epoch FROM t.ended_at - t.started_at)) FROM t)::float8 AS hold`, [ids, since]);
  const perMinute = (total / seconds) * 60;
  const theoretical = (CHANNELS * 60) / r.hold;
  // A number two of these appeals share is rightly dialled twice.
  const expected = new Map<string, number>();
  for (const { phone } of await db.any<{ phone: string }>('SELECT caller_phone AS phone FROM appeal WHERE id = ANY($1::bigint[])', [ids])) {
    const n = dialledNumber(phone);
    expected.set(n, (expected.get(n) ?? 0) + 1);
  }
  const doubled = [...numbers].filter(([n, k]) => k > (expected.get(n) ?? 0)).length + Math.max(0, r.attempts - r.surveys);
  const lost = total - r.over + (total - r.closed);
  console.log(`surveys originated       ${total} in ${seconds.toFixed(1)} s`);
  console.log(`per minute               ${perMinute.toFixed(0)}  (theoretical ${theoretical.toFixed(0)} = ${CHANNELS} channels × 60 s / ${r.hold.toFixed(2)} s mean holding time)`);
  console.log(`ratio                    ${(100 * perMinute / theoretical).toFixed(1)} %   (goal ≥ 95 %)`);
  console.log(`max channels at once     ${maxLive}   (limit ${CHANNELS})`);
  console.log(`surveys / attempts       ${r.surveys} / ${r.attempts}`);
  console.log(`lost                     ${lost}   (a survey not confirmed, an appeal not closed)`);
  console.log(`doubled                  ${doubled}   (a number dialled more than once)`);
  await db.$pool.end();
  if (maxLive > CHANNELS || lost || doubled) process.exitCode = 1;
}

await main();
