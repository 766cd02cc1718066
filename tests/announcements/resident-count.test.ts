// The per-building resident counts behind the preview follow every way residents change,
// including bulk loads with triggers in replica mode (how the demo city is seeded).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import type { Db } from '../../server/db/db.ts';
import { seedGrid } from './fixture.ts';

let db: Db;
test.before(async () => { ({ db } = await migratedDb('ann_rescount')); await seedGrid(db); });

const counts = async () => Object.fromEntries((await db.any('SELECT building_id, residents FROM building_resident_count WHERE residents > 0 ORDER BY 1'))
  .map((r) => [r.building_id, r.residents]));
const truth = async () => Object.fromEntries((await db.any('SELECT building_id, count(*)::int AS n FROM resident WHERE building_id IS NOT NULL GROUP BY 1 ORDER BY 1'))
  .map((r) => [r.building_id, r.n]));

test('insert, move, delete, truncate and replica-mode COPY keep the counts exact', async () => {
  assert.equal(await counts(), await truth());
  assert.is(Object.keys(await counts()).length, 10);
  await db.none(`INSERT INTO resident (full_name, building_id) SELECT 'X', 50 FROM generate_series(1, 5)`);
  await db.none(`INSERT INTO resident (full_name, building_id) VALUES ('Без будинку', NULL)`);
  await db.none(`UPDATE resident SET building_id = 51 WHERE id IN (SELECT id FROM resident WHERE building_id = 50 LIMIT 2)`);
  await db.none(`UPDATE resident SET full_name = full_name || '!' WHERE building_id = 1`);
  await db.none(`UPDATE resident SET building_id = 52 WHERE building_id IS NULL`);
  await db.none(`DELETE FROM resident WHERE building_id = 2`);
  assert.equal(await counts(), await truth());
  assert.is((await counts())[50], 3);
  await db.tx(async (t) => {
    await t.none('SET LOCAL session_replication_role = replica');
    await t.none(`INSERT INTO resident (full_name, building_id) SELECT 'Y', (g % 100) + 1 FROM generate_series(1, 1000) g`);
  });
  assert.equal(await counts(), await truth());
  await db.none('TRUNCATE resident CASCADE');
  assert.equal(await counts(), {});
});

test.run();
