// The registry stays a file a real tegola loads: only tegola's keys, mvt_postgis SQL with its
// tokens; styling lives beside it. Each layer declares its one table and geometry column, and the
// invalidation triggers cover exactly those tables: a registry whose table lacks them is refused.
// Also: tokens are replaced as tegola does, tiles:seed writes a z/x/y.pbf tree, and a lost LISTEN
// connection flushes the cache.
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

// Keys of tegola's config (tegola.io/documentation/configuration, mvtprovider/postgis/README.md).
const TEGOLA_KEYS = {
  root: ['webserver', 'cache', 'providers', 'maps', 'tile_buffer', 'observer'],
  webserver: ['port', 'hostname', 'uri_prefix', 'headers', 'ssl_cert', 'ssl_key', 'proxy_protocol'],
  provider: ['name', 'type', 'uri', 'srid', 'layers', 'host', 'port', 'database', 'user', 'password', 'ssl_mode', 'max_connections'],
  providerLayer: ['name', 'geometry_fieldname', 'id_fieldname', 'geometry_type', 'srid', 'sql', 'tablename', 'fields'],
  map: ['name', 'attribution', 'bounds', 'center', 'tile_buffer', 'layers', 'params'],
  mapLayer: ['name', 'provider_layer', 'min_zoom', 'max_zoom', 'default_tags', 'dont_simplify', 'dont_clip', 'dont_clean'],
};

