// Cross-site request forgery: a page elsewhere cannot change state with the session cookie the
// browser attaches, and a JSON body is accepted only as application/json.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { builder } from '../helpers/build.ts';
import { TEST_NOW, HOUR } from '../helpers/clock.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let op: ReturnType<typeof client>;
let water: ReturnType<typeof client>;
const EVIL = 'http://evil.example';
const appeal = JSON.stringify({ categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах над кухнею після дощу' });
const appeals = () => db.one<{ n: number }>('SELECT count(*)::int n FROM appeal').then((r) => r.n);

test.before(async () => {
  ({ db } = await migratedDb('sec_csrf'));
  await seedCity(db);
  srv = await serve(createApp(testServices(db)));
  op = client(srv.url);
  assert.is((await op.signIn('operator1', PASSWORD)).status, 200);
  water = client(srv.url);
  assert.is((await water.signIn('vodokanal', PASSWORD)).status, 200);
});
test.after(() => srv.close());

test('a cross-site text/plain POST of an appeal is refused and registers nothing', async () => {
  const before = await appeals();
  const res = await op.fetch('/api/appeals', { method: 'POST', body: appeal, headers: { origin: EVIL, 'content-type': 'text/plain' } });
  assert.is(res.status, 403);
  assert.is((await res.json()).error, 'cross_origin');
  assert.is(await appeals(), before);
});

test('the browser\'s other signals are checked when Origin is absent: Sec-Fetch-Site, then Referer', async () => {
  const before = await appeals();
  for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { referer: `${EVIL}/form.html` }, { origin: 'null' }]) {
    const res = await op.fetch('/api/appeals', { method: 'POST', body: appeal, headers });
    assert.is(res.status, 403, JSON.stringify(headers));
    assert.is((await res.json()).error, 'cross_origin');
  }
  assert.is(await appeals(), before);
});

test('from our own origin, or from a client that is no browser, the same request goes through', async () => {
  const own = await op.fetch('/api/appeals', { method: 'POST', body: appeal, headers: { origin: srv.url, 'sec-fetch-site': 'same-origin' } });
  assert.is(own.status, 201);
  const referred = await op.fetch('/api/appeals', { method: 'POST', body: appeal, headers: { referer: `${srv.url}/desk` } });
  assert.is(referred.status, 201);
  assert.is((await op.post('/api/appeals', JSON.parse(appeal))).status, 201);
});

test('a JSON body labelled text/plain or as a form is refused with 415, even from our own origin', async () => {
  const before = await appeals();
  for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const res = await op.fetch('/api/appeals', { method: 'POST', body: appeal, headers: { origin: srv.url, 'content-type': type } });
    assert.is(res.status, 415, type);
    assert.is((await res.json()).error, 'unsupported_media_type');
  }
  assert.is(await appeals(), before);
});

test('a cross-site form cannot cancel an announcement', async () => {
  const id = await builder(db).announcement({ executor: CITY.vodokanal, utility: 'cold_water', buildings: [CITY.buildingCentre],
    startsAt: new Date(TEST_NOW.getTime() - HOUR), endsAt: new Date(TEST_NOW.getTime() + 5 * HOUR) });
  const res = await water.fetch(`/api/announcements/${id}/cancel`, {
    method: 'POST', body: 'reason=gotcha', headers: { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.is(res.status, 403);
  assert.is((await db.one('SELECT status FROM announcement WHERE id = $1', [id])).status, 'published');
  // The same form from our own origin is refused too: its body is not JSON.
  const own = await water.fetch(`/api/announcements/${id}/cancel`, {
    method: 'POST', body: 'reason=gotcha', headers: { origin: srv.url, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.is(own.status, 415);
  assert.is((await db.one('SELECT status FROM announcement WHERE id = $1', [id])).status, 'published');
});

test('sign-in without JavaScript (a urlencoded form from our origin) still works; from elsewhere it does not', async () => {
  const form = (origin: string) => fetch(`${srv.url}/api/auth/login`, {
    method: 'POST', redirect: 'manual',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: 'operator1', password: PASSWORD, next: '/desk' }).toString(),
  });
  const ok = await form(srv.url);
  assert.is(ok.status, 302);
  assert.is(ok.headers.get('location'), '/desk');
  assert.match(ok.headers.getSetCookie().join(';'), /misto_session=/);
  const evil = await form(EVIL);
  assert.is(evil.status, 403);
  assert.is(evil.headers.getSetCookie().length, 0);
});

test('the mail client\'s one-click unsubscribe (RFC 8058) needs no Origin of ours: its token is the proof', async () => {
  const res = await fetch(`${srv.url}/api/announcements/subscriptions/unsubscribe?token=${'a'.repeat(43)}`, {
    method: 'POST', headers: { origin: 'https://mail.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
  });
  assert.ok(res.status !== 403, `status ${res.status}`);
});

test.run();
