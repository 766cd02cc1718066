// The importer on a real PostGIS with real ogr2ogr: fixtures are written by the test as GeoJSON and
// OSM XML, converted with ogr2ogr to GeoPackage and (zipped) Shapefile for the round trips.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratedDb } from '../helpers/db.ts';
import type { Db } from '../../server/db/db.ts';
import { root } from '../../server/config.ts';
import { importFile } from '../../gis-data/import/importer.ts';
import type { ImportReport, LayerReport } from '../../gis-data/import/report.ts';
import { osmPbf, osmXml, type OsmData } from '../helpers/osm.ts';
import { builder } from '../helpers/build.ts';
import { envelope, type Polygon } from '../helpers/geometry.ts';

/** ogr2ogr as a person would run it (its field-name warnings kept out of the test output). */
const ogr = (args: string[]) => execFileSync('ogr2ogr', args, { stdio: 'pipe' });

let db: Db;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'misto-import-'));
let housingOffice: number;
let tram: number;

// The city: one district (24.70–24.74 E, 48.90–48.94 N) with its housing office.
async function city(target: Db) {
  const b = builder(target);
  const district = await b.district({ name: 'Центральний', nameEn: null, area: envelope(24.70, 48.90, 24.74, 48.94) });
  housingOffice = await b.executor({ code: 'zhek-1', name: 'ЖЕК №1', nameEn: null, kind: 'housing_office', district });
  tram = await b.executor({ code: 'elektrotrans', name: 'Електроавтотранс', nameEn: null, kind: 'city_service' });
}

const rect = (x: number, y: number, w = 0.0004, h = 0.0003) => ({
  type: 'Polygon', coordinates: [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]],
});
const feature = (properties: object, geometry: object | null) => ({ type: 'Feature', properties, geometry });
function writeGeoJSON(name: string, features: object[]) {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features }));
  return path;
}

const buildingsFile = () => writeGeoJSON('buildings.geojson', [
  feature({ street: 'вул. Незалежності', housenumber: '12', levels: '9', colour: 'red' }, rect(24.710, 48.920, 0.0006, 0.0002)),
  feature({ 'addr:street': 'вулиця Незалежності', 'addr:housenumber': '14', 'building:levels': 5, apartments: 40 }, rect(24.712, 48.920)),
  feature({ address: 'просп. Шевченка, 3', floors: 2 }, rect(24.720, 48.925, 0.0001, 0.0001)),
  // Self-intersecting "bow tie": ST_MakeValid repairs it into two triangles.
  feature({ street: 'Грушевського вулиця', housenumber: '5А', levels: 3 },
    { type: 'Polygon', coordinates: [[[24.715, 48.915], [24.7155, 48.9155], [24.7155, 48.915], [24.715, 48.9155], [24.715, 48.915]]] }),
  // Collinear ring: no area, nothing ST_MakeValid can turn into a polygon.
  feature({ street: 'вул. Незалежності', housenumber: '16' },
    { type: 'Polygon', coordinates: [[[24.716, 48.921], [24.7162, 48.9212], [24.7164, 48.9214], [24.716, 48.921]]] }),
  feature({ levels: 4 }, rect(24.717, 48.921)),
  feature({ street: 'вул. Незалежності', housenumber: '18' }, rect(24.80, 48.92)),
  feature({ street: 'вул. Незалежності', housenumber: '20' }, { type: 'Point', coordinates: [24.718, 48.921] }),
  feature({ street: 'вулиця Незалежності', housenumber: '12' }, rect(24.719, 48.921)),
  // No kind written: the city's only street of that name (a prospect), not a new "вулиця".
  feature({ street: 'Шевченка', housenumber: 'буд. 5 Б', floors: 5 }, rect(24.722, 48.925)),
]);

