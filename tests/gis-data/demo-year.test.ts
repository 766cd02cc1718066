// The demo city's year is believable: few open appeals overdue (and no executor with most of its
// open appeals overdue), late closings within Kyiv 2017's 0.03–1.7 %, every report's source tables
// filled in every month, survey calls with outcomes and ratings, returns to Control, mixed call
// outcomes, and the seasons of heating and hot water.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Db } from '../../server/db/db.ts';
import { demoCity, DEMO_NOW } from '../helpers/city.ts';

let db: Db;
test.before(async () => { ({ db } = await demoCity('demo_year')); });

test('open appeals are rarely overdue, and no executor has most of its open appeals overdue', async () => {
  const rows = await db.any(`
    SELECT e.code, count(*)::int AS open, count(*) FILTER (WHERE a.due_at < $1)::int AS overdue,
           max(extract(epoch FROM $1 - a.due_at) / 86400) FILTER (WHERE a.due_at < $1) AS oldest
      FROM appeal a JOIN executor e ON e.id = a.executor_id
     WHERE appeal_status_is_open(a.status) GROUP BY e.code ORDER BY e.code`, [DEMO_NOW]);
  const open = rows.reduce((s, r) => s + r.open, 0), overdue = rows.reduce((s, r) => s + r.overdue, 0);
  assert.ok(open > 500, `open appeals: ${open}`);
  assert.ok(overdue > 0 && overdue / open < 0.25, `overdue ${overdue} of ${open} open`);
  for (const r of rows.filter((x) => x.open >= 5)) assert.ok(r.overdue / r.open < 0.5, `${r.code}: ${r.overdue} of ${r.open} open appeals overdue`);
  // Some have been forgotten for many months.
  assert.ok(Math.max(...rows.map((r) => Number(r.oldest ?? 0))) > 120, 'an appeal overdue by months');
});

test('late closings are 0.03–1.7 % of the closed, overall and for every large executor', async () => {
  const rows = await db.any(`
    SELECT e.code, count(*)::int AS closed, count(*) FILTER (WHERE a.done_at > a.due_at)::int AS late
      FROM appeal a JOIN executor e ON e.id = a.executor_id WHERE a.status = 'closed' AND a.done_at IS NOT NULL GROUP BY e.code`);
  const closed = rows.reduce((s, r) => s + r.closed, 0), late = rows.reduce((s, r) => s + r.late, 0);
  assert.ok(late / closed >= 0.0003 && late / closed <= 0.017, `late ${late} of ${closed} closed`);
  for (const r of rows.filter((x) => x.closed >= 1000)) assert.ok(r.late / r.closed <= 0.025, `${r.code}: ${r.late} of ${r.closed}`);
});

test('every month of the year has appeals, history, calls, survey calls, confirmations and ratings', async () => {
  const months = await db.any(`
    WITH m AS (SELECT generate_series(date_trunc('month', ($1::timestamptz - interval '11 months') AT TIME ZONE 'Europe/Kyiv'),
                                      date_trunc('month', $1::timestamptz AT TIME ZONE 'Europe/Kyiv'), interval '1 month') AS m)
    SELECT to_char(m, 'YYYY-MM') AS month,
      (SELECT count(*) FROM appeal a WHERE a.created_at >= m AT TIME ZONE 'Europe/Kyiv' AND a.created_at < (m + interval '1 month') AT TIME ZONE 'Europe/Kyiv')::int AS appeals,
      (SELECT count(*) FROM appeal a WHERE a.closed_at >= m AT TIME ZONE 'Europe/Kyiv' AND a.closed_at < (m + interval '1 month') AT TIME ZONE 'Europe/Kyiv')::int AS closed,
      (SELECT count(*) FROM appeal a WHERE a.confirmation = 'confirmed' AND a.created_at >= m AT TIME ZONE 'Europe/Kyiv' AND a.created_at < (m + interval '1 month') AT TIME ZONE 'Europe/Kyiv')::int AS confirmed,
      (SELECT count(*) FROM appeal a WHERE a.confirmation = 'not_confirmed' AND a.created_at >= m AT TIME ZONE 'Europe/Kyiv' AND a.created_at < (m + interval '1 month') AT TIME ZONE 'Europe/Kyiv')::int AS not_confirmed,
      (SELECT count(*) FROM appeal_event e WHERE e.at >= m AT TIME ZONE 'Europe/Kyiv' AND e.at < (m + interval '1 month') AT TIME ZONE 'Europe/Kyiv')::int AS events,
      (SELECT count(*) FROM call c WHERE c.entered_at >= m AT TIME ZONE 'Europe/Kyiv' AND c.entered_at < (m + interval '1 month') AT TIME ZONE 'Europe/Kyiv')::int AS calls,
      (SELECT count(*) FROM survey_attempt s WHERE s.started_at >= m AT TIME ZONE 'Europe/Kyiv' AND s.started_at < (m + interval '1 month') AT TIME ZONE 'Europe/Kyiv')::int AS attempts,
      (SELECT count(*) FROM survey s WHERE s.rating IS NOT NULL AND s.created_at >= m AT TIME ZONE 'Europe/Kyiv' AND s.created_at < (m + interval '1 month') AT TIME ZONE 'Europe/Kyiv')::int AS rated
    FROM m ORDER BY m`, [DEMO_NOW]);
  assert.is(months.length, 12);
  for (const m of months) {
    for (const k of ['appeals', 'closed', 'confirmed', 'not_confirmed', 'events', 'calls', 'attempts', 'rated']) {
      assert.ok(m[k] > 0, `${m.month}: no ${k}`);
    }
  }
});

