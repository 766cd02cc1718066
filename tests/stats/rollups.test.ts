// The statistics rollups (migration 120) equal an independent GROUP BY over the appeal table after
// inserts, status changes (Control returns included), re-assignments, moves between buildings,
// deletes, a COPY load that fires the row triggers, and a bulk load with the triggers disabled
// followed by appeal_stats_rebuild().
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { PoolClient } from 'pg';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { TEST_NOW, DAY, HOUR } from '../helpers/clock.ts';
import { CopyWriter } from '../../gis-data/generator/copy.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
const ids: Record<string, number> = {};
const appeals: number[] = [];

const KEY = 'day, category_id, executor_id, district_id, channel';
const COLS = `total, st_new, st_in_progress, st_planned, st_done, st_control, st_explained, st_rejected, st_closed,
  finished, late, returned, confirmed, not_confirmed, rated, rating_sum, speed_sum, overdue`;

/** The day rollup computed from scratch, without the migration's functions. */
const RAW_DAY = `
  SELECT (a.created_at AT TIME ZONE 'Europe/Kyiv')::date AS day, a.category_id, a.executor_id,
         coalesce(b.district_id, (SELECT d.id FROM district d WHERE a.building_id IS NULL AND ST_Contains(d.geom, a.point) ORDER BY d.id LIMIT 1), 0) AS district_id,
         a.channel, count(*)::int AS total,
         count(*) FILTER (WHERE a.status = 'new')::int AS st_new, count(*) FILTER (WHERE a.status = 'in_progress')::int AS st_in_progress,
         count(*) FILTER (WHERE a.status = 'planned')::int AS st_planned, count(*) FILTER (WHERE a.status = 'done')::int AS st_done,
         count(*) FILTER (WHERE a.status = 'control')::int AS st_control, count(*) FILTER (WHERE a.status = 'explained')::int AS st_explained,
         count(*) FILTER (WHERE a.status = 'rejected')::int AS st_rejected, count(*) FILTER (WHERE a.status = 'closed')::int AS st_closed,
         count(a.done_at)::int AS finished, count(*) FILTER (WHERE a.done_at > a.due_at)::int AS late,
         count(*) FILTER (WHERE a.control_count > 0)::int AS returned,
         count(*) FILTER (WHERE a.confirmation = 'confirmed')::int AS confirmed, count(*) FILTER (WHERE a.confirmation = 'not_confirmed')::int AS not_confirmed,
         count(a.rating)::int AS rated, coalesce(sum(a.rating), 0)::int AS rating_sum,
         coalesce(sum(CASE WHEN a.done_at IS NULL THEN 0 WHEN a.done_at <= a.due_at THEN 10000
                           ELSE round(10000 * extract(epoch FROM a.due_at - a.created_at) / extract(epoch FROM a.done_at - a.created_at)) END), 0)::bigint AS speed_sum,
         count(*) FILTER (WHERE a.status IN ('new', 'in_progress', 'planned', 'control') AND a.due_at < (SELECT at FROM appeal_stat_tick))::int AS overdue
    FROM appeal a LEFT JOIN building b ON b.id = a.building_id
   GROUP BY 1, 2, 3, 4, 5`;