const stopsFile = () => writeGeoJSON('stops.geojson', [
  feature({ id: 'S1', name: 'Вокзал', routes: '3;12', operator: 'АТП-0928', shelter: 'yes', secret: 'x' }, { type: 'Point', coordinates: [24.711, 48.921] }),
  feature({ id: 'S2', name: 'Ратуша', routes: '2, 5', organisation: 'elektrotrans' }, { type: 'Point', coordinates: [24.712, 48.922] }),
  feature({ id: 'S3', name: 'Лінія' }, { type: 'LineString', coordinates: [[24.713, 48.92], [24.714, 48.921]] }),
  feature({ id: 'S4', name: 'Тисмениця' }, { type: 'Point', coordinates: [24.80, 48.92] }),
]);

function n(l: LayerReport | undefined) {
  assert.ok(l, 'layer in report');
  return { read: l!.read, imported: l!.imported, updated: l!.updated, unchanged: l!.unchanged, skipped: l!.skipped };
}
const layerOf = (r: ImportReport, name: string) => r.layers.find((l) => l.layer === name);
const run = (layer: string, file: string, extra: Partial<Parameters<typeof importFile>[1]> = {}) =>
  importFile(db, { layer, file, databaseUrl: url, ...extra });
async function stagingTables(target = db) {
  return (await target.one(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'staging'`)).n as number;
}

test.before(async () => {
  ({ db, url } = await migratedDb('import'));
  await city(db);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('GeoJSON buildings: imported with street, address, district, housing office; skips counted with reasons', async () => {
  const r = await run('buildings', buildingsFile());
  const b = layerOf(r, 'buildings')!;
  assert.equal(n(b), { read: 10, imported: 5, updated: 0, unchanged: 0, skipped: 5 });
  assert.is(b.repaired, 1);
  assert.equal(Object.fromEntries(Object.entries(b.reasons).map(([k, v]) => [k, v!.count])),
    { invalid_geometry: 1, missing_address: 1, outside_city: 1, wrong_geometry_type: 1, duplicate_in_file: 1 });
  assert.match(b.reasons.invalid_geometry!.examples[0], /#4 вул\. Незалежності, 16/);
  assert.match(b.reasons.missing_address!.examples[0], /#5.*no street/);
  assert.match(b.reasons.wrong_geometry_type!.examples[0], /POINT where a polygon is expected/);
  assert.match(b.reasons.duplicate_in_file!.examples[0], /same address as #0/);
  assert.ok(r.ignoredProperties.includes('colour'), 'unknown property reported');
  assert.match(b.notes.join(), /3 streets created from addresses/);

  const rows = await db.any(`SELECT b.address, b.house_number, b.floors, b.apartments, s.kind, s.name, d.name AS district,
      b.housing_office_id, ST_NumGeometries(b.geom) AS parts
    FROM building b JOIN street s ON s.id = b.street_id JOIN district d ON d.id = b.district_id ORDER BY b.address`);
  assert.equal(rows.map((x) => x.address), ['вул. Грушевського, 5а', 'вул. Незалежності, 12', 'вул. Незалежності, 14', 'просп. Шевченка, 3', 'просп. Шевченка, 5б']);
  assert.ok(rows.every((x) => x.district === 'Центральний' && x.housing_office_id === housingOffice));
  const by = Object.fromEntries(rows.map((x) => [x.address, x]));
  assert.is(by['вул. Грушевського, 5а'].parts, 2, 'bow tie repaired into two polygons');
  assert.is(by['вул. Незалежності, 14'].apartments, 40, 'apartments from the file');
  assert.is(by['вул. Незалежності, 14'].floors, 5);
  // 0.0006° × 0.0002° ≈ 44 m × 22 m ≈ 970 m², 9 floors → ≈ 94 flats of 65 m² at 70 %.
  assert.ok(by['вул. Незалежності, 12'].apartments > 70 && by['вул. Незалежності, 12'].apartments < 120, `estimated ${by['вул. Незалежності, 12'].apartments}`);
  assert.is(by['просп. Шевченка, 3'].apartments, 1, 'a small two-storey house is one home');
  const streets = await db.any(`SELECT kind, name, geom IS NULL AS no_line FROM street ORDER BY name`);
  assert.equal(streets, [
    { kind: 'вулиця', name: 'Грушевського', no_line: true },
    { kind: 'вулиця', name: 'Незалежності', no_line: true },
    { kind: 'проспект', name: 'Шевченка', no_line: true },
  ]);
  assert.is(await stagingTables(), 0, 'staging table dropped');
  const log = await db.one(`SELECT layer, report->'layers'->0->>'imported' AS imported FROM import_run ORDER BY id DESC LIMIT 1`);
  assert.equal(log, { layer: 'buildings', imported: '5' });
});

test('GeoJSON stops: whitelisted attributes, organisation by code, source ids, wrong type and outside the city skipped', async () => {
  const r = await run('stops', stopsFile());
  assert.equal(n(layerOf(r, 'stops')), { read: 4, imported: 2, updated: 0, unchanged: 0, skipped: 2 });
  assert.equal(Object.keys(layerOf(r, 'stops')!.reasons).sort(), ['outside_city', 'wrong_geometry_type']);
  assert.ok(r.ignoredProperties.includes('secret'));
  const rows = await db.any(`SELECT name, attributes, organisation_id, source FROM infra_object WHERE kind = 'stop' ORDER BY source`);
  assert.equal(rows, [
    { name: 'Вокзал', attributes: { routes: '3, 12', shelter: true, operator: 'АТП-0928' }, organisation_id: null, source: 'file:stops#S1' },
    { name: 'Ратуша', attributes: { routes: '2, 5', operator: 'elektrotrans' }, organisation_id: tram, source: 'file:stops#S2' },
  ]);
});

test('re-importing the same files changes nothing and duplicates nothing', async () => {
  const before = await db.one(`SELECT (SELECT count(*) FROM building) AS b, (SELECT count(*) FROM street) AS s, (SELECT count(*) FROM infra_object) AS o`);
  const rb = await run('buildings', buildingsFile());
  assert.equal(n(layerOf(rb, 'buildings')), { read: 10, imported: 0, updated: 0, unchanged: 5, skipped: 5 });
  const rs = await run('stops', stopsFile());
  assert.equal(n(layerOf(rs, 'stops')), { read: 4, imported: 0, updated: 0, unchanged: 2, skipped: 2 });
  const after = await db.one(`SELECT (SELECT count(*) FROM building) AS b, (SELECT count(*) FROM street) AS s, (SELECT count(*) FROM infra_object) AS o`);
  assert.equal(after, before);
});

test('a changed file updates in place', async () => {
  const file = writeGeoJSON('stops-v2.geojson', [
    feature({ id: 'S1', name: 'Залізничний вокзал', routes: '3;12;27' }, { type: 'Point', coordinates: [24.7111, 48.9211] }),
  ]);
  const r = await run('stops', file);
  // Another layer (GDAL names a GeoJSON's layer after its file) is another source: a new object, not S1 of stops.geojson.
  assert.is(layerOf(r, 'stops')!.imported, 1);
  const again = writeGeoJSON('stops.geojson', [
    feature({ id: 'S1', name: 'Залізничний вокзал', routes: '3;12;27' }, { type: 'Point', coordinates: [24.7111, 48.9211] }),
  ]);
  const u = await run('stops', again);
  assert.equal(n(layerOf(u, 'stops')), { read: 1, imported: 0, updated: 1, unchanged: 0, skipped: 0 });
  const s1 = await db.one(`SELECT name, attributes->>'routes' AS routes, attributes->>'operator' AS operator, ST_X(geom) AS x FROM infra_object WHERE source = 'file:stops#S1'`);
  assert.equal(s1, { name: 'Залізничний вокзал', routes: '3, 12, 27', operator: 'АТП-0928', x: 24.7111 });
  await run('stops', stopsFile()); // back to the original for the round trip below
});

test('GeoPackage and zipped Shapefile made from the GeoJSON import the same', async () => {
  const gpkg = join(dir, 'buildings.gpkg');
  ogr(['-f', 'GPKG', gpkg, join(dir, 'buildings.geojson'), '-nln', 'buildings']);
  const rg = await run('buildings', gpkg);
  assert.equal(n(layerOf(rg, 'buildings')), { read: 10, imported: 0, updated: 0, unchanged: 5, skipped: 5 });
  assert.equal(Object.keys(layerOf(rg, 'buildings')!.reasons).sort(),
    ['duplicate_in_file', 'invalid_geometry', 'missing_address', 'outside_city', 'wrong_geometry_type']);

  // A Shapefile holds one geometry type: the line (S3) cannot be written and is left out.
  const zip = join(dir, 'stops.shp.zip');
  ogr(['-f', 'ESRI Shapefile', zip, join(dir, 'stops.geojson'), '-where', "name <> 'Лінія'", '-lco', 'ENCODING=UTF-8']);
  const rz = await run('stops', zip);
  assert.equal(n(layerOf(rz, 'stops')), { read: 3, imported: 0, updated: 0, unchanged: 2, skipped: 1 });
  assert.is(rz.format, 'ESRI Shapefile');

  // A GeoPackage with two layers: the one to import is named.
  ogr(['-f', 'GPKG', '-update', gpkg, join(dir, 'stops.geojson'), '-nln', 'stops']);
  try {
    await run('stops', gpkg);
    assert.unreachable('a multi-layer file needs --source-layer');
  } catch (e) {
    assert.match((e as Error).message, /has 2 layers \(buildings, stops\): choose one with --source-layer/);
  }
  const rl = await run('stops', gpkg, { sourceLayer: 'stops' });
  assert.equal(n(layerOf(rl, 'stops')), { read: 4, imported: 0, updated: 0, unchanged: 2, skipped: 2 });

  // A Shapefile in CP1251 without its .cpg: names are read right when the encoding is given.
  const cp = join(dir, 'cp1251');
  ogr(['-f', 'ESRI Shapefile', cp, join(dir, 'stops.geojson'), '-where', "name <> 'Лінія'", '-nln', 'stops', '-lco', 'ENCODING=CP1251']);
  rmSync(join(cp, 'stops.cpg'), { force: true });
  try {
    await run('stops', join(cp, 'stops.shp'));
    assert.unreachable('CP1251 read as UTF-8');
  } catch (e) {
    assert.match((e as Error).message, /not in UTF-8: give its encoding with --encoding/);
  }
  assert.is(await stagingTables(), 0);
  const rc = await run('stops', join(cp, 'stops.shp'), { encoding: 'CP1251', dryRun: true });
  assert.equal(n(layerOf(rc, 'stops')), { read: 3, imported: 0, updated: 0, unchanged: 2, skipped: 1 });
});

test('GeoJSON districts, streets, cleaning zones and other objects', async () => {
  const { db: d, url: dUrl } = await migratedDb('import_layers');
  const imp = (layer: string, file: string) => importFile(d, { layer, file, databaseUrl: dUrl });
  const none = await imp('stops', stopsFile());
  assert.is(layerOf(none, 'stops')!.reasons.outside_city!.count, 3);
  assert.match(layerOf(none, 'stops')!.notes.join(), /no districts/);

  const districts = await imp('districts', writeGeoJSON('districts.geojson', [
    feature({ name: 'Пасічна', name_en: 'Pasichna' }, rect(24.70, 48.90, 0.02, 0.04)),
    feature({ name: 'Каскад' }, { type: 'MultiPolygon', coordinates: [rect(24.72, 48.90, 0.02, 0.04).coordinates] }),
    feature({ name: 'Каскад' }, rect(24.74, 48.90, 0.01, 0.01)),
    feature({}, rect(24.75, 48.90, 0.01, 0.01)),
  ]));
  assert.equal(n(layerOf(districts, 'districts')), { read: 4, imported: 2, updated: 0, unchanged: 0, skipped: 1 });
  assert.ok(layerOf(districts, 'districts')!.reasons.missing_name);
  const parts = await d.one(`SELECT ST_NumGeometries(geom) AS n, name_en FROM district WHERE name = 'Пасічна'`);
  assert.equal(parts, { n: 1, name_en: 'Pasichna' });

  const streets = await imp('streets', writeGeoJSON('streets.geojson', [
    feature({ name: 'вул. Галицька', highway: 'primary' }, { type: 'LineString', coordinates: [[24.705, 48.91], [24.715, 48.91]] }),
    feature({ name: 'Галицька вулиця', highway: 'primary' }, { type: 'LineString', coordinates: [[24.715, 48.91], [24.725, 48.91]] }),
    feature({ name: 'Мазепи', kind: 'бульвар', rank: 2 }, { type: 'MultiLineString', coordinates: [[[24.71, 48.905], [24.71, 48.935]]] }),
    feature({ name: 'Нікуди' }, { type: 'LineString', coordinates: [[25.1, 49.1], [25.2, 49.2]] }),
    feature({ name: 'Площа' }, rect(24.71, 48.92)),
    feature({ highway: 'residential' }, { type: 'LineString', coordinates: [[24.706, 48.911], [24.707, 48.912]] }),
  ]));
  assert.equal(n(layerOf(streets, 'streets')), { read: 6, imported: 2, updated: 0, unchanged: 0, skipped: 3 });
  assert.equal(Object.keys(layerOf(streets, 'streets')!.reasons).sort(), ['missing_name', 'outside_city', 'wrong_geometry_type']);
  const rows = await d.any(`SELECT kind, name, rank, ST_NumGeometries(geom) AS parts, round(ST_Length(geom::geography)) AS m FROM street ORDER BY name`);
  assert.equal(rows.map((r) => [r.kind, r.name, r.rank, r.parts]), [['вулиця', 'Галицька', 1, 1], ['бульвар', 'Мазепи', 2, 1]]);

  const zones = await imp('cleaning_zones', writeGeoJSON('zones.geojson', [
    feature({ id: 'Z1', name: 'Зона 1', organisation: 'Благоустрій', schedule: 'щодня' }, rect(24.70, 48.90, 0.01, 0.01)),
    feature({ id: 'Z2', name: 'Точка' }, { type: 'Point', coordinates: [24.71, 48.91] }),
  ]));
  assert.equal(n(layerOf(zones, 'cleaning_zones')), { read: 2, imported: 1, updated: 0, unchanged: 0, skipped: 1 });
  const other = await imp('other', writeGeoJSON('other.geojson', [
    feature({ name: 'Фонтан', type: 'fountain', description: 'Співочий фонтан', colour: 'blue' }, { type: 'Point', coordinates: [24.711, 48.922] }),
  ]));
  assert.is(layerOf(other, 'other')!.imported, 1);
  const objects = await d.any(`SELECT kind, name, attributes, GeometryType(geom) AS t FROM infra_object ORDER BY kind`);
  assert.equal(objects, [
    { kind: 'cleaning_zone', name: 'Зона 1', attributes: { schedule: 'щодня', operator: 'Благоустрій' }, t: 'MULTIPOLYGON' },
    { kind: 'other', name: 'Фонтан', attributes: { type: 'fountain', description: 'Співочий фонтан' }, t: 'POINT' },
  ]);

  // Two housing offices in a district: a new building goes to the one serving its neighbours.
  const pas = (await d.one(`SELECT id FROM district WHERE name = 'Пасічна'`)).id;
  const build = builder(d);
  const a = await build.executor({ code: 'zhek-a', name: 'ЖЕК А', nameEn: null, kind: 'housing_office', district: pas });
  const b = await build.executor({ code: 'zhek-b', name: 'ЖЕК Б', nameEn: null, kind: 'housing_office', district: pas });
  const street = (await d.one(`SELECT id FROM street WHERE name = 'Галицька'`)).id;
  await build.building({ street, house: '1', district: pas, housingOffice: b, footprint: rect(24.7180, 48.9300) as Polygon });
  const houses = await imp('buildings', writeGeoJSON('houses.geojson', [feature({ address: 'вул. Галицька, 3' }, rect(24.7186, 48.9300))]));
  assert.is(layerOf(houses, 'buildings')!.imported, 1);
  const served = (await d.one(`SELECT housing_office_id FROM building WHERE address = 'вул. Галицька, 3'`)).housing_office_id;
  assert.is(served, b, `zhek-b (${b}), not the district's first office zhek-a (${a})`);
});

const osm: OsmData = {
  nodes: [
    { id: 1, lat: 48.9200, lon: 24.7100, tags: { highway: 'traffic_signals' } },
    { id: 2, lat: 48.9210, lon: 24.7110, tags: { highway: 'bus_stop', name: 'Вокзал', route_ref: '3;12' } },
    { id: 3, lat: 48.9215, lon: 24.7115, tags: { public_transport: 'platform', name: 'Ринок' } },
    { id: 4, lat: 48.9216, lon: 24.7116, tags: { public_transport: 'stop_position', name: 'Ринок' } },
    { id: 5, lat: 48.9220, lon: 24.7120, tags: { amenity: 'waste_disposal' } },
    { id: 6, lat: 48.9221, lon: 24.7121, tags: { amenity: 'recycling', recycling_type: 'container' } },
    { id: 7, lat: 48.9222, lon: 24.7122, tags: { amenity: 'waste_basket' } },
    { id: 8, lat: 48.9223, lon: 24.7123, tags: { shop: 'kiosk', name: 'Преса' } },
    { id: 9, lat: 48.9200, lon: 24.8000, tags: { highway: 'traffic_signals' } },
    { id: 10, lat: 48.9300, lon: 24.7050 },
    { id: 11, lat: 48.9300, lon: 24.7150 },
    { id: 12, lat: 48.9300, lon: 24.7250 },
    { id: 13, lat: 48.9250, lon: 24.7150 },
    { id: 14, lat: 48.9350, lon: 24.7150 },
    { id: 20, lat: 48.9210, lon: 24.7200 },
    { id: 21, lat: 48.9210, lon: 24.7205 },
    { id: 22, lat: 48.9213, lon: 24.7205 },
    { id: 23, lat: 48.9213, lon: 24.7200 },
    { id: 30, lat: 48.9220, lon: 24.7200 },
    { id: 31, lat: 48.9220, lon: 24.7202 },
    { id: 32, lat: 48.9222, lon: 24.7202 },
    { id: 33, lat: 48.9222, lon: 24.7200 },
    { id: 40, lat: 48.9230, lon: 24.7200 },
    { id: 41, lat: 48.9230, lon: 24.7201 },
    { id: 42, lat: 48.9231, lon: 24.7201 },
    { id: 43, lat: 48.9231, lon: 24.7200 },
    { id: 50, lat: 48.9240, lon: 24.7200 },
    { id: 51, lat: 48.9240, lon: 24.72003 },
    { id: 52, lat: 48.92402, lon: 24.72003 },
    { id: 53, lat: 48.92402, lon: 24.7200 },
  ],
  ways: [
    { id: 100, refs: [10, 11], tags: { highway: 'primary', name: 'вулиця Незалежності' } },
    { id: 101, refs: [11, 12], tags: { highway: 'primary', name: 'вулиця Незалежності' } },
    { id: 102, refs: [13, 11, 14], tags: { highway: 'residential', name: 'Січових Стрільців вулиця' } },
    { id: 103, refs: [10, 13], tags: { highway: 'footway', name: 'Алея' } },
    { id: 104, refs: [12, 14], tags: { highway: 'residential' } },
    { id: 200, refs: [20, 21, 22, 23, 20], tags: { building: 'apartments', 'addr:street': 'вулиця Незалежності', 'addr:housenumber': '7', 'building:levels': '9' } },
    { id: 201, refs: [30, 31, 32, 33, 30], tags: { building: 'yes' } },
    { id: 202, refs: [40, 41, 42, 43, 40], tags: { building: 'house', 'addr:street': 'вулиця Січових Стрільців', 'addr:housenumber': '3' } },
    { id: 203, refs: [50, 51, 52, 53, 50], tags: { shop: 'kiosk', name: 'Квіти' } },
  ],
};

test('OSM XML: every kind from its tags, streets from named highways, skips with reasons; re-import idempotent', async () => {
  const { db: osmDb, url: osmUrl } = await migratedDb('import_osm');
  await city(osmDb);
  const file = join(dir, 'city.osm');
  writeFileSync(file, osmXml(osm));
  const r = await importFile(osmDb, { layer: 'osm', file, databaseUrl: osmUrl });
  assert.equal(r.layers.map((l) => l.layer), ['streets', 'buildings', 'traffic_lights', 'stops', 'containers', 'kiosks']);
  assert.equal(n(layerOf(r, 'streets')), { read: 3, imported: 2, updated: 0, unchanged: 0, skipped: 0 });
  assert.equal(n(layerOf(r, 'buildings')), { read: 3, imported: 2, updated: 0, unchanged: 0, skipped: 1 });
  assert.match(layerOf(r, 'buildings')!.reasons.missing_address!.examples[0], /osm:way\/201 \(no street\)/);
  assert.equal(n(layerOf(r, 'traffic_lights')), { read: 2, imported: 1, updated: 0, unchanged: 0, skipped: 1 });
  assert.match(layerOf(r, 'traffic_lights')!.reasons.outside_city!.examples[0], /osm:node\/9/);
  assert.equal(n(layerOf(r, 'stops')), { read: 3, imported: 2, updated: 0, unchanged: 0, skipped: 1 });
  assert.match(layerOf(r, 'stops')!.reasons.unsupported_tag!.examples[0], /osm:node\/4 \(public_transport=stop_position\)/);
  assert.equal(n(layerOf(r, 'containers')), { read: 3, imported: 2, updated: 0, unchanged: 0, skipped: 1 });
  assert.equal(n(layerOf(r, 'kiosks')), { read: 2, imported: 2, updated: 0, unchanged: 0, skipped: 0 });

  const kinds = await osmDb.any(`SELECT kind, count(*)::int AS n FROM infra_object GROUP BY kind ORDER BY kind`);
  assert.equal(kinds, [{ kind: 'container_site', n: 2 }, { kind: 'kiosk', n: 2 }, { kind: 'stop', n: 2 }, { kind: 'traffic_light', n: 1 }]);
  const kiosk = await osmDb.one(`SELECT GeometryType(geom) AS t, ST_Intersects(geom, ST_MakeEnvelope(24.72, 48.924, 24.72003, 48.92402, 4326)) AS inside FROM infra_object WHERE source = 'osm:way/203'`);
  assert.equal(kiosk, { t: 'POINT', inside: true });
  const stop = await osmDb.one(`SELECT name, attributes->>'routes' AS routes FROM infra_object WHERE source = 'osm:node/2'`);
  assert.equal(stop, { name: 'Вокзал', routes: '3, 12' });
  const streets = await osmDb.any(`SELECT kind, name, rank, GeometryType(geom) AS t, ST_NumGeometries(geom) AS parts FROM street ORDER BY name`);
  assert.equal(streets, [
    { kind: 'вулиця', name: 'Незалежності', rank: 1, t: 'MULTILINESTRING', parts: 1 },
    { kind: 'вулиця', name: 'Січових Стрільців', rank: 3, t: 'MULTILINESTRING', parts: 1 },
  ]);
  const buildings = await osmDb.any(`SELECT address, floors, apartments, street_id IS NOT NULL AS street FROM building ORDER BY address`);
  assert.is(buildings.length, 2);
  assert.equal(buildings[0].address, 'вул. Незалежності, 7');
  assert.is(buildings[0].floors, 9);
  assert.ok(buildings[0].apartments > 10, `estimated ${buildings[0].apartments}`);
  assert.equal(buildings[1], { address: 'вул. Січових Стрільців, 3', floors: 1, apartments: 1, street: true });

  const again = await importFile(osmDb, { layer: 'osm', file, databaseUrl: osmUrl });
  for (const l of again.layers) assert.equal([l.imported, l.updated], [0, 0], l.layer);
  assert.is((await osmDb.one('SELECT count(*)::int AS n FROM infra_object')).n, 7);
  assert.is((await osmDb.one('SELECT count(*)::int AS n FROM street')).n, 2);
  assert.is(await stagingTables(osmDb), 0);

  // The same extract as .osm.pbf: the same objects (same OSM ids), so nothing new.
  const pbf = join(dir, 'city.osm.pbf');
  writeFileSync(pbf, osmPbf(osm));
  const binary = await importFile(osmDb, { layer: 'osm', file: pbf, databaseUrl: osmUrl });
  assert.equal(binary.layers.map((l) => [l.layer, l.read, l.imported, l.updated, l.unchanged, l.skipped]),
    again.layers.map((l) => [l.layer, l.read, l.imported, l.updated, l.unchanged, l.skipped]));
  assert.is(binary.format, 'OSM');

  // One kind from an OSM extract: only the stops.
  const stops = await importFile(osmDb, { layer: 'stops', file: pbf, databaseUrl: osmUrl });
  assert.equal(stops.layers.map((l) => l.layer), ['stops']);
});

test('a dry run reports the same and writes nothing', async () => {
  const { db: dryDb, url: dryUrl } = await migratedDb('import_dry');
  await city(dryDb);
  // Left by an import that was killed between ogr2ogr and the merge: cleared by the next one.
  await dryDb.none('CREATE TABLE staging.imp_99999_x_file (ogc_fid int)');
  const r = await importFile(dryDb, { layer: 'buildings', file: buildingsFile(), databaseUrl: dryUrl, dryRun: true });
  assert.is(r.dryRun, true);
  assert.is(layerOf(r, 'buildings')!.imported, 5);
  const counts = await dryDb.one(`SELECT (SELECT count(*) FROM building)::int AS b, (SELECT count(*) FROM street)::int AS s, (SELECT count(*) FROM import_run)::int AS runs`);
  assert.equal(counts, { b: 0, s: 0, runs: 0 });
  assert.is(await stagingTables(dryDb), 0);
});

function cli(...args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'gis-data/import.ts'), ...args, '--database-url', url], { encoding: 'utf8', cwd: root });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

