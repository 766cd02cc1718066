import { connect } from '../server/db/db.ts';
import { planningRepo } from '../server/planning/planning.repo.ts';
import { addDays } from '../vocabulary/calendar.ts';
import { ANNOUNCEMENT_CALLS_LISTED } from '../vocabulary/planning.ts';
const db = connect(process.argv[2], 2, { statementTimeoutMs: 0 });
const repo = planningRepo(db);
const last = '2026-12-02';
const top = (await db.one('SELECT category_id AS c FROM hotspot GROUP BY 1 ORDER BY count(*) DESC LIMIT 1')).c;
async function t(what: string, fn: () => Promise<unknown>) {
  await fn(); const xs: number[] = [];
  for (let i = 0; i < 15; i++) { const t0 = performance.now(); await fn(); xs.push(performance.now() - t0); }
  xs.sort((a, b) => a - b);
  console.log(what.padEnd(40), 'p50', xs[7].toFixed(1).padStart(7), 'p95', xs[14].toFixed(1).padStart(7));
}
for (const days of [31, 366]) {
  const p = { from: addDays(last, 1 - days), to: last };
  for (const size of [250, 500, 1000, 2000, 4000]) await t(`${days} hexagons ${size}`, () => repo.hexagons(p, size));
  await t(`${days} hexagons 1000 sphere 1`, () => repo.hexagons({ ...p, sphere: 1 }, 1000));
  await t(`${days} announcement-calls`, () => repo.announcementCalls(p, { zones: ANNOUNCEMENT_CALLS_LISTED }));
  await t(`${days} hotspots all`, () => repo.hotspots(p, { min: 3, limit: 200 }));
  await t(`${days} hotspots one category`, () => repo.hotspots({ ...p, category: top }, { min: 3, limit: 200 }));
}
await db.$pool.end();
