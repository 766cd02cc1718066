// Mail flood: anyone may ask for a subscription, so the city must not send unlimited confirmation
// mails to an address someone else names, nor at the asking of one client.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve } from '../helpers/http.ts';
import { testServices } from '../helpers/app.ts';
import { testClock, HOUR, DAY } from '../helpers/clock.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedGrid, buildingId } from '../announcements/fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
const clock = testClock();

test.before(async () => {
  ({ db } = await migratedDb('sec_mail_flood'));
  await seedGrid(db);
  srv = await serve(createApp(testServices(db, { trustProxy: true, publicUrl: 'http://misto.test' }, clock)));
});
test.after(() => srv.close());

const subscribe = (email: string, building: number, client: string) => fetch(`${srv.url}/api/announcements/subscriptions`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: JSON.stringify({ email, buildingId: building }),
});
const mailsTo = (email: string) => db.one<{ n: number }>('SELECT count(*)::int n FROM outbox_mail WHERE lower(to_addr) = lower($1)', [email]).then((r) => r.n);

test('20 requests for one address from many clients: 3 confirmation mails, then 429 too_many_mails with Retry-After', async () => {
  const victim = 'victim@example.org';
  const statuses: number[] = [];
  let refused: Response | undefined;
  for (let i = 0; i < 20; i++) {
    const res = await subscribe(i % 2 ? victim : victim.toUpperCase(), buildingId(i % 10, 0), `203.0.113.${i + 1}`);
    statuses.push(res.status);
    if (res.status === 429) refused = res; else await res.arrayBuffer();
  }
  assert.equal(statuses, [202, 202, 202, ...Array(17).fill(429)]);
  assert.is(await mailsTo(victim), 3);
  const body = await refused!.json();
  assert.is(body.error, 'too_many_mails');
  assert.is(refused!.headers.get('retry-after'), String(DAY / 1000));
  // A day later the address may be mailed again.
  clock.advance(DAY);
  assert.is((await subscribe(victim, buildingId(0, 1), '203.0.113.50')).status, 202);
  assert.is(await mailsTo(victim), 4);
});

test('20 requests from one client to many addresses: 10 mails an hour, other clients unaffected', async () => {
  const client = '198.51.100.20';
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await subscribe(`flood${i}@example.org`, buildingId(1, 1), client);
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  assert.equal(statuses, [...Array(10).fill(202), ...Array(10).fill(429)]);
  const sent = await db.one<{ n: number }>(`SELECT count(*)::int n FROM outbox_mail WHERE to_addr LIKE 'flood%@example.org'`);
  assert.is(sent.n, 10);
  assert.is((await subscribe('neighbour@example.org', buildingId(1, 1), '198.51.100.21')).status, 202);
  clock.advance(HOUR);
  assert.is((await subscribe('flood99@example.org', buildingId(1, 1), client)).status, 202);
});

test.run();
