// Precise invalidation: triggers NOTIFY the boxes of changed rows, the server drops exactly the
// cached tiles they touch (every map/layer built from that table, every zoom). The cache's own
// bookkeeping is tests/unit/tiles.test.ts.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { migratedDb } from '../helpers/db.ts';
import { serve } from '../helpers/http.ts';
import { testServices } from '../helpers/app.ts';
import type { Services } from '../../server/services.ts';
import { createApp } from '../../server/app.ts';
import { config } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { lonLatToTile } from '../../server/tiles/tile-math.ts';
import { CENTRE, FAR_STOP, insertCity } from './fixtures.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let services: Services;
let ids: Awaited<ReturnType<typeof insertCity>>;

test.before(async () => {
  ({ db } = await migratedDb('tiles_inval'));
  ids = await insertCity(db);
  services = testServices(db);
  services.tiles.listen();
  srv = await serve(createApp(services));
  await new Promise((r) => setTimeout(r, 200)); // LISTEN established
});
test.after(async () => {
  await services.tiles.close();
  await srv.close();
});

async function stopIds(t: { z: number; x: number; y: number }, layer = 'stops') {
  const res = await fetch(`${srv.url}/maps/karta/${layer}/${t.z}/${t.x}/${t.y}.pbf`);
  const cache = res.headers.get('x-cache');
  if (res.status === 204) return { ids: [] as number[], cache };
  const vt = new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer())));
  const l = vt.layers[layer];
  return { ids: Array.from({ length: l?.length ?? 0 }, (_, i) => Number(l.feature(i).id)).sort((a, b) => a - b), cache };
}

test('moving a stop shows at once in its old and new tiles; untouched tiles stay cached', async () => {
  const moved = ids.stops[0];
  const target = { lon: CENTRE.lon + 0.03, lat: CENTRE.lat - 0.02 };
  const oldTile = lonLatToTile(CENTRE.lon, CENTRE.lat, 16);
  const newTile = lonLatToTile(target.lon, target.lat, 16);
  const farTile = lonLatToTile(FAR_STOP.lon, FAR_STOP.lat, 16);
  const oldLow = lonLatToTile(CENTRE.lon, CENTRE.lat, 11);

  const before = await stopIds(oldTile);
  assert.ok(before.ids.includes(moved));
  assert.equal((await stopIds(newTile)).ids, []);
  assert.equal((await stopIds(farTile)).ids, [ids.stops[ids.stops.length - 1]]);
  await stopIds(oldLow);
  // The whole map tile caches the same rows under another key: it must go too.
  await fetch(`${srv.url}/maps/karta/${oldTile.z}/${oldTile.x}/${oldTile.y}.pbf`);
  assert.is((await stopIds(oldTile)).cache, 'HIT');
  assert.is((await stopIds(farTile)).cache, 'HIT');

  const notified = services.tiles.nextInvalidation();
  await db.none('UPDATE infra_object SET geom = ST_SetSRID(ST_MakePoint($1, $2), 4326) WHERE id = $3', [target.lon, target.lat, moved]);
  const inv = await notified;
  assert.is(inv.table, 'infra_object');
  assert.ok(inv.dropped >= 4, `dropped ${inv.dropped}`);

  const after = await stopIds(oldTile);
  assert.is(after.cache, 'MISS');
  assert.not.ok(after.ids.includes(moved));
  const arrived = await stopIds(newTile);
  assert.is(arrived.cache, 'MISS');
  assert.equal(arrived.ids, [moved]);
  const far = await stopIds(farTile);
  assert.is(far.cache, 'HIT', 'a tile the change does not touch stays cached');
  assert.is((await stopIds(oldLow)).cache, 'MISS');
  const whole = await fetch(`${srv.url}/maps/karta/${oldTile.z}/${oldTile.x}/${oldTile.y}.pbf`);
  assert.is(whole.headers.get('x-cache'), 'MISS');
});

test('a renamed building (no geometry change) invalidates its tiles; other tables leave them alone', async () => {
  const t = lonLatToTile(CENTRE.lon, CENTRE.lat - 0.0008, 17); // building "12"
  await fetch(`${srv.url}/maps/karta/buildings/${t.z}/${t.x}/${t.y}.pbf`);
  const stopsBefore = await stopIds(lonLatToTile(CENTRE.lon, CENTRE.lat, 16));
  assert.is((await stopIds(lonLatToTile(CENTRE.lon, CENTRE.lat, 16))).cache, 'HIT');
  const notified = services.tiles.nextInvalidation();
  await db.none(`UPDATE building SET house_number = '12А' WHERE id = $1`, [ids.buildings[0]]);
  assert.is((await notified).table, 'building');
  const res = await fetch(`${srv.url}/maps/karta/buildings/${t.z}/${t.x}/${t.y}.pbf`);
  assert.is(res.headers.get('x-cache'), 'MISS');
  const vt = new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer())));
  const numbers = Array.from({ length: vt.layers.buildings.length }, (_, i) => vt.layers.buildings.feature(i).properties.house_number);
  assert.ok(numbers.includes('12А'));
  // Stops are built from infra_object only: a building change keeps them.
  const stopsAfter = await stopIds(lonLatToTile(CENTRE.lon, CENTRE.lat, 16));
  assert.is(stopsAfter.cache, 'HIT');
  assert.equal(stopsAfter.ids, stopsBefore.ids);
});

test('a deleted row and a bulk insert (one statement, many rows) both reach the cache', async () => {
  const t = lonLatToTile(FAR_STOP.lon, FAR_STOP.lat, 16);
  assert.is((await stopIds(t)).ids.length, 1);
  let notified = services.tiles.nextInvalidation();
  await db.none(`DELETE FROM infra_object WHERE name = $1`, [FAR_STOP.name]);
  await notified;
  assert.equal((await stopIds(t)).ids, []);
  notified = services.tiles.nextInvalidation();
  await db.none(`INSERT INTO infra_object (kind, name, geom)
                 SELECT 'stop', 'Нова ' || i, ST_SetSRID(ST_MakePoint($1 + i * 0.000002, $2), 4326) FROM generate_series(1, 500) i`,
    [FAR_STOP.lon, FAR_STOP.lat]);
  const inv = await notified;
  assert.is(inv.boxes!.length, 1, 'many rows collapse into their extent');
  assert.is((await stopIds(t)).ids.length, 500);
});

test.run();
