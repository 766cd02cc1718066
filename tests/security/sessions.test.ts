// Sessions: the screen-pop streams (personal data) end the moment their session does — sign-out,
// a user disabled — on every instance; a session unused too long ends before its lifetime; and the
// tile documents name the configured public URL, never the request's Host.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { builder } from '../helpers/build.ts';
import { testClock } from '../helpers/clock.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity } from '../appeals/fixture.ts';
import { sse, until } from '../telephony/harness.ts';

let db: Db;
let a: Awaited<ReturnType<typeof serve>>;
let b: Awaited<ReturnType<typeof serve>>;
const clock = testClock();
const MINUTE = 60_000;
// A heartbeat far longer than any wait below: only the session's end can close a stream in time.
const settings = { sseHeartbeatMs: 600_000, sessionIdleMinutes: 120 };

test.before(async () => {
  ({ db } = await migratedDb('sec_sessions'));
  await seedCity(db);
  await builder(db).user('operator', { login: 'operator2', sip: 'PJSIP/102' });
  await builder(db).user('supervisor', { login: 'super1' });
  a = await serve(createApp(testServices(db, settings, clock)));
  b = await serve(createApp(testServices(db, settings, clock)));
});
test.after(async () => { await a.close(); await b.close(); });

async function as(url: string, login: string) {
  const c = client(url);
  assert.is((await c.signIn(login, PASSWORD)).status, 200);
  return c;
}
async function opened(url: string, cookie: string, path?: string) {
  const s = await sse(url, cookie, path);
  assert.is(s.status, 200);
  await s.next((e) => e.event === 'status' || e.event === 'board');
  return s;
}

test('signing out ends the desk stream at once, on this instance and on another', async () => {
  const op = await as(a.url, 'operator1');
  const here = await opened(a.url, op.cookie);
  const there = await opened(b.url, op.cookie);
  const t0 = performance.now();
  assert.is((await op.fetch('/api/auth/logout', { method: 'POST' })).status, 204);
  await until(() => here.ended && there.ended, 3000, 'both streams ended');
  assert.ok(performance.now() - t0 < 3000);
  // And they do not come back with the old cookie.
  assert.is((await sse(b.url, op.cookie)).status, 401);
});

test('another session of the same operator keeps its stream', async () => {
  const first = await as(a.url, 'operator2');
  const second = await as(a.url, 'operator2');
  const kept = await opened(b.url, second.cookie);
  const gone = await opened(b.url, first.cookie);
  await first.fetch('/api/auth/logout', { method: 'POST' });
  await until(() => gone.ended, 3000, 'the signed-out stream ended');
  await new Promise((r) => setTimeout(r, 300));
  assert.not.ok(kept.ended, 'the other session stays');
  kept.close();
});

test('disabling a user ends their streams at once, desk and wallboard, on every instance', async () => {
  const admin = await as(a.url, 'admin1');
  const sup = await as(b.url, 'super1');
  const board = await opened(b.url, sup.cookie, '/api/supervisor/events');
  const supId = (await db.one('SELECT id FROM app_user WHERE login = $1', ['super1'])).id;
  const res = await admin.fetch(`/api/admin/users/${supId}`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) });
  assert.is(res.status, 200);
  await until(() => board.ended, 3000, 'the wallboard stream ended');
  assert.is((await sup.get('/api/auth/me')).status, 401);
});

test('a session unused for longer than the idle timeout ends; one in use lives on', async () => {
  const idle = await as(a.url, 'operator1');
  const busy = await as(a.url, 'operator1');
  for (let i = 0; i < 3; i++) {
    clock.advance(100 * MINUTE);
    assert.is((await busy.get('/api/auth/me')).status, 200, `in use after ${(i + 1) * 100} min`);
  }
  assert.is((await idle.get('/api/auth/me')).status, 401);
  // A stream's heartbeat is not use: its session idles out all the same.
  const watcher = await as(a.url, 'operator1');
  const stream = await opened(a.url, watcher.cookie);
  clock.advance(121 * MINUTE);
  assert.is((await watcher.get('/api/auth/me')).status, 401);
  stream.close();
});

test('TileJSON, capabilities and styles name the configured public URL whatever the Host header says', async () => {
  const srv = await serve(createApp(testServices(db, { publicUrl: 'https://karta.misto.example' })));
  try {
    // node:http, so the forged Host header is sent as written.
    const get = (path: string) => new Promise<string>((resolve, reject) => {
      request(srv.url + path, { headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve(text));
      }).on('error', reject).end();
    });
    for (const path of ['/capabilities', '/capabilities/karta.json', '/maps/karta/style.json']) {
      const doc = await get(path);
      assert.not.match(doc, /evil\.example/, path);
      assert.match(doc, /https:\/\/karta\.misto\.example\//, path);
    }
  } finally { await srv.close(); }
});

test.run();
