// npm run bench:appeals — the desk's database work on a seeded city: registering an appeal (the one
// transaction: catalogue rule, number, appeal, events), the catalogue's suggestion shown while the
// operator types, and the lists beside the form and in the executor's portal. Runs on the demo city
// (`misto`) and the Kyiv preset (`misto_kyiv`) inside a transaction that is rolled back, and puts the
// number sequence back, so the databases are left as they were. Prints p50/p95/p99 per operation.
// Goal: registration p99 ≤ 50 ms on kyiv (an operator must never wait on the database).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { config, root, projectCluster } from '../server/config.ts';
import { systemClock } from '../server/clock.ts';
import { clusterUrl, startCluster } from '../server/db/cluster.ts';
import { connect, type Db } from '../server/db/db.ts';
import { catalogueRepo } from '../server/catalogue/catalogue.repo.ts';
import { catalogueService } from '../server/catalogue/catalogue.service.ts';
import { createRepos } from '../server/services.ts';
import { parse } from '../server/http/input.ts';
import { ListQuery, RegisterBody } from '../server/appeals/appeals.input.ts';
import { appealsService } from '../server/appeals/appeals.service.ts';
import type { User } from '../vocabulary/roles.ts';

const PENDING = ['040_appeals_desk.sql', '041_appeals_executor_index.sql', '042_appeals_status_index.sql'];
const N = Number(process.env.BENCH_APPEALS ?? 400);
// `--database-url URL` benches that database only; BENCH_DBS names databases of the project's cluster.
const urlArg = process.argv.indexOf('--database-url');
const given = urlArg > 0 ? process.argv[urlArg + 1] : undefined;
const dbs = given ? [given] : (process.env.BENCH_DBS ?? 'misto,misto_kyiv').split(',');
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
class Rollback extends Error {}

async function timeIt(label: string, runs: number, fn: (i: number) => Promise<unknown>, rows: string[]) {
  for (let i = 0; i < Math.min(20, runs); i++) await fn(i); // warm
  const xs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn(i);
    xs.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  const f = (x: number) => `${x.toFixed(2)} ms`.padStart(10);
  rows.push(`  ${label.padEnd(34)} ${String(runs).padStart(5)} ${f(pct(xs, 50))} ${f(pct(xs, 95))} ${f(pct(xs, 99))} ${(runs / (total / 1000)).toFixed(0).padStart(7)}/s`);
  return pct(xs, 99);
}

