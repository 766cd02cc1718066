// Two real server processes on one database start at the same moment: each catches up on the
// latest digest and overdue slot at start-up, and between them each slot runs once — one slot row,
// one digest and one overdue list for the organisation with news — and both stop cleanly on SIGTERM.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { freePort, startProductProcess, type ProductProcess } from '../helpers/product-process.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from './fixture.ts';

let db: Db;
let url: string;

test.before(async () => {
  ({ db, url } = await migratedDb('jobs_processes'));
  await seedCity(db);
  // Overdue whatever the processes' clocks say: due long ago, still open.
  await builder(db).appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre,
    createdAt: new Date('2001-01-01T08:00:00Z'), dueAt: new Date('2001-01-02T08:00:00Z') });
});

test('two instances, one digest slot and one overdue slot between them', async () => {
  const [pa, pb] = await Promise.all([freePort(), freePort()]);
  const procs: ProductProcess[] = await Promise.all([startProductProcess(url, pa), startProductProcess(url, pb)]);
  try {
    const slots = await db.any<{ job: string; n: number; instances: string[] }>(
      'SELECT job, count(*)::int AS n, array_agg(instance) AS instances FROM job_slot GROUP BY job ORDER BY job');
    assert.equal(slots.map((s) => [s.job, s.n]), [['digest', 1], ['overdue', 1]]);
    const mails = await db.any<{ kind: string; to: string; n: number }>(
      `SELECT kind, to_addr AS "to", count(*)::int AS n FROM outbox_mail WHERE kind IN ('appeal_digest', 'appeal_overdue') GROUP BY kind, to_addr ORDER BY kind`);
    assert.equal(mails.map((m) => [m.kind, m.to, m.n]), [['appeal_digest', 'zhek1@misto.local', 1], ['appeal_overdue', 'zhek1@misto.local', 1]]);
    const ran = procs.map((p) => p.output.join('').match(/\[jobs\] (digest|overdue) for/g)?.length ?? 0);
    assert.is(ran[0] + ran[1], 2, 'two runs in all, whichever instance made them');
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    const exits = await Promise.all(procs.map((p) => p.exited));
    assert.equal(exits, [{ code: 0, signal: null }, { code: 0, signal: null }], procs.map((p) => p.output.join('')).join('\n---\n'));
  }
});

test.run();