async function assertEqualToRaw(when: string) {
  const stale = await db.any(`SELECT * FROM appeal_stat_day WHERE total = 0 AND (${COLS.split(',').map((c) => `${c.trim()} <> 0`).join(' OR ')})`);
  assert.equal(stale, [], `${when}: a key with no appeals holds measures`);
  const diff = async (rollup: string, raw: string) => db.any(`
    (SELECT ${KEY}, ${COLS} FROM ${rollup} WHERE total <> 0 EXCEPT ALL ${raw})
    UNION ALL
    (${raw} EXCEPT ALL SELECT ${KEY}, ${COLS} FROM ${rollup} WHERE total <> 0)`);
  assert.equal(await diff('appeal_stat_day', `SELECT ${KEY}, ${COLS} FROM (${RAW_DAY}) r`), [], `${when}: the day rollup`);
  assert.equal(await diff('appeal_stat_month', `SELECT date_trunc('month', day)::date AS day, category_id, executor_id, district_id, channel,
      ${COLS.split(',').map((c) => `sum(${c.trim()})::${c.trim() === 'speed_sum' ? 'bigint' : 'int'}`).join(', ')}
      FROM (${RAW_DAY}) r GROUP BY 1, 2, 3, 4, 5`), [], `${when}: the month rollup`);
  assert.equal(await diff('appeal_stat_day_category', `SELECT day, category_id, 0 AS executor_id, 0 AS district_id, '' AS channel,
      ${COLS.split(',').map((c) => `sum(${c.trim()})::${c.trim() === 'speed_sum' ? 'bigint' : 'int'}`).join(', ')}
      FROM (${RAW_DAY}) r GROUP BY 1, 2`), [], `${when}: the per-category day rollup`);
  const open = await db.any(`
    (SELECT appeal_id, due_at, category_id FROM appeal_stat_open EXCEPT SELECT id, due_at, category_id FROM appeal WHERE status IN ('new', 'in_progress', 'planned', 'control'))
    UNION ALL
    (SELECT id, due_at, category_id FROM appeal WHERE status IN ('new', 'in_progress', 'planned', 'control') EXCEPT SELECT appeal_id, due_at, category_id FROM appeal_stat_open)`);
  assert.equal(open, [], `${when}: the open appeals`);
  const n = await db.one<{ n: number }>('SELECT coalesce(sum(total), 0)::int AS n FROM appeal_stat_day');
  assert.is(n.n, (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM appeal')).n, `${when}: every appeal counted once`);
}

test.before(async () => {
  ({ db } = await migratedDb('appeal_rollups'));
  const b = builder(db);
  ids.d1 = await b.district({ area: { type: 'Polygon', coordinates: [[[24.70, 48.91], [24.71, 48.91], [24.71, 48.93], [24.70, 48.93], [24.70, 48.91]]] } });
  ids.d2 = await b.district({ area: { type: 'Polygon', coordinates: [[[24.71, 48.91], [24.72, 48.91], [24.72, 48.93], [24.71, 48.93], [24.71, 48.91]]] } });
  ids.e1 = await b.executor({ code: 'r-zhek-1', kind: 'housing_office', district: ids.d1 });
  ids.e2 = await b.executor({ code: 'r-roads', kind: 'city_service' });
  ids.c1 = await b.category({ code: 'r-c1', executor: ids.e1, deadlineHours: 24 });
  ids.c2 = await b.category({ code: 'r-c2', executor: ids.e2, deadlineHours: 72 });
  ids.b1 = await b.building({ district: ids.d1, metres: [0, 0, 20] });
  ids.b2 = await b.building({ district: ids.d2, metres: [50, 0, 20] });
});

test('inserts: day, month and open rows, Kyiv midnight on both sides', async () => {
  const b = builder(db);
  const base = TEST_NOW.getTime() - 40 * DAY;
  for (let i = 0; i < 40; i++) {
    appeals.push(await b.appeal({
      category: i % 3 ? ids.c1 : ids.c2, executor: i % 3 ? ids.e1 : ids.e2,
      building: i % 5 === 0 ? null : i % 2 ? ids.b1 : ids.b2, point: i % 5 === 0 ? [24.715, 48.92] : null,
      channel: (['phone', 'web', 'app', 'open311'] as const)[i % 4],
      createdAt: new Date(base + i * 22 * HOUR + (i % 7) * 59_000),
    }));
  }
  await assertEqualToRaw('after inserts');
  const noBuilding = await db.one<{ district_id: number }>(`SELECT district_id FROM appeal_stat_open WHERE appeal_id = $1`, [appeals[0]]);
  assert.is(noBuilding.district_id, ids.d2, 'an appeal without a building counts in the district its point lies in');
});

test('status changes through the lifecycle, Control returns, re-assignment, moves, deletes', async () => {
  const [a, b2, c, d, e, f, g] = appeals;
  await db.none(`UPDATE appeal SET status = 'in_progress' WHERE id = ANY($1)`, [appeals.slice(0, 30)]);
  await db.none(`UPDATE appeal SET status = 'done', done_at = created_at + interval '10 hours' WHERE id IN ($1:csv)`, [[a, b2, c]]);
  await db.none(`UPDATE appeal SET status = 'done', done_at = created_at + interval '5 days' WHERE id = $1`, [d]);
  await db.none(`UPDATE appeal SET status = 'closed', confirmation = 'confirmed', rating = 4, closed_at = done_at + interval '1 hour' WHERE id IN ($1:csv)`, [[a, d]]);
  // The resident says no: Control, due again; then done again, and confirmed the second time.
  await db.none(`UPDATE appeal SET status = 'control', confirmation = 'not_confirmed', control_count = control_count + 1, due_at = done_at + interval '3 days' WHERE id = $1`, [b2]);
  await assertEqualToRaw('after a return to Control');
  await db.none(`UPDATE appeal SET status = 'done', done_at = due_at + interval '1 day' WHERE id = $1`, [b2]);
  await db.none(`UPDATE appeal SET status = 'closed', confirmation = 'confirmed', rating = 3 WHERE id = $1`, [b2]);
  await db.none(`UPDATE appeal SET status = 'planned', planned_at = $2, plan_reason = 'needs_funding' WHERE id = $1`, [e, new Date(TEST_NOW.getTime() + 9 * DAY)]);
  await db.none(`UPDATE appeal SET status = 'rejected', reject_reason = 'duplicate' WHERE id = $1`, [f]);
  await db.none(`UPDATE appeal SET status = 'explained' WHERE id = $1`, [g]);
  // A control call that finds a closed appeal not done sends it back to Control.
  await db.none(`UPDATE appeal SET status = 'control', confirmation = 'not_confirmed', control_count = control_count + 1 WHERE id = $1`, [a]);
  // The contact centre re-assigns; an appeal moves to another building and category; one changes channel.
  await db.none(`UPDATE appeal SET executor_id = $2 WHERE id = $1`, [appeals[10], ids.e2]);
  await db.none(`UPDATE appeal SET building_id = $2, category_id = $3 WHERE id = $1`, [appeals[11], ids.b2, ids.c2]);
  await db.none(`UPDATE appeal SET building_id = NULL, point = ST_SetSRID(ST_MakePoint(24.705, 48.92), 4326) WHERE id = $1`, [appeals[12]]);
  await db.none(`UPDATE appeal SET due_at = due_at - interval '30 days' WHERE id = $1`, [appeals[13]]);
  await db.none(`UPDATE appeal SET created_at = created_at + interval '3 days' WHERE id = $1`, [appeals[14]]);
  // Several rows in one statement, and unrelated columns.
  await db.none(`UPDATE appeal SET status = 'done', done_at = created_at + interval '2 days', answer = 'Готово' WHERE id = ANY($1)`, [appeals.slice(20, 30)]);
  await db.none(`UPDATE appeal SET text = 'Інший текст', updated_at = now() WHERE id = ANY($1)`, [appeals]);
  await db.none(`DELETE FROM appeal_event WHERE false`);
  await db.none(`DELETE FROM appeal WHERE id = $1`, [appeals[39]]);
  await assertEqualToRaw('after status changes');
  // The overdue watermark moves on: what fell due in between becomes overdue, and only that.
  const tick = await db.one<{ at: Date }>('SELECT at FROM appeal_stat_tick');
  await db.none(`UPDATE appeal SET due_at = $2 WHERE id IN ($1:csv)`, [[appeals[15], appeals[16]], new Date(tick.at.getTime() + 10 * DAY)]);
  await assertEqualToRaw('after due dates moved past the watermark');
  const open = await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM appeal WHERE status IN ('new', 'in_progress', 'planned', 'control') AND due_at >= $1`, [tick.at]);
  await db.one('SELECT appeal_stats_tick($1)', [new Date(tick.at.getTime() + 400 * DAY)]);
  const overdue = await db.one<{ n: number }>('SELECT sum(overdue)::int AS n FROM appeal_stat_day');
  await assertEqualToRaw('after the watermark moved');
  assert.ok(open.n > 0, 'some appeals fell due after the old watermark');
  assert.is(overdue.n, (await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM appeal WHERE status IN ('new', 'in_progress', 'planned', 'control')`)).n);
  await db.one('SELECT appeal_stats_tick($1)', [tick.at]);
  assert.is((await db.one<{ at: Date }>('SELECT at FROM appeal_stat_tick')).at.getTime(), tick.at.getTime() + 400 * DAY, 'the watermark never moves back');
});