test('tiles/config.toml uses only keys tegola knows, mvt_postgis layers with ST_AsMVTGeom and !BBOX!', () => {
  const cfg = parse(readFileSync(join(tilesDir, 'config.toml'), 'utf8')) as any;
  const only = (obj: object, allowed: string[], where: string) => {
    for (const k of Object.keys(obj)) assert.ok(allowed.includes(k), `${where}: "${k}" is not a tegola key`);
  };
  only(cfg, TEGOLA_KEYS.root, 'root');
  only(cfg.webserver, TEGOLA_KEYS.webserver, 'webserver');
  assert.is(cfg.providers.length, 1);
  for (const p of cfg.providers) {
    only(p, TEGOLA_KEYS.provider, 'provider');
    assert.is(p.type, 'mvt_postgis');
    assert.is(p.uri, '${DATABASE_URL}');
    for (const l of p.layers) {
      only(l, TEGOLA_KEYS.providerLayer, `layer ${l.name}`);
      assert.match(l.sql, /ST_AsMVTGeom\([^]*!BBOX!/);
      assert.match(l.sql, /&& ST_Expand\(!BBOX!/, `${l.name} uses the GiST index`);
      assert.match(l.sql, / AS gid/);
    }
  }
  for (const m of cfg.maps) {
    only(m, TEGOLA_KEYS.map, `map ${m.name}`);
    for (const l of m.layers) only(l, TEGOLA_KEYS.mapLayer, `map ${m.name} layer`);
  }
  assert.is(substituteEnv('${DATABASE_URL}', { DATABASE_URL: 'postgres://x' }), 'postgres://x');
});

test('the registry refuses what tegola would not serve or the style cannot draw', () => {
  const style = readFileSync(join(tilesDir, 'style', 'style.toml'), 'utf8');
  const base = readFileSync(join(tilesDir, 'config.toml'), 'utf8');
  assert.throws(() => parseRegistry(base.replace('provider_layer = "misto.stops"', 'provider_layer = "misto.nope"'), style), /unknown provider layer/);
  assert.throws(() => parseRegistry(base.replace('type = "mvt_postgis"', 'type = "postgis"'), style), /mvt_postgis/);
  assert.throws(() => parseRegistry(base, style.replace('[layers.kiosks]', '[layers.kiosks_renamed]')), /kiosks/);
  const r = loadRegistry();
  assert.equal([...r.maps.keys()], ['karta', 'announcements']);
  assert.is(r.maps.get('karta')!.layers.find((l) => l.name === 'stops')!.provider.table, 'infra_object');
});

test('each layer declares its table and geometry column once (tablename, geometry_fieldname); the registry reads the declaration', () => {
  const style = readFileSync(join(tilesDir, 'style', 'style.toml'), 'utf8');
  const base = readFileSync(join(tilesDir, 'config.toml'), 'utf8');
  const cfg = parse(base) as any;
  for (const l of cfg.providers[0].layers) {
    assert.type(l.tablename, 'string', `${l.name} declares its table`);
    assert.match(l.sql, new RegExp(`AS ${l.geometry_fieldname},`), `${l.name} yields its geometry as ${l.geometry_fieldname}`);
  }
  const r = loadRegistry();
  assert.equal(r.sources.map((s) => [s.table, s.geometryColumn]), [
    ['landuse', 'geom_3857'], ['district', 'geom_3857'], ['street', 'geom_3857'], ['building', 'geom_3857'],
    ['infra_object', 'geom_3857'], ['announcement', 'zone_3857'],
  ]);
  assert.equal(r.sources.find((s) => s.table === 'district')!.layers, ['misto.districts', 'misto.district_labels']);
  // Every served layer's table is among them, and only those.
  const served = new Set([...r.maps.values()].flatMap((m) => m.layers.map((l) => l.provider.table)));
  assert.equal([...served].sort(), r.sources.map((s) => s.table).sort());

  assert.throws(() => parseRegistry(base.replace('tablename = "building"\n', ''), style), /tablename of misto\.buildings/);
  assert.throws(() => parseRegistry(base.replace('tablename = "landuse"\n  geometry_fieldname = "geom_3857"', 'tablename = "landuse"\n  geometry_fieldname = "geom"'), style),
    /misto\.landuse must yield its geometry AS geom/);
  const otherColumn = base
    .replace('tablename = "district"\n  geometry_fieldname = "geom_3857"\n  geometry_type = "Point"', 'tablename = "district"\n  geometry_fieldname = "label_point"\n  geometry_type = "Point"')
    .replace('ST_AsMVTGeom(ST_PointOnSurface(d.geom_3857), !BBOX!, 4096, 64, true) AS geom_3857', 'ST_AsMVTGeom(ST_PointOnSurface(d.geom_3857), !BBOX!, 4096, 64, true) AS label_point');
  assert.throws(() => parseRegistry(otherColumn, style), /misto\.district_labels reads district\.label_point but misto\.districts reads district\.geom_3857/);
});

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

test('tokens: !BBOX! is the tile envelope in 3857, !ZOOM! and !PIXEL_WIDTH! as tegola computes them', () => {
  const layer = loadRegistry().maps.get('karta')!.layers.find((l) => l.name === 'stops')!;
  const t = { z: 14, x: 9316, y: 5632 };
  const sql = replaceTokens('!BBOX! !ZOOM! !PIXEL_WIDTH! !SCALE_DENOMINATOR! !X! !Y! !Z!', layer, t);
  const [minx, miny, maxx, maxy] = tileBox(t);
  const parts = sql.split(' ');
  const env = /^ST_MakeEnvelope\(([^)]*)\)$/.exec(parts[0])![1].split(',').map(Number);
  assert.ok(Math.abs(env[0] - minx) < 1e-6 && Math.abs(env[1] - miny) < 1e-6 && Math.abs(env[2] - maxx) < 1e-6 && Math.abs(env[3] - maxy) < 1e-6);
  assert.is(env[4], 3857);
  assert.is(parts[1], '14');
  assert.ok(Math.abs(Number(parts[2]) - (maxx - minx) / 256) < 1e-6);
  assert.ok(Math.abs(Number(parts[3]) - (maxx - minx) / 256 / 0.00028) < 1e-3);
  assert.equal(parts.slice(4), ['9316', '5632', '14']);
  assert.match(tileSql([layer], t), /^SELECT \(\(SELECT ST_AsMVT\(q,'stops',4096,'geom_3857','gid'\) AS data FROM \(/);
  assert.is(parseTile('3', '8', '0'), undefined);
  assert.equal(parseTile('3', '7', '7'), { z: 3, x: 7, y: 7 });
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
