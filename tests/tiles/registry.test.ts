// The registry's SQL on a real PostGIS: the prepared statement yields tegola's bytes, tiles:seed
// writes a z/x/y.pbf tree, and a lost LISTEN connection flushes the cache. What the file itself
// may hold and how tokens are replaced is tests/unit/tile-registry.test.ts.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { loadRegistry } from '../../server/tiles/registry.ts';
import { tileSql } from '../../server/tiles/sql.ts';
import { lonLatToTile } from '../../server/tiles/tile-math.ts';
import { seedTiles } from '../../server/tiles/seed.ts';
import { migratedDb } from '../helpers/db.ts';
import { testServices } from '../helpers/app.ts';
import { config } from '../../server/config.ts';
import { CENTRE, insertCity } from './fixtures.ts';

test('the prepared statement the server runs yields the very bytes of tegola\'s literal statement', async () => {
  const { db } = await migratedDb('tiles_prepared');
  await insertCity(db);
  const services = testServices(db);
  try {
    const karta = loadRegistry().maps.get('karta')!;
    for (const z of [10, 12, 14, 16, 18]) {
      const t = lonLatToTile(CENTRE.lon, CENTRE.lat, z);
      const layers = karta.layers.filter((l) => z >= l.minZoom && z <= l.maxZoom);
      const literal = (await db.one<{ data: Buffer }>(tileSql(layers, t))).data;
      const prepared = (await db.one<{ data: Buffer }>(services.tiles.statement('karta', undefined, t))).data;
      assert.ok(literal.length > 0, `z${z} has features`);
      assert.equal(prepared, literal, `z${z}`);
    }
  } finally {
    await services.tiles.close();
  }
});

test('tiles:seed writes the raw z/x/y.pbf tree of a bbox, skipping empty tiles', async () => {
  const { db } = await migratedDb('tiles_seed');
  await insertCity(db);
  const services = testServices(db, { tileCacheBytes: 0 });
  const out = mkdtempSync(join(tmpdir(), 'misto-tiles-'));
  try {
    const d = 0.004;
    const seen: number[] = [];
    const r = await seedTiles(services.tiles, {
      map: 'karta', minZoom: 14, maxZoom: 16, out, bbox: [CENTRE.lon - d, CENTRE.lat - d, CENTRE.lon + d, CENTRE.lat + d],
      concurrency: 3, progress: (done) => seen.push(done),
    });
    assert.is(seen.length, r.total);
    assert.is(seen[seen.length - 1], r.total);
    assert.ok(r.written > 0 && r.written <= r.total);
    const c = lonLatToTile(CENTRE.lon, CENTRE.lat, 16);
    const file = join(out, '16', String(c.x), `${c.y}.pbf`);
    const vt = new VectorTile(new PbfReader(new Uint8Array(readFileSync(file))));
    assert.ok(vt.layers.stops.length >= 3, 'raw MVT, not compressed');
    assert.equal(readdirSync(out).sort(), ['14', '15', '16']);
  } finally {
    rmSync(out, { recursive: true, force: true });
    await services.tiles.close();
  }
});

test('a lost LISTEN connection flushes the cache (changes made meanwhile are not missed)', async () => {
  const { db } = await migratedDb('tiles_flush');
  await insertCity(db);
  const services = testServices(db);
  try {
    const t = lonLatToTile(CENTRE.lon, CENTRE.lat, 16);
    await services.tiles.tile('karta', 'stops', '16', String(t.x), String(t.y));
    assert.is(services.tiles.stats().entries, 1);
    await new Promise((r) => setTimeout(r, 200));
    const flushed = new Promise((r) => services.tiles.events.once('flush', r));
    await db.any(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                  WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`);
    await flushed;
    assert.is(services.tiles.stats().entries, 0);
    assert.is(services.tiles.stats().flushes, 1);
  } finally {
    await services.tiles.close();
  }
});

test.run();
