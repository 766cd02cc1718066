// The registry stays a file a real tegola loads: only tegola's keys, mvt_postgis SQL with its
// tokens; styling lives beside it; tokens are replaced as tegola replaces them.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { loadRegistry, parseRegistry, substituteEnv, tilesDir } from '../../server/tiles/registry.ts';
import { replaceTokens, tileSql } from '../../server/tiles/sql.ts';
import { parseTile, tileBox } from '../../server/tiles/tile-math.ts';

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

test.run();