async function bench(target: string) {
  const isUrl = /^postgres(ql)?:\/\//.test(target);
  const db = connect(isUrl ? target : clusterUrl(projectCluster(target)), 2);
  // A URL is named by its database: its password stays off the screen.
  const name = isUrl ? new URL(target).pathname.slice(1) : target;
  try {
    const counts = await db.one<{ b: number; c: number }>('SELECT (SELECT count(*) FROM building)::int AS b, (SELECT count(*) FROM category WHERE active)::int AS c').catch(() => null);
    if (!counts?.b || !counts.c) { console.log(`${name}: not seeded (no buildings or categories), skipped`); return; }
    const est = await db.one<{ r: number; a: number }>(`SELECT (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'resident'::regclass) AS r,
      (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'appeal'::regclass) AS a`);
    console.log(`\n${name}: ${counts.b.toLocaleString('en')} buildings, ~${est.r.toLocaleString('en')} residents, ~${est.a.toLocaleString('en')} appeals, ${counts.c} categories`);
    const residents = await db.any<{ id: number; buildingId: number }>(
      `SELECT id, building_id AS "buildingId" FROM resident TABLESAMPLE SYSTEM (1) WHERE building_id IS NOT NULL LIMIT $1`, [N]);
    const categories = await db.map(`SELECT id FROM category WHERE active ORDER BY id`, [], (r: { id: number }) => r.id);
    const objects = await db.any<{ id: number }>(`SELECT id FROM infra_object TABLESAMPLE SYSTEM (10) LIMIT 200`);
    const operator = await db.oneOrNone<{ id: number }>(`SELECT id FROM app_user WHERE role IN ('operator', 'admin') ORDER BY id LIMIT 1`);
    const busiest = await db.oneOrNone<{ executorId: number }>(`SELECT executor_id AS "executorId" FROM appeal GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const user: User = { id: operator?.id ?? 0, login: 'bench', fullName: 'Bench', role: 'admin', executorId: null, sipInterface: null };
    if (!residents.length) { console.log(`${name}: no residents sampled, skipped`); return; }
    const seq = await db.one<{ last: number; called: boolean }>('SELECT last_value AS last, is_called AS called FROM appeal_number_seq');

    const rows: string[] = [];
    let p99 = 0;
    await db.tx(async (t) => {
      // This branch's own pending migrations, inside the rolled-back transaction (kyiv stays read-only).
      for (const file of PENDING) {
        const version = parseInt(file, 10);
        if (await t.oneOrNone('SELECT 1 FROM schema_migration WHERE version = $1', [version])) continue;
        const s0 = performance.now();
        await t.none(readFileSync(join(root, 'migrations', file), 'utf8'));
        console.log(`  (applied ${file} inside the transaction: ${((performance.now() - s0) / 1000).toFixed(1)} s)`);
      }
      const catalogue = catalogueService(catalogueRepo(db), systemClock);
      // Every repository on the rolled-back transaction; the catalogue is read-only (and listens).
      const repos = createRepos(t as unknown as Db);
      const appeals = appealsService({
        appeals: repos.appeals, residents: repos.residents, city: repos.city, objects: repos.objects, calls: repos.telephony,
        catalogue, clock: systemClock, numberPrefix: config.appealNumberPrefix,
      });
      const input = (categoryId: number, where: { residentId?: number; infraObjectId?: number }, text: string) =>
        parse(RegisterBody, { categoryId, ...where, text });
      const r = (i: number) => residents[i % residents.length];
      const cat = (i: number) => categories[i % categories.length];
      await timeIt('catalogue suggestion (building)', N, (i) => catalogue.suggestion(cat(i), { buildingId: r(i).buildingId }), rows);
      const ids: number[] = [];
      p99 = await timeIt('register (resident, building)', N, async (i) => {
        const a = await appeals.register(input(cat(i), { residentId: r(i).id }, 'Бенчмарк: тече дах над квартирою'), user);
        ids.push(a.id);
      }, rows);
      if (objects.length) {
        await timeIt('register (infra object)', Math.min(N, 200), (i) =>
          appeals.register(input(cat(i), { infraObjectId: objects[i % objects.length].id }, 'Бенчмарк: переповнений контейнер'), user), rows);
      }
      await timeIt('appeal detail with history', N, (i) => appeals.get(ids[i % ids.length], user), rows);
      await timeIt('resident’s appeals', N, (i) => appeals.byResident(r(i).id), rows);
      await timeIt('building’s appeals, 90 days', N, (i) => appeals.byBuilding(r(i).buildingId, { days: 90, excludeResident: r(i).id }, user), rows);
      if (busiest) {
        const exec: User = { ...user, role: 'executor', executorId: busiest.executorId };
        await timeIt('executor list, open, 50 rows', 100, () => appeals.list(exec, parse(ListQuery, { status: 'new,in_progress,planned' })), rows);
        await timeIt('executor list, overdue', 100, () => appeals.list(exec, parse(ListQuery, { overdue: '1' })), rows);
      }
      throw new Rollback();
    }).catch((e) => { if (!(e instanceof Rollback)) throw e; })
      // Sequences ignore rollbacks: put it back whatever happened.
      .finally(() => db.one('SELECT setval($1, $2, $3)', ['appeal_number_seq', seq.last, seq.called]));
    console.log('  operation                           runs        p50        p95        p99  throughput');
    for (const row of rows) console.log(row);
    console.log(`  goal: registration p99 ≤ 50 ms → ${p99.toFixed(2)} ms: ${p99 <= 50 ? 'met' : 'NOT met'} (ratio ${(p99 / 50).toFixed(2)})`);
    console.log('  (all writes rolled back; appeal_number_seq restored)');
  } finally {
    await db.$pool.end();
  }
}

if (!given) startCluster(projectCluster());
for (const name of dbs) await bench(name);
