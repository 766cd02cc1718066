// The registry stays a file a real tegola loads: only tegola's keys, mvt_postgis SQL with its
// tokens; styling lives beside it. Also: tokens are replaced as tegola does, tiles:seed writes
// a z/x/y.pbf tree, and a lost LISTEN connection flushes the cache.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { loadRegistry, parseRegistry, substituteEnv, tilesDir } from '../../server/tiles/registry.ts';
import { replaceTokens, tileSql } from '../../server/tiles/sql.ts';
import { lonLatToTile, parseTile, tileBox } from '../../server/tiles/tile-math.ts';
import { seedTiles } from '../../server/tiles/seed.ts';
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
  assert.equal(r.maps.get('karta')!.layers.find((l) => l.name === 'stops')!.provider.tables, ['infra_object']);
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
  assert.match(tileSql([layer], t), /^SELECT \(\(SELECT ST_AsMVT\(q,'stops',4096,'geom','gid'\) AS data FROM \(/);
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
