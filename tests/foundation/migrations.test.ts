import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDb } from '../helpers/db.ts';
import { migrate, migrationsDir, loadMigrations } from '../../server/db/migrate.ts';

test('migrations apply on an empty database, in order, and a second run applies nothing', async () => {
  const { db } = await emptyDb('migrate');
  const first = await migrate(db);
  assert.equal(first, loadMigrations().map((m) => m.name));
  const rows = await db.any('SELECT version FROM schema_migration ORDER BY version');
  assert.equal(rows.map((r) => r.version), loadMigrations().map((m) => m.version));
  assert.equal(await migrate(db), []);
  const { postgis } = await db.one('SELECT postgis_lib_version() AS postgis');
  assert.match(postgis, /^3\./);
});

test('a changed, already-applied migration is refused with a clear message', async () => {
  const { db } = await emptyDb('tamper');
  const dir = mkdtempSync(join(tmpdir(), 'misto-mig-'));
  cpSync(migrationsDir, dir, { recursive: true });
  await migrate(db, dir);
  appendFileSync(join(dir, '002_city.sql'), '\n-- edited after release\n');
  try {
    await migrate(db, dir);
    assert.unreachable('tampered migration was accepted');
  } catch (e) {
    assert.match((e as Error).message, /002_city\.sql was changed after it was applied/);
  }
});

test('a failing migration leaves nothing behind (its own transaction)', async () => {
  const { db } = await emptyDb('failing');
  const dir = mkdtempSync(join(tmpdir(), 'misto-mig-'));
  cpSync(migrationsDir, dir, { recursive: true });
  const next = loadMigrations().at(-1)!.version + 1;
  appendFileSync(join(dir, `${next}_broken.sql`), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
  try { await migrate(db, dir); assert.unreachable(); } catch { /* expected */ }
  const { exists } = await db.one(`SELECT to_regclass('half_done') IS NOT NULL AS exists`);
  assert.is(exists, false);
  const { max } = await db.one('SELECT max(version) FROM schema_migration');
  assert.is(max, next - 1);
});

test.run();
