// The registry on a real PostGIS: the invalidation triggers cover exactly the declared tables, and a
// registry whose table lacks them is refused; the prepared statement yields tegola's bytes,
// tiles:seed writes a z/x/y.pbf tree, and a lost LISTEN connection flushes the cache. What the
// file itself may hold and how tokens are replaced is tests/unit/tile-registry.test.ts.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { loadRegistry, parseRegistry, substituteEnv, tilesDir } from '../../server/tiles/registry.ts';
import { replaceTokens, tileSql } from '../../server/tiles/sql.ts';
import { lonLatToTile, parseTile, tileBox } from '../../server/tiles/tile-math.ts';
import { seedTiles } from '../../server/tiles/seed.ts';
import { checkTileSources, requireTileSources, triggerNames, triggerSql } from '../../server/tiles/check-sources.ts';
import { tilesRepo } from '../../server/tiles/tiles.repo.ts';
import { freePort, startProductProcess } from '../helpers/product-process.ts';
import { migratedDb } from '../helpers/db.ts';
import { testServices } from '../helpers/app.ts';
import { config } from '../../server/config.ts';
import { CENTRE, insertCity } from './fixtures.ts';

/** The real registry plus a layer `parcels` on a table of the test's own, loaded from a temp folder. */
function registryWithParcels(sql = `SELECT ST_AsMVTGeom(p.geom_3857, !BBOX!, 4096, 64, true) AS geom_3857, p.id AS gid
  FROM parcel p WHERE p.geom_3857 && ST_Expand(!BBOX!, 4 * !PIXEL_WIDTH!)`) {
  const dir = mkdtempSync(join(tmpdir(), 'misto-registry-'));
  mkdirSync(join(dir, 'style'));
  const config = readFileSync(join(tilesDir, 'config.toml'), 'utf8')
    .replace('[[maps]]', `  [[providers.layers]]
  name = "parcels"
  tablename = "parcel"
  geometry_fieldname = "geom_3857"
  geometry_type = "Polygon"
  id_fieldname = "gid"
  srid = 3857
  sql = """
  ${sql}
  """

[[maps]]`)
    .replace('  provider_layer = "misto.landuse"', '  provider_layer = "misto.parcels"\n  min_zoom = 14\n  max_zoom = 18\n\n  [[maps.layers]]\n  provider_layer = "misto.landuse"');
  writeFileSync(join(dir, 'config.toml'), config);
  writeFileSync(join(dir, 'style', 'style.toml'), readFileSync(join(tilesDir, 'style', 'style.toml'), 'utf8') + `
[layers.parcels]
title = { uk = "Ділянки", en = "Parcels" }
group = "basemap"
  [[layers.parcels.draw]]
  type = "line"
`);
  try { return loadRegistry(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('the invalidation triggers cover exactly the declared tables, on the declared columns: the real registry passes', async () => {
  const { db } = await migratedDb('tiles_sources');
  const repo = tilesRepo(db);
  const registry = loadRegistry();
  const triggers = await repo.invalidationTriggers();
  assert.equal([...new Set(triggers.map((t) => t.table))].sort(), registry.sources.map((s) => s.table).sort());
  for (const s of registry.sources) {
    const own = triggers.filter((t) => t.table === s.table);
    assert.equal(own.map((t) => t.trigger).sort(), triggerNames(s.table).sort());
    assert.ok(own.every((t) => t.column === s.geometryColumn && t.enabled), s.table);
  }
  assert.equal(await checkTileSources(repo, registry), { problems: [], unused: [], needTriggers: [] });
  await requireTileSources(repo, registry);
  // The declaration is held against what PostgreSQL plans, not against the SQL's text.
  assert.equal(await repo.tablesRead('SELECT b.id FROM building b JOIN street s ON s.id = b.street_id'), ['building', 'street']);
});

test('a layer on a table without the invalidation triggers is refused, naming the migration to write; with it, accepted', async () => {
  const { db } = await migratedDb('tiles_refuse');
  const repo = tilesRepo(db);
  await db.none(`CREATE TABLE parcel (id serial PRIMARY KEY, geom geometry(Polygon, 4326) NOT NULL,
                   geom_3857 geometry(Polygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED)`);
  const registry = registryWithParcels();
  assert.equal(registry.sources.find((s) => s.table === 'parcel'), { table: 'parcel', geometryColumn: 'geom_3857', layers: ['misto.parcels'] });

  const report = await checkTileSources(repo, registry);
  assert.equal(report.needTriggers, [{ table: 'parcel', column: 'geom_3857', missing: triggerNames('parcel') }]);
  assert.is(report.problems.length, 1);
  let refused: Error | undefined;
  await requireTileSources(repo, registry).catch((e: Error) => { refused = e; });
  assert.ok(refused, 'refused');
  const msg = refused!.message;
  assert.match(msg, 'table parcel (layer misto.parcels): no trigger parcel_tiles_ins, parcel_tiles_upd, parcel_tiles_del, parcel_tiles_trunc');
  assert.match(msg, 'Add a migration');
  assert.match(msg, "EXECUTE FUNCTION tiles_notify_changes('geom_3857')");

  // What the message says to do is what makes it pass, and the layer's changes then reach the cache.
  await db.none(triggerSql('parcel', 'geom_3857'));
  assert.equal(await checkTileSources(repo, registry), { problems: [], unused: [], needTriggers: [] });
  const services = testServices(db);
  try {
    services.tiles.listen();
    await new Promise((r) => setTimeout(r, 200));
    const notified = services.tiles.nextInvalidation();
    await db.none(`INSERT INTO parcel (geom) VALUES (ST_MakeEnvelope(24.71, 48.92, 24.712, 48.922, 4326))`);
    assert.is((await notified).table, 'parcel');
  } finally {
    await services.tiles.close();
  }

  // A disabled trigger, or one reporting another column, is as good as none.
  await db.none('ALTER TABLE parcel DISABLE TRIGGER parcel_tiles_upd');
  assert.equal((await checkTileSources(repo, registry)).problems, ['table parcel (layer misto.parcels): trigger parcel_tiles_upd is disabled']);
  await db.none('ALTER TABLE parcel ENABLE TRIGGER parcel_tiles_upd');
  await db.none(`DROP TRIGGER parcel_tiles_del ON parcel;
                 CREATE TRIGGER parcel_tiles_del AFTER DELETE ON parcel REFERENCING OLD TABLE AS old_rows
                 FOR EACH STATEMENT EXECUTE FUNCTION tiles_notify_changes('geom')`);
  assert.equal((await checkTileSources(repo, registry)).problems,
    ['table parcel (layer misto.parcels): trigger parcel_tiles_del reports column geom, the layers are built from geom_3857']);

  // A layer whose SQL reads a table it does not declare would miss that table's changes.
  const joined = registryWithParcels(`SELECT ST_AsMVTGeom(p.geom_3857, !BBOX!, 4096, 64, true) AS geom_3857, p.id AS gid, d.name
  FROM parcel p JOIN district d ON ST_Intersects(d.geom, p.geom) WHERE p.geom_3857 && ST_Expand(!BBOX!, 4 * !PIXEL_WIDTH!)`);
  assert.ok((await checkTileSources(repo, joined)).problems.includes('layer misto.parcels declares tablename = "parcel" but its SQL reads district, parcel'));

  // Triggers on a table no layer reads cost NOTIFYs only: reported, not refused.
  const logged: string[] = [];
  await requireTileSources(repo, loadRegistry(), (m) => logged.push(m));
  assert.equal(logged, ['tiles: table parcel has tile invalidation triggers but no layer of tiles/config.toml reads it']);
});

test('the product process refuses to start while a declared table lacks a trigger, and starts once it is back', async () => {
  const { db, url } = await migratedDb('tiles_boot');
  await db.none('DROP TRIGGER building_tiles_upd ON building');
  let refused = '';
  await startProductProcess(url, await freePort()).then(
    (p) => { p.child.kill('SIGTERM'); },
    (e: Error) => { refused = e.message; });
  assert.match(refused, 'the product exited');
  assert.match(refused, 'table building (layer misto.buildings): no trigger building_tiles_upd');
  assert.match(refused, 'CREATE TRIGGER building_tiles_upd AFTER UPDATE ON building');

  await db.none(triggerSql('building', 'geom_3857', ['building_tiles_upd']));
  const p = await startProductProcess(url, await freePort());
  try {
    assert.is((await fetch(`${p.url}/api/health`)).status, 200);
  } finally {
    p.child.kill('SIGTERM');
    await p.exited;
  }
});

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
