// Appeal registration under faults, with the product as a real process: SIGTERM while operators
// register (drained, exit 0), kill -9 and a restart, PostgreSQL stopped and started. Clients retry
// with the same request id, as the desk does; afterwards every request id has exactly one appeal,
// every appeal has its opening history, and no response was ever a 500.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, stopCluster } from '../../server/db/cluster.ts';
import { connect, type Db } from '../../server/db/db.ts';
import { migrate } from '../../server/db/migrate.ts';
import { client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { freePort, startProductProcess, type ProductProcess } from '../helpers/product-process.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'misto-faults-'));
chmodSync(dir, 0o755);
const cluster = { dir: join(dir, 'pg'), port: 54369 };
let db: Db;
let url: string;

test.before(async () => {
  url = startCluster(cluster);
  db = connect(url, 4);
  await migrate(db);
  await seedCity(db);
});
test.after(async () => {
  await db?.$pool.end();
  stopCluster(cluster, 'immediate');
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Statuses seen and errors met while registering `n` appeals, each retried until it is answered. */
interface Run { statuses: number[]; networkErrors: number; keys: string[]; done: Promise<void>; completed: () => number }

function registrationLoop(base: () => string, cookie: string, n: number, concurrency = 4, deadlineMs = 60_000): Run {
  const keys = Array.from({ length: n }, () => randomUUID());
  const statuses: number[] = [];
  let networkErrors = 0;
  let completed = 0;
  let next = 0;
  const end = performance.now() + deadlineMs;
  async function one(i: number) {
    while (performance.now() < end) {
      try {
        const res = await fetch(`${base()}/api/appeals`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', 'idempotency-key': keys[i] },
          body: JSON.stringify({ categoryId: CITY.roofLeak, residentId: CITY.resident, text: `Протікання даху, звернення ${i}` }),
        });
        statuses.push(res.status);
        await res.arrayBuffer();
        if (res.status === 200 || res.status === 201) { completed++; return; }
        if (res.status !== 503) throw new Error(`unexpected ${res.status}`);
      } catch (e) {
        if ((e as Error).message.startsWith('unexpected')) throw e;
        networkErrors++;
      }
      await sleep(100);
    }
    throw new Error(`request ${i} was never answered`);
  }
  const done = (async () => {
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < n) await one(next++);
    }));
  })();
  return { statuses, get networkErrors() { return networkErrors; }, keys, done, completed: () => completed };
}

async function until(check: () => boolean, ms = 30_000) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not reached');
    await sleep(20);
  }
}

/** One appeal per request id, each with its opening history; none other. */
async function assertIntact(keys: string[]) {
  const r = await db.one(`
    SELECT (SELECT count(*)::int FROM appeal WHERE request_id = ANY($1::uuid[])) AS appeals,
           (SELECT count(DISTINCT request_id)::int FROM appeal WHERE request_id = ANY($1::uuid[])) AS keys,
           (SELECT count(*)::int FROM appeal a WHERE request_id = ANY($1::uuid[])
               AND (SELECT count(*) FROM appeal_event e WHERE e.appeal_id = a.id AND e.kind IN ('created', 'assigned', 'notify')) <> 3) AS half`, [keys]);
  assert.equal(r, { appeals: keys.length, keys: keys.length, half: 0 });
}

async function signedInCookie(base: string) {
  const c = client(base);
  assert.is((await c.signIn('operator1', PASSWORD)).status, 200);
  return c.cookie;
}

test('SIGTERM while operators register: in-flight requests finish, the process exits 0, nothing is lost', async () => {
  const port = await freePort();
  let p: ProductProcess = await startProductProcess(url, port);
  const cookie = await signedInCookie(p.url);
  const run = registrationLoop(() => p.url, cookie, 80, 6);
  await until(() => run.completed() >= 15);
  p.child.kill('SIGTERM');
  const exit = await p.exited;
  assert.equal(exit, { code: 0, signal: null }, p.output.join(''));
  assert.match(p.output.join(''), /SIGTERM: draining/);
  const before = run.completed();
  // A new instance on the same port (a deploy); the clients' retries reach it.
  p = await startProductProcess(url, port);
  try {
    await run.done;
  } finally {
    p.child.kill('SIGTERM');
    await p.exited;
  }
  assert.ok(before >= 15 && before < 80, `completed before the restart: ${before}`);
  assert.not.ok(run.statuses.includes(500), JSON.stringify(run.statuses));
  await assertIntact(run.keys);
});

test('kill -9 and a restart during registration: retries with the same id make no second appeal', async () => {
  const port = await freePort();
  let p = await startProductProcess(url, port);
  const cookie = await signedInCookie(p.url);
  const run = registrationLoop(() => p.url, cookie, 60, 6);
  await until(() => run.completed() >= 20);
  p.child.kill('SIGKILL');
  assert.is((await p.exited).signal, 'SIGKILL');
  await sleep(300);
  p = await startProductProcess(url, port);
  try {
    await run.done;
  } finally {
    p.child.kill('SIGTERM');
    await p.exited;
  }
  assert.ok(run.networkErrors > 0, 'some requests were cut by the kill');
  assert.not.ok(run.statuses.includes(500), JSON.stringify(run.statuses));
  await assertIntact(run.keys);
});

test('PostgreSQL stopped and started during registration: 503s, then every appeal exactly once', async () => {
  const port = await freePort();
  const p = await startProductProcess(url, port);
  try {
    const cookie = await signedInCookie(p.url);
    const run = registrationLoop(() => p.url, cookie, 60, 6);
    await until(() => run.completed() >= 20);
    stopCluster(cluster, 'fast');
    await sleep(1000);
    startCluster(cluster);
    await run.done;
    assert.ok(run.statuses.includes(503), 'the outage was seen as 503');
    assert.ok(run.statuses.every((s) => s === 200 || s === 201 || s === 503), JSON.stringify([...new Set(run.statuses)]));
    await assertIntact(run.keys);
    // Idle pooled connections ended by a restart must not take the process down.
    stopCluster(cluster, 'fast');
    startCluster(cluster);
    await sleep(500);
    const health = await fetch(`${p.url}/api/health`).then((r) => r.status, () => 0);
    assert.is(health, 200, p.output.join('').slice(-2000));
  } finally {
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    assert.equal(exit, { code: 0, signal: null }, 'the product survived the restarts and stopped cleanly');
  }
});

test.run();
