// The audit log: reads of personal data and changes leave a row (ids, not phones), the rows cannot be
// changed or deleted, and only an admin searches and exports them.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { TEST_NOW } from '../helpers/clock.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let op: ReturnType<typeof client>;
let admin: ReturnType<typeof client>;
let analyst: ReturnType<typeof client>;

test.before(async () => {
  ({ db } = await migratedDb('sec_audit'));
  await seedCity(db);
  srv = await serve(createApp(testServices(db)));
  op = client(srv.url); assert.is((await op.signIn('operator1', PASSWORD)).status, 200);
  admin = client(srv.url); assert.is((await admin.signIn('admin1', PASSWORD)).status, 200);
  analyst = client(srv.url); assert.is((await analyst.signIn('analyst1', PASSWORD)).status, 200);
});
test.after(() => srv.close());

const rows = (action: string) => db.any('SELECT * FROM audit_log WHERE action = $1 ORDER BY id', [action]);

test('reading a resident, looking one up by phone and registering an appeal each leave a row without personal data', async () => {
  assert.is((await op.get(`/api/residents/${CITY.resident}`)).status, 200);
  const read = await rows('resident.read');
  assert.is(read.length, 1);
  assert.is(read[0].entity, 'resident');
  assert.is(read[0].entity_id, String(CITY.resident));
  assert.is(read[0].role, 'operator');
  assert.is(new Date(read[0].at).getTime(), TEST_NOW.getTime());
  assert.ok(read[0].request_id);
  assert.ok(read[0].client);
  assert.is((await op.get(`/api/residents/lookup?phone=${encodeURIComponent(CITY.residentPhone)}`)).status < 500, true);
  const lookup = await rows('resident.lookup');
  assert.is(lookup.length, 1);
  assert.not.match(JSON.stringify(lookup[0]), '501112233');
  const res = await op.post('/api/appeals', { categoryId: CITY.noWater, buildingId: CITY.buildingCentre, text: 'Немає води третій день' });
  assert.is(res.status, 201);
  const appeal = await res.json();
  const reg = await rows('appeal.register');
  assert.is(reg.length, 1);
  assert.is(reg[0].entity_id, String(appeal.id));
  assert.is(reg[0].status, 201);
  assert.is((await analyst.get(`/api/appeals/${appeal.id}`)).status, 200);
  assert.ok((await rows('appeal.read')).some((r) => r.role === 'analyst' && r.entity_id === String(appeal.id)));
});

test('a refused change leaves no change row', async () => {
  const before = (await rows('appeal.register')).length;
  assert.is((await op.post('/api/appeals', { categoryId: 'x' })).status, 400);
  assert.is((await rows('appeal.register')).length, before);
});

test('a path segment that is no plain id (a NUL byte) is answered 400 and audited without it, not a server error', async () => {
  const res = await op.get('/api/residents/%00');
  assert.is(res.status, 400);
  const last = await db.one("SELECT entity_id FROM audit_log WHERE action = 'resident.read' ORDER BY id DESC LIMIT 1");
  assert.is(last.entity_id, null);
});

test('rows cannot be updated, deleted or truncated', async () => {
  for (const sql of ['UPDATE audit_log SET action = $1', 'DELETE FROM audit_log WHERE action <> $1', 'TRUNCATE audit_log']) {
    let refused = false;
    await db.none(sql, ['x']).catch(() => { refused = true; });
    assert.ok(refused, sql);
  }
  assert.ok((await db.one('SELECT count(*)::int n FROM audit_log')).n > 0);
});

test('an admin searches and exports; nobody else may', async () => {
  const res = await admin.get('/api/admin/audit?entity=resident&limit=10');
  assert.is(res.status, 200);
  const found = await res.json();
  assert.ok(found.total >= 2);
  assert.ok(found.rows.every((r: { entity: string }) => r.entity === 'resident'));
  const reads = await (await admin.get('/api/admin/audit?action=resident.read')).json();
  assert.is(reads.total, 2);
  assert.ok(reads.rows.every((r: { action: string; login: string }) => r.action === 'resident.read' && r.login === 'operator1'));
  const csv = await admin.get('/api/admin/audit?format=csv');
  assert.match(csv.headers.get('content-type') ?? '', 'text/csv');
  const bytes = new Uint8Array(await csv.arrayBuffer());
  assert.equal([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
  for (const c of [op, analyst]) assert.is((await c.get('/api/admin/audit')).status, 403);
  assert.is((await fetch(`${srv.url}/api/admin/audit`)).status, 401);
  assert.is((await admin.get('/api/admin/audit?from=notadate')).status, 400);
});

test.run();