test('CLI: report on stdout; clear errors and a non-zero exit for a missing file, an unknown layer, an unreadable file', async () => {
  const ok = cli('stops', join(dir, 'stops.geojson'), '--dry-run');
  assert.is(ok.code, 0, ok.err);
  assert.match(ok.out, /DRY RUN/);
  assert.match(ok.out, /stops\s+read 4, imported 0, updated 0, unchanged 2, skipped 2/);
  assert.match(ok.out, /skipped 1 × outside_city/);

  const missing = cli('stops', join(dir, 'nope.geojson'));
  assert.is(missing.code, 2);
  assert.match(missing.err, /File not found: .*nope\.geojson/);

  const unknown = cli('lamps', join(dir, 'stops.geojson'));
  assert.is(unknown.code, 2);
  assert.match(unknown.err, /Unknown layer "lamps"/);

  const before = (await db.one('SELECT count(*)::int AS n FROM infra_object')).n;
  const garbage = join(dir, 'broken.geojson');
  writeFileSync(garbage, '{"type": "FeatureCollection", "features": [ {"type": "Feat');
  const broken = cli('stops', garbage);
  assert.is(broken.code, 1);
  assert.match(broken.err, /failed/);
  assert.match(broken.err, /Nothing was written/);
  assert.is((await db.one('SELECT count(*)::int AS n FROM infra_object')).n, before);
  assert.is(await stagingTables(), 0);

  const osmOnly = cli('osm', join(dir, 'stops.geojson'));
  assert.is(osmOnly.code, 2);
  assert.match(osmOnly.err, /osm layer reads an OpenStreetMap extract/);
});

test.run();