const COPY_COLUMNS = ['number', 'channel', 'building_id', 'category_id', 'executor_id', 'text', 'status', 'due_at', 'created_at', 'updated_at', 'done_at', 'confirmation', 'rating', 'control_count'];
async function copyAppeals(prefix: string, n: number) {
  const conn = await db.connect();
  try {
    const w = new CopyWriter(conn.client as unknown as PoolClient, 'appeal', COPY_COLUMNS);
    for (let i = 0; i < n; i++) {
      const created = new Date(TEST_NOW.getTime() - (i % 60) * DAY - i * 61_000);
      const done = i % 3 === 0 ? new Date(created.getTime() + (i % 4) * DAY) : null;
      await w.row([`${prefix}/${i}`, i % 2 ? 'phone' : 'web', i % 4 ? ids.b1 : ids.b2, i % 2 ? ids.c1 : ids.c2, i % 2 ? ids.e1 : ids.e2, 'Імпорт',
        done ? (i % 2 ? 'closed' : 'done') : (['new', 'in_progress', 'planned', 'control'] as const)[i % 4],
        new Date(created.getTime() + 2 * DAY).toISOString(), created.toISOString(), created.toISOString(), done?.toISOString() ?? null,
        done && i % 2 ? 'confirmed' : null, done && i % 2 ? 1 + (i % 5) : null, i % 7 === 0 ? 1 : 0]);
    }
    return await w.end();
  } finally { conn.done(); }
}

