import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { builder } from '../helpers/build.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import { requireRole } from '../../server/auth/guard.ts';
import { hashPassword, verifyPassword } from '../../server/auth/passwords.ts';

let srv: Awaited<ReturnType<typeof serve>>;

test.before(async () => {
  const { db } = await migratedDb('auth');
  await builder(db).executor({ id: 1, code: 'vodokanal', name: 'Водоканал', nameEn: null, kind: 'utility' });
  await createUser(db, 'operator1', 'operator');
  await createUser(db, 'analyst1', 'analyst');
  await createUser(db, 'vodokanal', 'executor', { executorId: 1 });
  const app = createApp(testServices(db), {
    // A guarded route mounted like the domains mount theirs.
    ui: new Router().get('/probe/desk', requireRole('operator', 'admin'), (ctx) => { ctx.body = 'desk'; }).routes() as unknown as Middleware,
  });
  srv = await serve(app);
});
test.after(() => srv.close());

test('passwords are hashed with scrypt and verified', async () => {
  const h = await hashPassword('секрет');
  assert.match(h, /^scrypt\$32768\$8\$1\$/);
  assert.ok(await verifyPassword('секрет', h));
  assert.not.ok(await verifyPassword('секрет!', h));
});

test('sign-in sets an httpOnly SameSite session cookie and /me answers the user', async () => {
  const c = client(srv.url);
  const res = await c.signIn('operator1', PASSWORD);
  assert.is(res.status, 200);
  const setCookie = res.headers.getSetCookie().join(';').toLowerCase();
  assert.match(setCookie, /httponly/);
  assert.match(setCookie, /samesite=lax/);
  const me = await (await c.get('/api/auth/me')).json();
  assert.is(me.user.login, 'operator1');
  assert.is(me.user.role, 'operator');
  assert.not.ok('passwordHash' in me.user);
});

test('a wrong password or unknown login gets 401 and no cookie', async () => {
  const c = client(srv.url);
  const wrong = await c.signIn('operator1', 'nope');
  assert.is(wrong.status, 401);
  assert.is((await wrong.json()).message, 'Wrong login or password');
  assert.is((await c.signIn('ghost', PASSWORD)).status, 401);
  assert.is(c.cookie, '');
  assert.is((await c.get('/api/auth/me')).status, 401);
});

test('role guard: anonymous 401, wrong role 403, right role 200', async () => {
  assert.is((await client(srv.url).get('/probe/desk')).status, 401);
  const analyst = client(srv.url);
  await analyst.signIn('analyst1', PASSWORD);
  const denied = await analyst.get('/probe/desk');
  assert.is(denied.status, 403);
  assert.match((await denied.json()).message, /operator, admin/);
  const op = client(srv.url);
  await op.signIn('operator1', PASSWORD);
  assert.is((await op.get('/probe/desk')).status, 200);
});

test('sign-out ends the session on the server', async () => {
  const c = client(srv.url);
  await c.signIn('vodokanal', PASSWORD);
  const saved = c.cookie;
  assert.is((await c.fetch('/api/auth/logout', { method: 'POST' })).status, 204);
  const replay = await fetch(srv.url + '/api/auth/me', { headers: { cookie: saved } });
  assert.is(replay.status, 401);
});

test('a form sign-in redirects to a same-site next path only', async () => {
  const form = (next: string) => fetch(srv.url + '/api/auth/login', {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: 'operator1', password: PASSWORD, next }),
  });
  assert.is((await form('/desk')).headers.get('location'), '/desk');
  assert.is((await form('//evil.example')).headers.get('location'), '/');
});

test('malformed bodies get 400 with a message', async () => {
  const res = await fetch(srv.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"login":' });
  assert.is(res.status, 400);
  assert.is((await res.json()).message, 'Body is not valid JSON');
  const missing = await client(srv.url).post('/api/auth/login', { login: 'operator1' });
  assert.is(missing.status, 400);
  assert.is((await missing.json()).message, '"password" is required');
});

test.run();
