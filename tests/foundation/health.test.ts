// The product follows its database without restarting: /api/health says 503 while it is stopped
// (without telling anonymous callers internal addresses), signed-in users get 503 "unavailable" —
// not 401 or the login page — and requests cut by a fast shutdown of PostgreSQL get 503 too.
// Uses a cluster of its own so other tests are not disturbed.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, stopCluster } from '../../server/db/cluster.ts';
import { connect, type Db } from '../../server/db/db.ts';
import { migrate } from '../../server/db/migrate.ts';
import { startProduct } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'misto-health-'));
chmodSync(dir, 0o755);
const cluster = { dir: join(dir, 'pg'), port: 54349 };
let db: Db;
let url: string;
let app: Awaited<ReturnType<typeof startProduct>>;

test.before(async () => {
  url = startCluster(cluster);
  db = connect(url, 6);
  await migrate(db);
  await seedCity(db);
  app = await startProduct(db);
});
test.after(async () => {
  await app?.close();
  await db?.$pool.end();
  stopCluster(cluster, 'immediate');
  rmSync(dir, { recursive: true, force: true });
});

const health = async () => {
  const res = await fetch(app.url + '/api/health');
  return { status: res.status, body: await res.json() };
};

async function eventually<T>(get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await get();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return get();
}

test('200 with PostGIS version and migration count', async () => {
  const h = await health();
  assert.is(h.status, 200);
  assert.is(h.body.status, 'ok');
  assert.match(h.body.postgis, /^3\.\d+\.\d+/);
  assert.ok(h.body.migrations >= 6);
});

test('while the database is stopped: 503 everywhere it is needed, the session kept, no internals told', async () => {
  const op = client(app.url);
  assert.is((await op.signIn('operator1', PASSWORD)).status, 200);
  stopCluster(cluster, 'fast');
  try {
    const down = await eventually(health, (h) => h.status === 503);
    assert.is(down.status, 503);
    assert.equal(down.body, { status: 'unavailable', reason: 'database' });
    assert.not.match(JSON.stringify(down.body), /ECONN|127\.0\.0\.1|\d{4,5}/);

    // The signed-in operator is not told to sign in again.
    const me = await op.get('/api/auth/me');
    assert.is(me.status, 503);
    assert.is((await me.json()).error, 'database_unavailable');
    const appeals = await op.get(`/api/residents/${CITY.resident}/appeals`);
    assert.is(appeals.status, 503);
    assert.ok(appeals.headers.get('retry-after'));
    // The desk page is a 503 page in the shell, not a redirect to /login.
    const page = await op.get('/desk');
    assert.is(page.status, 503);
    assert.match(await page.text(), /Сервіс тимчасово недоступний/);
    // An anonymous visitor of a guarded page still goes to the login form.
    assert.is((await client(app.url).get('/desk')).status, 303);
  } finally {
    startCluster(cluster);
  }
  const up = await eventually(health, (h) => h.status === 200);
  assert.is(up.body.status, 'ok');
  assert.is((await op.get('/api/auth/me')).status, 200, 'the same session works again');
});

test('requests cut off by a fast shutdown of PostgreSQL answer 503, not 500', async () => {
  await createUser(db, 'zhek-x', 'executor', { executorId: CITY.zhek1 });
  const exec = client(app.url);
  await exec.signIn('zhek-x', PASSWORD);
  const op = client(app.url);
  await op.signIn('operator1', PASSWORD);
  const a = await (await op.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Протікає дах біля ліфта' })).json();
  // Hold the appeal's row so the executor's change is in flight when PostgreSQL goes down.
  const holder = connect(url, 1, { statementTimeoutMs: 0, lockTimeoutMs: 0 });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const tx = holder.tx(async (t) => { await t.any('SELECT 1 FROM appeal WHERE id = $1 FOR UPDATE', [a.id]); locked(); await held; }).catch(() => {});
  await isLocked;
  const change = exec.fetch(`/api/appeals/${a.id}`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) });
  await eventually(() => db.one(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`), (r) => r.n === 1);
  stopCluster(cluster, 'fast');
  try {
    const res = await change;
    assert.is(res.status, 503);
    assert.is((await res.json()).error, 'database_unavailable');
  } finally {
    release();
    await tx;
    await holder.$pool.end();
    startCluster(cluster);
  }
  await eventually(health, (h) => h.status === 200);
  assert.is((await db.one('SELECT status FROM appeal WHERE id = $1', [a.id])).status, 'new');
});

test.run();
