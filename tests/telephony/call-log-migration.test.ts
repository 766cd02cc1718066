// A call log written before calls were one row per Linkedid (both halves of a Local call logged):
// migration 083 merges each pair into the first half's row, keeping appeals and recordings of
// both, and gives ended calls the outcome their columns still tell.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDb } from '../helpers/db.ts';
import { at, TEST_NOW } from '../helpers/clock.ts';
import { migrate, migrationsDir } from '../../server/db/migrate.ts';
import { builder } from '../helpers/build.ts';

test('Local half-pairs become one call with everything either half had; ended calls get their outcome', async () => {
  const { db } = await emptyDb('call_log_083');
  const before = mkdtempSync(join(tmpdir(), 'misto-mig-'));
  cpSync(migrationsDir, before, { recursive: true });
  for (const f of readdirSync(before)) if (Number(f.split('_')[0]) >= 83) rmSync(join(before, f));
  await migrate(db, before);

  const b = builder(db);
  const executor = await b.executor({});
  const category = await b.category({ executor });
  const operator = await b.user('operator', { sip: 'PJSIP/101' });
  const insert = (u: string, linked: string, extra: Record<string, unknown> = {}) => db.one<{ id: number }>(`
    INSERT INTO call (uniqueid, linkedid, channel, caller_phone, queue, operator_id, agent_interface, entered_at, answered_at, hungup_at, hangup_cause_text)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
  [u, linked, extra.channel ?? null, extra.phone ?? null, extra.queue ?? null, extra.operator ?? null, extra.iface ?? null,
    extra.entered ?? TEST_NOW, extra.answered ?? null, extra.hungup ?? null, extra.text ?? null]).then((r) => r.id);

  // An answered queued call on Local channels: ";1" knows the number, ";2" the queue, operator, appeal and recording.
  const first = await insert('100.1', '100.1', { channel: 'Local/1580@misto-incoming-0000000a;1', phone: '+380501112233', entered: at(0), hungup: at(60_000) });
  const second = await insert('100.2', '100.1', { channel: 'Local/1580@misto-incoming-0000000a;2', phone: '+380501112233', queue: 'operators', operator, iface: 'PJSIP/101', entered: at(5), answered: at(10_000), hungup: at(60_001) });
  const appeal = await b.appeal({ category, executor, call: second });
  await db.none(`INSERT INTO recording (call_id, path) VALUES ($1, '100.2.wav')`, [second]);
  // Calls that were always one row: a trunk call abandoned in the queue, one lost, one still going.
  const trunk = await insert('200.1', '200.1', { channel: 'PJSIP/trunk-00000001', queue: 'operators', hungup: at(30_000) });
  const lost = await insert('300.1', '300.1', { answered: null, hungup: at(40_000), text: 'Ended while the PBX connection was down' });
  const open = await insert('400.1', '400.1', { queue: 'operators' });

  await migrate(db);
  const rows = await db.any(`SELECT id, uniqueid, channel, caller_phone, queue, operator_id, answered_at, hungup_at, entered_at, outcome, queued_at FROM call ORDER BY id`);
  assert.equal(rows.map((r) => r.id), [first, trunk, lost, open], 'the second half is gone');
  const merged = rows[0];
  assert.equal([merged.uniqueid, merged.caller_phone, merged.queue, merged.operator_id, merged.outcome], ['100.1', '+380501112233', 'operators', operator, 'answered']);
  assert.equal([merged.entered_at, merged.answered_at, merged.hungup_at], [at(0), at(10_000), at(60_001)]);
  assert.is((await db.one(`SELECT call_id FROM appeal WHERE id = $1`, [appeal])).call_id, first);
  assert.equal(await db.map(`SELECT path FROM recording WHERE call_id = $1`, [first], (r: { path: string }) => r.path), ['100.2.wav']);
  assert.equal(rows.slice(1).map((r) => r.outcome), ['abandoned_queue', 'lost', null]);
  assert.equal(rows[1].queued_at, at(0), 'a queued call\'s wait counts from its entry when nothing better is known');
});

test.run();
