// The demo city's survey calls: report 3 of the last 30 days is not empty, every outcome class
// occurs, the figures agree with the appeals they belong to, and the scheduler does not redial history.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { demoCity, DEMO_NOW } from '../helpers/city.ts';
import { testServices } from '../helpers/app.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
test.before(async () => { ({ db } = await demoCity('survey_demo')); });

test('report 3 of the demo city\'s last 30 days: every outcome, confirmations and ratings', async () => {
  const s = testServices(db);
  const to = kyivDay(DEMO_NOW), from = addDays(to, -29);
  const r = await s.surveys.stats({ from, to, by: 'executor' });
  const t = r.totals;
  assert.ok(t.calls > 100, `calls: ${t.calls}`);
  for (const k of ['answeredWithResult', 'answeredWithoutResult', 'noPickup', 'busy', 'invalidNumber'] as const) assert.ok(t[k] > 0, `${k}: ${t[k]}`);
  assert.is(t.calls, t.answeredWithResult + t.answeredWithoutResult + t.noPickup + t.busy + t.invalidNumber + t.failed);
  assert.is(t.answeredWithResult, t.confirmed + t.notConfirmed);
  assert.ok(t.confirmed > t.notConfirmed, 'most residents confirm');
  assert.ok(t.averageRating! > 3 && t.averageRating! < 5, `average rating ${t.averageRating}`);
  assert.ok(r.rows.length > 3);
  assert.is(r.rows.reduce((n, x) => n + x.calls, 0), t.calls);
  // Every confirmed survey belongs to an appeal confirmed by its resident; every "not confirmed" to one that was not.
  const wrong = await db.one<{ n: number }>(`
    SELECT count(*)::int AS n FROM survey s JOIN appeal a ON a.id = s.appeal_id
     WHERE (s.result = 'confirmed') <> (a.confirmation IS NOT DISTINCT FROM 'confirmed')
        OR (s.result = 'not_confirmed') <> (a.confirmation IS NOT DISTINCT FROM 'not_confirmed')`);
  assert.is(wrong.n, 0);
});

test('the generated history is not scheduled again', async () => {
  const s = testServices(db);
  const before = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey');
  const sch = s.surveys.scheduler({ action: async () => ({ Response: 'Error' }), amiEvents: new EventEmitter(), status: () => ({ connected: false }) }, { log: () => {} });
  await sch.tick();
  await sch.stop();
  assert.is((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey')).n, before.n);
});

test.run();
