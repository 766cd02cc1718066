// Sign-in throttling: a hundred wrong passwords in a row do not buy a hundred guesses, the answer
// says so with a stable code and Retry-After, the operator is not locked out by an attacker on
// another address, and a password with NUL characters is not taken for the password.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { testClock } from '../helpers/clock.ts';
import { createApp } from '../../server/app.ts';
import { waitAfter, LIMITS } from '../../server/auth/throttle.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
const clock = testClock();

test.before(async () => {
  ({ db } = await migratedDb('sec_throttle'));
  for (const login of ['operator1', 'operator2', 'operator3', 'operator4']) await createUser(db, login, 'operator');
  // X-Forwarded-For names the client's address (TRUST_PROXY), so the test can play many addresses.
  srv = await serve(createApp(testServices(db, { trustProxy: true }, clock)));
});
test.after(() => srv.close());

const signIn = (login: string, password: string, from = '198.51.100.7') => fetch(`${srv.url}/api/auth/login`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ login, password }),
});
const SECOND = 1000;

test('the wait doubles after the free attempts and stops at its cap', () => {
  assert.equal([1, 5, 6, 7, 8, 15].map((n) => waitAfter(n, LIMITS.pair)), [0, 0, 1, 2, 4, 512]);
  assert.is(waitAfter(40, LIMITS.pair), 900);
  assert.is(waitAfter(100, LIMITS.account), 60);
});

test('100 wrong passwords in a row: from the sixth on 429 with Retry-After, and then the right one is refused too', async () => {
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 100; i++) {
    last = await signIn('operator1', `wrong-${i}`);
    statuses.push(last.status);
    if (last.status === 429) break;
    await last.arrayBuffer();
  }
  assert.equal(statuses, [401, 401, 401, 401, 401, 401, 429]);
  const body = await last!.json();
  assert.is(body.error, 'too_many_sign_ins');
  assert.is(last!.headers.get('retry-after'), '1');
  assert.is(body.params.seconds, 1);
  // Even the right password waits: nothing is checked while the key waits.
  const right = await signIn('operator1', PASSWORD);
  assert.is(right.status, 429);
  await right.arrayBuffer();
  // Each further failure after the wait doubles it.
  clock.advance(1 * SECOND);
  assert.is((await signIn('operator1', 'wrong-again')).status, 401);
  const next = await signIn('operator1', PASSWORD);
  assert.is(next.status, 429);
  assert.is(next.headers.get('retry-after'), '2');
  await next.arrayBuffer();
  clock.advance(2 * SECOND);
  const ok = await signIn('operator1', PASSWORD);
  assert.is(ok.status, 200);
  await ok.arrayBuffer();
  // Signed in: the count from this address starts again.
  assert.is((await signIn('operator1', 'wrong-after')).status, 401);
  assert.is((await signIn('operator1', PASSWORD)).status, 200);
});

test('an attacker on other addresses does not lock the operator out of their own workstation', async () => {
  const desk = '192.0.2.10';
  assert.is((await signIn('operator2', PASSWORD, desk)).status, 200);
  // A botnet: a few guesses from each of many addresses, far past the account-wide limit.
  for (let a = 1; a <= 12; a++) for (let i = 0; i < 3; i++) await (await signIn('operator2', `guess-${a}-${i}`, `203.0.113.${a}`)).arrayBuffer();
  const fresh = await signIn('operator2', 'guess-new', '203.0.113.99');
  assert.is(fresh.status, 429, 'the account-wide limit holds for a new address');
  await fresh.arrayBuffer();
  // The operator's own address has signed in before: only its own count applies to it.
  const own = await signIn('operator2', PASSWORD, desk);
  assert.is(own.status, 200);
  await own.arrayBuffer();
  // The account-wide wait is short: a new address of the operator's gets in within a minute.
  clock.advance(61 * SECOND);
  assert.is((await signIn('operator2', PASSWORD, '192.0.2.20')).status, 200);
});

test('one address spraying a password over many accounts is throttled as an address', async () => {
  const from = '198.51.100.66';
  const statuses: number[] = [];
  for (let i = 0; i < 25; i++) {
    const res = await signIn(i % 2 ? 'operator3' : `nobody${i}`, `spray-${i % 5}`, from);
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  assert.ok(statuses.includes(429), statuses.join(','));
  const other = await signIn('operator4', PASSWORD, '198.51.100.67');
  assert.is(other.status, 200, 'another address is not affected');
});

test('the throttle holds across instances: its counts are in PostgreSQL', async () => {
  const second = await serve(createApp(testServices(db, { trustProxy: true }, clock)));
  try {
    const res = await fetch(`${second.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.66' },
      body: JSON.stringify({ login: 'operator3', password: PASSWORD }),
    });
    assert.is(res.status, 429);
    await res.arrayBuffer();
  } finally { await second.close(); }
});

test('a sign-in form that is throttled goes back to the page with a message, not to a JSON error', async () => {
  const res = await fetch(`${srv.url}/api/auth/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.66' },
    body: new URLSearchParams({ login: 'operator3', password: PASSWORD }).toString(),
  });
  assert.is(res.status, 302);
  assert.match(res.headers.get('location') ?? '', /^\/login\?error=throttled/);
  assert.ok(Number(res.headers.get('retry-after')) >= 1);
});

test('trailing NUL characters in a password are refused, in JSON and in a form', async () => {
  for (const pw of [`${PASSWORD}\u0000`, `${PASSWORD}\u0000\u0000\u0000`]) {
    const json = await signIn('operator4', pw, '198.51.100.90');
    assert.is(json.status, 400);
    assert.is((await json.json()).error, 'invalid_text');
    const form = await fetch(`${srv.url}/api/auth/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.90' },
      body: `login=operator4&password=${encodeURIComponent(pw)}`,
    });
    assert.is(form.status, 400);
    assert.is(form.headers.getSetCookie().length, 0);
  }
});

test.run();
