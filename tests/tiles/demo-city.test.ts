// The tile server on the seeded demo city: every infrastructure kind reaches its layer with
// its id, and generalisation keeps every tile within 500 KB (all tiles of the city up to z13,
// the densest neighbourhood above).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { demoCity } from '../helpers/city.ts';
import { testServices } from '../helpers/app.ts';
import type { Services } from '../../server/services.ts';
import { config } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { lonLatToMercator, lonLatToTile, tileRange, type TileCoord } from '../../server/tiles/tile-math.ts';

let db: Db;
let services: Services;

test.before(async () => {
  ({ db } = await demoCity('tiles_demo'));
  services = testServices(db, { tileCacheBytes: 0 });
});
test.after(async () => { await services.tiles.close(); });

test('each infrastructure kind of the demo city is in its layer at z16, with its id and name', async () => {
  // The layer of each kind, as the registry declares it (style.toml `kinds`).
  const LAYER_OF: Record<string, string> = Object.fromEntries(services.tiles.legend('karta').layers.flatMap((e) => e.kinds.map((k) => [k, e.id])));
  const rows = await db.any<{ id: number; kind: string; name: string | null; lon: number; lat: number }>(
    `SELECT DISTINCT ON (kind) id, kind, name, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
     FROM infra_object ORDER BY kind, id`);
  for (const k of ['traffic_light', 'stop', 'container_site', 'kiosk']) assert.ok(rows.some((r) => r.kind === k), `demo city has ${k}`);
  for (const r of rows) {
    const t = lonLatToTile(r.lon, r.lat, 16);
    const res = await services.tiles.tile('karta', LAYER_OF[r.kind], '16', String(t.x), String(t.y));
    assert.is(res.status, 200, r.kind);
    const layer = new VectorTile(new PbfReader(new Uint8Array(res.body!))).layers[LAYER_OF[r.kind]];
    const f = Array.from({ length: layer.length }, (_, i) => layer.feature(i)).find((x) => x.id === r.id);
    assert.ok(f, `${r.kind} ${r.id} in its tile`);
    assert.is(f!.properties.kind, r.kind);
    if (r.name) assert.is(f!.properties.name, r.name);
  }
});

test('no karta tile of the demo city is over 500 KB at z10–z17', async () => {
  const b = (await services.tiles.tileJson('karta', '')).bounds as number[];
  const dense = await db.one<{ lon: number; lat: number }>(
    `SELECT ST_X(ST_Centroid(ST_Collect(centroid))) AS lon, ST_Y(ST_Centroid(ST_Collect(centroid))) AS lat
     FROM building GROUP BY ST_SnapToGrid(centroid, 0.005) ORDER BY count(*) DESC LIMIT 1`);
  const [x1, y1] = lonLatToMercator(b[0], b[1]);
  const [x2, y2] = lonLatToMercator(b[2], b[3]);
  let largest = 0;
  for (let z = 10; z <= 17; z++) {
    const tiles: TileCoord[] = [];
    if (z <= 13) {
      const r = tileRange([x1, y1, x2, y2], z);
      for (let x = r.minX; x <= r.maxX; x++) for (let y = r.minY; y <= r.maxY; y++) tiles.push({ z, x, y });
    } else {
      const c = lonLatToTile(dense.lon, dense.lat, z);
      for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) tiles.push({ z, x: c.x + dx, y: c.y + dy });
    }
    for (const t of tiles) {
      const res = await services.tiles.tile('karta', undefined, String(t.z), String(t.x), String(t.y));
      const n = res.body?.length ?? 0;
      assert.ok(n <= 500 * 1024, `${t.z}/${t.x}/${t.y} is ${(n / 1024).toFixed(0)} KB`);
      largest = Math.max(largest, n);
    }
  }
  assert.ok(largest > 10 * 1024, 'the city is really there');
});

test.run();