test('a COPY load fires the row triggers: the rollups follow', async () => {
  assert.is(await copyAppeals('COPY', 500), 500);
  await assertEqualToRaw('after COPY');
});

test('a bulk load with the triggers disabled, then appeal_stats_rebuild()', async () => {
  await db.tx(async (t) => {
    await t.none('ALTER TABLE appeal DISABLE TRIGGER appeal_stat_track');
    await t.none('ALTER TABLE appeal DISABLE TRIGGER appeal_stat_track_update');
  });
  await copyAppeals('BULK', 700);
  const before = await db.one<{ n: number }>('SELECT sum(total)::int AS n FROM appeal_stat_day');
  const all = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM appeal');
  assert.is(all.n - before.n, 700, 'with the triggers off the rollups did not see the load');
  await db.tx(async (t) => {
    await t.none('ALTER TABLE appeal ENABLE TRIGGER appeal_stat_track');
    await t.none('ALTER TABLE appeal ENABLE TRIGGER appeal_stat_track_update');
    await t.one('SELECT appeal_stats_rebuild()');
  });
  await assertEqualToRaw('after a rebuild');
  // And the triggers carry on from there.
  await db.none(`UPDATE appeal SET status = 'closed', confirmation = 'confirmed', rating = 5, done_at = created_at + interval '1 hour' WHERE number LIKE 'BULK/%' AND status = 'done'`);
  await assertEqualToRaw('after changes following the rebuild');
  await db.none('TRUNCATE appeal CASCADE');
  assert.is((await db.one<{ n: number }>('SELECT (SELECT count(*) FROM appeal_stat_day) + (SELECT count(*) FROM appeal_stat_day_category) + (SELECT count(*) FROM appeal_stat_open) AS n')).n, 0, 'TRUNCATE empties the rollups');
});

test.run();
