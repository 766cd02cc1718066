// GET /api/objects/{id}: what the map's popup shows, public, with the responsible organisation.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve } from '../helpers/http.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { insertKartaFixture, type KartaFixture } from './fixture.ts';

let srv: Awaited<ReturnType<typeof serve>>;
let fx: KartaFixture;
let db: Db;

test.before(async () => {
  ({ db } = await migratedDb('objects'));
  fx = await insertKartaFixture(db);
  srv = await serve(createApp(testServices(db)));
});
test.after(async () => { await srv.close(); });

test('a stop: kind, name, address, attributes, organisation and position, without signing in', async () => {
  const res = await fetch(`${srv.url}/api/objects/${fx.stop.id}`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('cache-control') ?? '', /public/);
  const o = await res.json();
  assert.is(o.id, fx.stop.id);
  assert.is(o.kind, 'stop');
  assert.is(o.name, 'Площа Ринок');
  assert.is(o.address, 'вул. Незалежності, 12');
  assert.equal(o.attributes, { routes: '3, 12, 27', shelter: true });
  assert.equal(o.organisation, { id: fx.orgId, code: 'elektroavtotrans', name: 'КП «Електроавтотранс»', nameEn: 'Elektroavtotrans',
    phone: '+380342123456', email: 'eat@misto.local' });
  assert.is(o.district, 'Центральний');
  assert.is(o.geometryType, 'POINT');
  assert.ok(Math.abs(o.lon - fx.stop.lon) < 1e-6 && Math.abs(o.lat - fx.stop.lat) < 1e-6);
  assert.type(o.updatedAt, 'string');
});

test('a cleaning zone without an organisation: a point on its surface, organisation null', async () => {
  const o = await (await fetch(`${srv.url}/api/objects/${fx.zoneId}`)).json();
  assert.is(o.kind, 'cleaning_zone');
  assert.is(o.organisation, null);
  assert.is(o.geometryType, 'POLYGON');
  const inside = await db.one<{ ok: boolean }>(
    `SELECT ST_Contains(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AS ok FROM infra_object WHERE id = $3`, [o.lon, o.lat, fx.zoneId]);
  assert.ok(inside.ok);
  assert.equal(o.attributes, { area_m2: 5400 });
});

test('an edit is visible on the next request (no stale cache)', async () => {
  await db.none(`UPDATE infra_object SET name = 'Вокзал', attributes = attributes || '{"routes": "1"}' WHERE id = $1`, [fx.stop.id]);
  const o = await (await fetch(`${srv.url}/api/objects/${fx.stop.id}`)).json();
  assert.is(o.name, 'Вокзал');
  assert.is(o.attributes.routes, '1');
});

test('unknown id → 404, malformed id → 400, both JSON', async () => {
  // Ids are bigint: a large well-formed id is simply not there.
  for (const unknown of ['987654', '99999999999']) {
    const missing = await fetch(`${srv.url}/api/objects/${unknown}`);
    assert.is(missing.status, 404, unknown);
    assert.is((await missing.json()).error, 'not_found');
  }
  for (const bad of ['abc', '-1', '1.5', '0', '1e3', '99999999999999999']) {
    const res = await fetch(`${srv.url}/api/objects/${bad}`);
    assert.is(res.status, 400, bad);
    const body = await res.json();
    assert.ok(['invalid_type', 'not_integer', 'too_small', 'too_big', 'invalid_id'].includes(body.error), `${bad}: ${body.error}`);
    assert.ok(body.message.length > 5, bad);
  }
});

test('the map configuration names the tile server (same origin by default)', async () => {
  assert.equal(await (await fetch(`${srv.url}/api/map/config`)).json(), { tileUrl: '' });
  const other = await serve(createApp(testServices(db, { tileUrl: 'https://tiles.example.org/' })));
  assert.equal(await (await fetch(`${other.url}/api/map/config`)).json(), { tileUrl: 'https://tiles.example.org' });
  await other.close();
});

test.run();
