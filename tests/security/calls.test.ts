// Calls and appeals: a call (its caller, its recordings) reaches an appeal only through the operator
// who took it, while it is recent and has no appeal yet; a call is read by its operator and admins.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { builder } from '../helpers/build.ts';
import { HOUR, at } from '../helpers/clock.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let op1: ReturnType<typeof client>;
let op2: ReturnType<typeof client>;
let admin: ReturnType<typeof client>;
let ids: { op1: number; op2: number };

test.before(async () => {
  ({ db } = await migratedDb('sec_calls'));
  await seedCity(db);
  await builder(db).user('operator', { login: 'operator2', sip: 'PJSIP/102' });
  ids = {
    op1: (await db.one('SELECT id FROM app_user WHERE login = $1', ['operator1'])).id,
    op2: (await db.one('SELECT id FROM app_user WHERE login = $1', ['operator2'])).id,
  };
  srv = await serve(createApp(testServices(db, { callAttachHours: 2 })));
  op1 = client(srv.url); assert.is((await op1.signIn('operator1', PASSWORD)).status, 200);
  op2 = client(srv.url); assert.is((await op2.signIn('operator2', PASSWORD)).status, 200);
  admin = client(srv.url); assert.is((await admin.signIn('admin1', PASSWORD)).status, 200);
});
test.after(() => srv.close());

const b = () => builder(db);
const endedCall = async (operator: number, endedMsAgo: number) => {
  const call = await b().call({ callerPhone: CITY.residentPhone, resident: CITY.resident, operator, enteredAt: at(-endedMsAgo - 5 * 60_000), answeredAt: at(-endedMsAgo - 4 * 60_000), hungupAt: at(-endedMsAgo) });
  await b().recording({ call, path: `2026/11/20/${call}.wav`, startedAt: at(-endedMsAgo - 4 * 60_000), endedAt: at(-endedMsAgo), bytes: 1000 });
  return call;
};
const register = async (c: ReturnType<typeof client>, callId: number, categoryId = CITY.noWater) => {
  const res = await c.post('/api/appeals', { categoryId, buildingId: CITY.buildingCentre, callId, text: 'Немає води третій день' });
  return { status: res.status, body: await res.json() };
};

test('another operator\'s ended call cannot be attached to a new appeal, nor its recording reached through it', async () => {
  const call = await endedCall(ids.op1, 10 * 60_000);
  const before = await db.one<{ n: number }>('SELECT count(*)::int n FROM appeal').then((r) => r.n);
  const r = await register(op2, call);
  assert.is(r.status, 403);
  assert.is(r.body.error, 'call_taken');
  assert.is(r.body.field, 'callId');
  assert.is(await db.one<{ n: number }>('SELECT count(*)::int n FROM appeal').then((x) => x.n), before);
  // Nor through an admin's hands: the call's own operator attaches it.
  assert.is((await register(admin, call)).body.error, 'call_taken');
});

test('the operator who took it attaches a recent call once; a second appeal of the same call is refused', async () => {
  const call = await endedCall(ids.op1, 30 * 60_000);
  const first = await register(op1, call);
  assert.is(first.status, 201);
  const detail = await (await op1.get(`/api/appeals/${first.body.id}`)).json();
  assert.is(detail.recordings.length, 1);
  const second = await register(op1, call, CITY.roofLeak);
  assert.is(second.status, 409);
  assert.is(second.body.error, 'call_has_appeal');
});

test('two registrations of one call racing: exactly one appeal gets it', async () => {
  const call = await endedCall(ids.op1, 60_000);
  const results = await Promise.all([register(op1, call), register(op1, call, CITY.roofLeak), register(op1, call)]);
  assert.equal(results.map((r) => r.status).sort(), [201, 409, 409]);
  assert.is((await db.one<{ n: number }>('SELECT count(*)::int n FROM appeal WHERE call_id = $1', [call])).n, 1);
});

test('a call that ended longer ago than the configured window cannot be attached; a call in progress can', async () => {
  const old = await endedCall(ids.op1, 2 * HOUR + 60_000);
  const r = await register(op1, old);
  assert.is(r.status, 409);
  assert.is(r.body.error, 'call_too_old');
  assert.equal(r.body.params, { hours: 2 });
  const edge = await endedCall(ids.op1, 2 * HOUR - 60_000);
  assert.is((await register(op1, edge)).status, 201);
  const live = await b().call({ callerPhone: CITY.residentPhone, operator: ids.op1, enteredAt: at(-3 * HOUR), answeredAt: at(-3 * HOUR), hungupAt: null });
  assert.is((await register(op1, live)).status, 201, 'a long call still in progress');
});

test('a call still ringing may be attached by the operator whose phone rings (in the PBX\'s spelling), not by another', async () => {
  const ringing = () => b().call({ callerPhone: CITY.residentPhone, operator: null, agentInterface: 'pjsip/101', enteredAt: at(-20_000), answeredAt: null, hungupAt: null });
  const other = await register(op2, await ringing());
  assert.is(other.status, 403);
  assert.is(other.body.error, 'call_taken');
  assert.is((await register(op1, await ringing())).status, 201);
});

test('GET /api/calls/:id answers the operator who took the call and admins, and refuses other operators', async () => {
  const call = await endedCall(ids.op1, 5 * 60_000);
  const own = await op1.get(`/api/calls/${call}`);
  assert.is(own.status, 200);
  assert.is((await own.json()).id, call);
  const other = await op2.get(`/api/calls/${call}`);
  assert.is(other.status, 403);
  assert.is((await other.json()).error, 'call_taken');
  assert.is((await admin.get(`/api/calls/${call}`)).status, 200);
  assert.is((await op2.get('/api/calls/999999')).status, 404);
});

test.run();