test('survey calls end in every outcome, with ratings 1 to 5', async () => {
  const results = await db.map(`SELECT DISTINCT result FROM survey ORDER BY 1`, [], (r) => r.result);
  assert.equal(results, ['confirmed', 'invalid_number', 'not_confirmed', 'unreached']);
  const outcomes = await db.map(`SELECT DISTINCT outcome FROM survey_attempt ORDER BY 1`, [], (r) => r.outcome);
  for (const o of ['answered', 'busy', 'invalid_number', 'no_input', 'no_pickup']) assert.ok(outcomes.includes(o), `attempt outcome ${o}`);
  assert.equal(await db.map(`SELECT DISTINCT rating FROM survey WHERE rating IS NOT NULL ORDER BY 1`, [], (r) => r.rating), [1, 2, 3, 4, 5]);
  // Ratings differ between executors (the satisfaction component of the rating is not flat).
  const avg = await db.map(`SELECT avg(rating)::float8 AS r FROM appeal WHERE rating IS NOT NULL GROUP BY executor_id HAVING count(*) > 100`, [], (r) => r.r);
  assert.ok(Math.max(...avg) - Math.min(...avg) > 0.3, `average ratings ${avg.map((x) => x.toFixed(2)).join(', ')}`);
});

test('residents return appeals to Control: some are under Control now, more were redone and closed', async () => {
  const r = await db.one(`SELECT count(*) FILTER (WHERE status = 'control')::int AS now, count(*) FILTER (WHERE status = 'closed' AND control_count > 0)::int AS redone,
                                 count(*) FILTER (WHERE status = 'closed')::int AS closed,
                                 count(*) FILTER (WHERE status = 'control' AND done_at IS NOT NULL)::int AS control_done FROM appeal`);
  assert.ok(r.now > 0, 'under Control now');
  assert.ok(r.redone / r.closed > 0.03 && r.redone / r.closed < 0.2, `redone ${r.redone} of ${r.closed} closed`);
  assert.is(r.control_done, 0);
  const ev = await db.one(`SELECT count(*)::int AS n FROM appeal_event WHERE kind = 'status' AND data->>'status' = 'control'`);
  assert.is(ev.n, r.now + r.redone + (await db.one(`SELECT count(*)::int AS n FROM appeal WHERE status = 'done' AND control_count > 0`)).n);
});

test('call outcomes are mixed: mostly answered, some abandoned, some with no free operator', async () => {
  const r = await db.one(`SELECT count(*)::int AS total, count(*) FILTER (WHERE outcome = 'answered')::int AS answered,
      count(*) FILTER (WHERE outcome IN ('abandoned_queue', 'abandoned_ringing'))::int AS abandoned,
      count(*) FILTER (WHERE outcome IN ('no_operators', 'queue_timeout'))::int AS no_operators,
      count(*) FILTER (WHERE consultation)::int AS consultations,
      (SELECT count(*) FROM appeal a WHERE a.channel = 'phone' AND a.call_id IS NOT NULL)::int AS linked,
      (SELECT count(*) FROM appeal a WHERE a.channel = 'phone')::int AS phone
    FROM call`);
  assert.ok(r.answered / r.total > 0.8 && r.answered / r.total < 0.97, `answered ${r.answered} of ${r.total}`);
  assert.ok(r.abandoned / r.total > 0.02, `abandoned ${r.abandoned}`);
  assert.ok(r.no_operators / r.total > 0.005, `no operators ${r.no_operators}`);
  assert.ok(r.consultations > 0);
  assert.is(r.linked, r.phone);
  // Every linked call was answered before its appeal was registered, and ended after.
  const bad = await db.one(`SELECT count(*)::int AS n FROM appeal a JOIN call c ON c.id = a.call_id
                             WHERE NOT (c.answered_at < a.created_at AND c.hungup_at > a.created_at AND c.outcome = 'answered')`);
  assert.is(bad.n, 0);
});

test('seasons: heating in the cold months, no hot water in summer', async () => {
  const r = await db.one(`
    SELECT count(*) FILTER (WHERE c.code IN ('no-heating', 'heating-temperature') AND extract(month FROM a.created_at AT TIME ZONE 'Europe/Kyiv') IN (12, 1, 2))::int AS heat_winter,
           count(*) FILTER (WHERE c.code IN ('no-heating', 'heating-temperature') AND extract(month FROM a.created_at AT TIME ZONE 'Europe/Kyiv') IN (6, 7, 8))::int AS heat_summer,
           count(*) FILTER (WHERE c.code = 'no-hot-water' AND extract(month FROM a.created_at AT TIME ZONE 'Europe/Kyiv') IN (6, 7, 8))::int AS hot_summer,
           count(*) FILTER (WHERE c.code = 'no-hot-water' AND extract(month FROM a.created_at AT TIME ZONE 'Europe/Kyiv') IN (12, 1, 2))::int AS hot_winter
      FROM appeal a JOIN category c ON c.id = a.category_id`);
  assert.ok(r.heat_winter > 4 * r.heat_summer, `heating: winter ${r.heat_winter}, summer ${r.heat_summer}`);
  assert.ok(r.hot_summer > 2 * r.hot_winter, `no hot water: summer ${r.hot_summer}, winter ${r.hot_winter}`);
});

test.run();
