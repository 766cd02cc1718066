// /api/health follows the database: 503 while it is stopped, 200 again once it is back,
// without restarting the server. Uses a cluster of its own so other tests are not disturbed.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, stopCluster } from '../../server/db/cluster.ts';
import { connect, type Db } from '../../server/db/db.ts';
import { migrate } from '../../server/db/migrate.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import { serve } from '../helpers/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'misto-health-'));
chmodSync(dir, 0o755);
const cluster = { dir: join(dir, 'pg'), port: 54349 };
let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;

test.before(async () => {
  db = connect(startCluster(cluster), 4);
  await migrate(db);
  srv = await serve(createApp(testServices(db)));
});
test.after(async () => {
  await srv.close();
  await db.$pool.end();
  stopCluster(cluster, 'immediate');
  rmSync(dir, { recursive: true, force: true });
});

const health = async () => {
  const res = await fetch(srv.url + '/api/health');
  return { status: res.status, body: await res.json() };
};

async function eventually(status: number) {
  for (let i = 0; i < 50; i++) {
    const h = await health();
    if (h.status === status) return h;
    await new Promise((r) => setTimeout(r, 100));
  }
  return health();
}

test('200 with PostGIS version and migration count', async () => {
  const h = await health();
  assert.is(h.status, 200);
  assert.is(h.body.status, 'ok');
  assert.match(h.body.postgis, /^3\.\d+\.\d+/);
  assert.ok(h.body.migrations >= 6);
});

test('503 with a reason while the database is stopped, 200 after it restarts', async () => {
  stopCluster(cluster, 'fast');
  const down = await eventually(503);
  assert.is(down.status, 503);
  assert.is(down.body.status, 'unavailable');
  assert.match(down.body.reason, /^database: /);
  startCluster(cluster);
  const up = await eventually(200);
  assert.is(up.status, 200);
  assert.is(up.body.status, 'ok');
});

test.run();
