// Security headers on every response the API and the tiles give, HSTS only over HTTPS, and
// personal-data JSON never stored by a browser or a proxy.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { builder } from '../helpers/build.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let op: ReturnType<typeof client>;
let admin: ReturnType<typeof client>;

test.before(async () => {
  ({ db } = await migratedDb('sec_headers'));
  await seedCity(db);
  srv = await serve(createApp(testServices(db, { trustProxy: true })));
  op = client(srv.url);
  assert.is((await op.signIn('operator1', PASSWORD)).status, 200);
  admin = client(srv.url);
  assert.is((await admin.signIn('admin1', PASSWORD)).status, 200);
});
test.after(() => srv.close());

const assertHardened = (res: Response, what: string) => {
  assert.is(res.headers.get('x-content-type-options'), 'nosniff', what);
  assert.is(res.headers.get('x-frame-options'), 'DENY', what);
  assert.is(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin', what);
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/, what);
};

test('JSON, errors, tiles and style documents all carry the headers', async () => {
  const paths = ['/api/health', '/api/auth/me', '/api/no-such-route', '/maps/karta/style.json', '/capabilities', '/maps/karta/14/9340/5604.pbf'];
  for (const p of paths) {
    const res = await fetch(srv.url + p);
    await res.arrayBuffer();
    assertHardened(res, p);
  }
  const refused = await op.fetch('/api/appeals', { method: 'POST', body: '{}', headers: { origin: 'http://evil.example' } });
  assertHardened(refused, 'a refusal');
});

test('HSTS only when the request came over HTTPS (through a trusted proxy)', async () => {
  const plain = await fetch(`${srv.url}/api/health`);
  assert.is(plain.headers.get('strict-transport-security'), null);
  const secure = await fetch(`${srv.url}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
  assert.match(secure.headers.get('strict-transport-security') ?? '', /^max-age=\d{7,}/);
});

test('personal data is sent with Cache-Control: no-store', async () => {
  const call = await builder(db).call({ operator: (await db.one('SELECT id FROM app_user WHERE login = $1', ['operator1'])).id, callerPhone: CITY.residentPhone });
  const appeal = await op.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах над кухнею після дощу' });
  const appealId = (await appeal.json()).id;
  const cases: [ReturnType<typeof client>, string][] = [
    [op, `/api/residents/card?phone=${encodeURIComponent(CITY.residentPhone)}`],
    [op, `/api/residents/${CITY.resident}`],
    [op, `/api/residents/${CITY.resident}/appeals`],
    [op, '/api/calls'],
    [op, `/api/calls/${call}`],
    [op, `/api/appeals/${appealId}`],
    [op, '/api/auth/me'],
    [admin, '/api/admin/users'],
  ];
  for (const [c, path] of cases) {
    const res = await c.get(path);
    assert.is(`${path} ${res.status}`, `${path} 200`);
    await res.arrayBuffer();
    assert.match(res.headers.get('cache-control') ?? '', /no-store/, path);
  }
  // Public data keeps its own caching.
  const karta = await fetch(`${srv.url}/api/map/config`);
  await karta.arrayBuffer();
  assert.is(karta.status, 200);
  assert.match(karta.headers.get('cache-control') ?? '', /public/);
});

test.run();
