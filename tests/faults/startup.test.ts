// Two instances started at the same moment on an empty database (a deploy of a cluster): one
// creates the extensions, migrates and seeds; the other waits for it and finds the city ready.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { emptyDb } from '../helpers/db.ts';
import { freePort, startProductProcess } from '../helpers/product-process.ts';

test('two instances on an empty database: migrated once, seeded once, both serve', async () => {
  const { db, url } = await emptyDb('two_starts');
  const [a, b] = await Promise.all([
    (async () => startProductProcess(url, await freePort(), { SEED_PRESET: 'small' }))(),
    (async () => startProductProcess(url, await freePort(), { SEED_PRESET: 'small' }))(),
  ]);
  try {
    for (const p of [a, b]) assert.is((await fetch(`${p.url}/api/health`)).status, 200, p.output.join(''));
    const r = await db.one(`SELECT (SELECT count(*)::int FROM building) AS buildings, (SELECT count(*)::int FROM schema_migration) AS migrations,
      (SELECT count(*)::int FROM pg_extension WHERE extname IN ('postgis', 'pg_trgm')) AS extensions`);
    assert.is(r.buildings, 900, 'the small preset, loaded once');
    assert.is(r.extensions, 2);
    assert.ok(r.migrations > 10);
  } finally {
    for (const p of [a, b]) { p.child.kill('SIGTERM'); await p.exited; }
  }
});

test.run();
