// The tile server over HTTP on a small known city: decoded tiles (layers, counts, ids,
// whitelisted properties), zoom rules, HTTP semantics (ETag/304, 204, 404, 400, CORS,
// Cache-Control, gzip/brotli), the tegola documents, the generated MapLibre style and legend.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader as Pbf } from 'pbf';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { migratedDb } from '../helpers/db.ts';
import { serve } from '../helpers/http.ts';
import { testServices } from '../helpers/app.ts';
import type { Services } from '../../server/services.ts';
import { createApp } from '../../server/app.ts';
import { config } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { lonLatToTile } from '../../server/tiles/tile-math.ts';
import { CENTRE, FAR_STOP, STOPS, insertCity } from './fixtures.ts';
import { UNKNOWN_COLOR, UTILITIES, UTILITY_COLOR } from '../../vocabulary/announcements.ts';
import { INFRA_KINDS } from '../../vocabulary/city.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let services: Services;
let ids: Awaited<ReturnType<typeof insertCity>>;

test.before(async () => {
  ({ db } = await migratedDb('tiles_http'));
  ids = await insertCity(db);
  services = testServices(db, { tileCacheControl: 'public, max-age=123', tileUrl: '' });
  srv = await serve(createApp(services));
});
test.after(async () => {
  await services.tiles.close();
  await srv.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(srv.url + path, { headers });

function raw(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(srv.url + path, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(buf: ArrayBuffer | Buffer) {
  return new VectorTile(new Pbf(buf instanceof Buffer ? new Uint8Array(buf) : new Uint8Array(buf)));
}

function features(tile: VectorTile, layer: string) {
  const l = tile.layers[layer];
  return l ? Array.from({ length: l.length }, (_, i) => l.feature(i)) : [];
}

const centre16 = lonLatToTile(CENTRE.lon, CENTRE.lat, 16);
const path = (t: { z: number; x: number; y: number }, layer?: string, map = 'karta') =>
  `/maps/${map}/${layer ? layer + '/' : ''}${t.z}/${t.x}/${t.y}.pbf`;

test('a z16 map tile has every layer of the centre, with table ids and only whitelisted properties', async () => {
  const res = await get(path(centre16));
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/vnd.mapbox-vector-tile');
  const tile = decode(await res.arrayBuffer());
  for (const l of ['landuse', 'districts', 'streets', 'buildings', 'cleaning_zones', 'container_sites', 'kiosks', 'other', 'stops', 'traffic_lights']) {
    assert.ok(tile.layers[l], `layer ${l} present`);
  }
  const expectedStops = STOPS.filter((s) => {
    const t = lonLatToTile(s.lon, s.lat, 16);
    return t.x === centre16.x && t.y === centre16.y;
  }).length;
  assert.ok(expectedStops >= 3);
  const stops = features(tile, 'stops');
  assert.is(stops.length, expectedStops);
  for (const f of stops) {
    assert.ok(ids.stops.includes(Number(f.id)), 'feature id is the table id');
    assert.is(f.properties.id, f.id);
    assert.equal(Object.keys(f.properties).sort(), ['id', 'kind', 'name', 'routes']);
    assert.is(f.properties.kind, 'stop');
    assert.is(f.properties.routes, '3, 12');
    assert.is(f.type, 1);
  }
  assert.ok(!stops.some((f) => f.properties.name === FAR_STOP.name));
  const container = features(tile, 'container_sites')[0];
  assert.equal({ ...container.properties }, { id: ids.container, kind: 'container_site', name: 'Майданчик 7', containers: 4 });
  const buildings = features(tile, 'buildings');
  assert.is(buildings.length, 3);
  assert.equal(buildings.map((b) => b.properties.house_number).sort(), ['12', '14', '16']);
  assert.equal(Object.keys(buildings[0].properties).sort(), ['floors', 'house_number']);
  assert.ok(buildings.every((b) => ids.buildings.includes(Number(b.id))));
  const streets = features(tile, 'streets');
  assert.equal(streets.map((s) => s.properties.label).sort(), ['вул. Незалежності', 'пров. Тиха']);
  assert.is(features(tile, 'cleaning_zones')[0].type, 3);
  assert.is(features(tile, 'districts')[0].properties.name, 'Центральний');
  assert.not.ok(tile.layers.district_labels, 'district names end at z14');
});

test('a layer URL serves that layer only; zoom rules thin what low zooms show', async () => {
  const res = await get(path(centre16, 'stops'));
  assert.is(res.status, 200);
  assert.equal(Object.keys(decode(await res.arrayBuffer()).layers), ['stops']);

  // z15: buildings without house numbers; z13: no buildings, no local streets.
  const t15 = decode(await (await get(path(lonLatToTile(CENTRE.lon, CENTRE.lat, 15)))).arrayBuffer());
  assert.ok(features(t15, 'buildings').every((b) => b.properties.house_number === undefined));
  const t13 = decode(await (await get(path(lonLatToTile(CENTRE.lon, CENTRE.lat, 13)))).arrayBuffer());
  assert.not.ok(t13.layers.buildings);
  assert.equal(features(t13, 'streets').map((s) => s.properties.name), ['Незалежності']);
  // z12: the five stops 20 m apart fall into one 8-pixel cell and are thinned to one.
  const t12 = decode(await (await get(path(lonLatToTile(CENTRE.lon, CENTRE.lat, 12), 'stops'))).arrayBuffer());
  assert.is(features(t12, 'stops').length, 1);
});

test('204 for an empty tile, 404 for unknown map/layer or zoom outside the range, 400 for bad z/x/y', async () => {
  const empty = await get('/maps/karta/16/0/0.pbf');
  assert.is(empty.status, 204);
  assert.is((await empty.arrayBuffer()).byteLength, 0);
  for (const p of ['/maps/nope/16/0/0.pbf', '/maps/karta/nope/16/0/0.pbf', '/maps/karta/5/17/10.pbf', '/maps/karta/buildings/13/4648/2829.pbf', '/maps/nope/style.json', '/capabilities/nope.json']) {
    const r = await get(p);
    assert.is(r.status, 404, p);
    assert.is((await r.json()).error, 'not_found', p);
  }
  for (const p of ['/maps/karta/abc/1/2.pbf', '/maps/karta/23/0/0.pbf', '/maps/karta/10/1024/0.pbf', '/maps/karta/10/0/-1.pbf', '/maps/karta/stops/16/1.5/0.pbf']) {
    const r = await get(p);
    assert.is(r.status, 400, p);
    assert.match((await r.json()).message, /tile/i, p);
  }
});

test('strong ETag and 304, Cache-Control from config, CORS, X-Cache', async () => {
  const p = path(centre16, 'stops');
  const first = await raw(p);
  const etag = first.headers.etag as string;
  assert.match(etag, /^"[\w-]+"$/);
  assert.is(first.headers['cache-control'], 'public, max-age=123');
  assert.is(first.headers['access-control-allow-origin'], '*');
  assert.is(first.headers['x-cache'], 'HIT'); // fetched by the previous test
  const again = await raw(p, { 'if-none-match': etag });
  assert.is(again.status, 304);
  assert.is(again.body.length, 0);
  assert.is(again.headers.etag, etag);
  const other = await raw(p, { 'if-none-match': '"something-else"' });
  assert.is(other.status, 200);
  const pre = await raw(p, {});
  assert.is(pre.status, 200);
  const options = await fetch(srv.url + p, { method: 'OPTIONS', headers: { origin: 'http://elsewhere', 'access-control-request-method': 'GET' } });
  assert.is(options.status, 204);
  assert.match(options.headers.get('access-control-allow-methods') ?? '', /GET/);
});

test('brotli and gzip by Accept-Encoding decode to the same tile', async () => {
  const p = path(centre16);
  const plain = await raw(p);
  assert.is(plain.headers['content-encoding'], undefined);
  const br = await raw(p, { 'accept-encoding': 'gzip, deflate, br' });
  assert.is(br.headers['content-encoding'], 'br');
  assert.is(br.headers.vary, 'Accept-Encoding');
  assert.ok(br.body.length < plain.body.length);
  assert.equal(brotliDecompressSync(br.body), plain.body);
  // The first answer is fast-compressed; the cached entry is then re-compressed once, smaller.
  assert.match(br.headers.etag as string, /-br1"$/);
  await new Promise((r) => setTimeout(r, 200));
  const brFinal = await raw(p, { 'accept-encoding': 'br' });
  assert.match(brFinal.headers.etag as string, /-br"$/);
  assert.ok(brFinal.body.length <= br.body.length);
  assert.equal(brotliDecompressSync(brFinal.body), plain.body);
  const gz = await raw(p, { 'accept-encoding': 'gzip' });
  assert.is(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body), plain.body);
  assert.is.not(gz.headers.etag, br.headers.etag);
  const none = await raw(p, { 'accept-encoding': 'br;q=0, gzip;q=0' });
  assert.is(none.headers['content-encoding'], undefined);
  // A validator of one encoding revalidates the others (same content).
  assert.is((await raw(p, { 'accept-encoding': 'br', 'if-none-match': gz.headers.etag as string })).status, 304);
});

test('capabilities and TileJSON 3.0.0 in tegola shape', async () => {
  const caps = await (await get('/capabilities')).json();
  assert.equal(caps.maps.map((m: { name: string }) => m.name), ['karta', 'announcements']);
  const karta = caps.maps[0];
  assert.is(karta.tiles[0], `${srv.url}/maps/karta/{z}/{x}/{y}.pbf`);
  assert.is(karta.capabilities, `${srv.url}/capabilities/karta.json`);
  assert.ok(karta.layers.find((l: { name: string; minzoom: number }) => l.name === 'buildings' && l.minzoom === 14));
  const tj = await (await get('/capabilities/karta.json')).json();
  assert.is(tj.tilejson, '3.0.0');
  assert.is(tj.minzoom, 8);
  assert.is(tj.maxzoom, 18);
  assert.equal(tj.tiles, [`${srv.url}/maps/karta/{z}/{x}/{y}.pbf`]);
  // Bounds come from the data: the district box and the far stop.
  assert.ok(Math.abs(tj.bounds[0] - (CENTRE.lon - 0.03)) < 1e-6);
  assert.ok(Math.abs(tj.bounds[2] - FAR_STOP.lon) < 1e-6);
  assert.ok(Math.abs(tj.bounds[3] - FAR_STOP.lat) < 1e-6);
  const stops = tj.vector_layers.find((l: { id: string }) => l.id === 'stops');
  assert.equal(stops.fields, { id: 'Number', kind: 'String', name: 'String', routes: 'String' });
  assert.is(stops.minzoom, 10);
  const ann = await (await get('/capabilities/announcements.json')).json();
  assert.equal(ann.vector_layers.map((l: { id: string }) => l.id), ['announcement_zones']);
  assert.equal(Object.keys(ann.vector_layers[0].fields).sort(), ['buildings', 'ends_at', 'executor_id', 'id', 'kind', 'starts_at', 'status', 'utility']);
});

test('style.json is a valid MapLibre style served entirely by us; legend (groups, pickable, hidden, palette) from the registry', async () => {
  for (const map of ['karta', 'announcements']) {
    const style = await (await get(`/maps/${map}/style.json`)).json();
    const errors = validateStyleMin(style);
    assert.equal(errors.map((e: { message: string }) => e.message), [], `${map} style errors`);
    assert.ok(style.glyphs.startsWith(srv.url + '/fonts/'));
    assert.is(style.sprite, `${srv.url}/sprites/misto`);
    const json = JSON.stringify(style);
    assert.not.match(json, /https?:\/\/(?!127\.0\.0\.1)/, 'no external URL');
  }
  const karta = await (await get('/maps/karta/style.json')).json();
  const ids = karta.layers.map((l: { id: string }) => l.id);
  assert.ok(ids.indexOf('buildings-number') > ids.indexOf('traffic_lights') - 100 && ids.indexOf('stops') > ids.indexOf('buildings'));
  const legendDoc = await (await get('/maps/karta/legend.json')).json();
  const legend = legendDoc.layers;
  const stops = legend.find((e: { id: string }) => e.id === 'stops');
  assert.equal(stops, {
    id: 'stops', title: { uk: 'Зупинки транспорту', en: 'Public transport stops' }, geometry: 'point', icon: 'stop',
    color: '#1971c2', swatches: [], toggle: true, hidden: false, pickable: true, kinds: ['stop'], group: 'infrastructure',
    minzoom: 10, styleLayers: ['stops', 'stops-label'],
  });
  for (const e of legend) for (const id of e.styleLayers) assert.ok(ids.includes(id), `${id} in style`);
  assert.is(legend.find((e: { id: string }) => e.id === 'buildings').toggle, false);
  // Groups in the registry's order with its titles; every entry's group is one of them.
  assert.equal(legendDoc.groups, [
    { id: 'infrastructure', title: { uk: 'Інфраструктура', en: 'Infrastructure' } },
    { id: 'basemap', title: { uk: 'Основа карти', en: 'Base map' } },
  ]);
  assert.ok(legend.every((e: { group: string }) => legendDoc.groups.some((g: { id: string }) => g.id === e.group)));
  // What the desk may pin an appeal on, and what starts hidden (in the style too).
  const flagged = (k: string) => legend.filter((e: Record<string, unknown>) => e[k]).map((e: { id: string }) => e.id);
  assert.equal(flagged('pickable'), ['cleaning_zones', 'container_sites', 'kiosks', 'stops', 'traffic_lights']);
  assert.equal(flagged('hidden'), ['cleaning_zones']);
  for (const l of karta.layers) {
    const hidden = l.metadata?.['misto:layer'] === 'cleaning_zones';
    assert.is(l.layout?.visibility === 'none', hidden, `${l.id} visibility`);
  }

  // Announcement zones: coloured by utility from vocabulary/announcements.ts, in the style and in the legend alike.
  const ann = await (await get('/maps/announcements/style.json')).json();
  const annLegend = await (await get('/maps/announcements/legend.json')).json();
  const zones = annLegend.layers.find((e: { id: string }) => e.id === 'announcement_zones');
  assert.is(zones.group, 'announcements');
  assert.equal(zones.swatches.map((s: { key: string; color: string }) => [s.key, s.color]), UTILITIES.map((u) => [u, UTILITY_COLOR[u]]));
  assert.equal(zones.swatches[0].title, { uk: 'Електроенергія', en: 'Electricity' });
  const byUtility = ['match', ['get', 'utility'], ...UTILITIES.flatMap((u) => [u, UTILITY_COLOR[u]]), UNKNOWN_COLOR];
  const zoneLayers = ann.layers.filter((l: { 'source-layer'?: string }) => l['source-layer'] === 'announcement_zones');
  assert.equal(zoneLayers.map((l: { id: string }) => l.id), zones.styleLayers);
  assert.equal(zoneLayers.find((l: { type: string }) => l.type === 'fill').paint['fill-color'], byUtility);
  assert.equal(zoneLayers.find((l: { type: string }) => l.type === 'line').paint['line-color'], byUtility);
  assert.not.match(JSON.stringify(ann), /announcement_points|#e5484d|#f08c00/);
  assert.equal(annLegend.layers.filter((e: { group: string }) => e.group === 'announcements').map((e: { id: string }) => e.id), ['announcement_zones']);
});

test('each infrastructure layer carries the kinds it declares, and together they are every kind of vocabulary/city.ts', async () => {
  const tile = decode(await (await get(path(centre16))).arrayBuffer());
  const legend = (await (await get('/maps/karta/legend.json')).json()).layers as { id: string; kinds: string[] }[];
  const declared = legend.filter((e) => e.kinds.length);
  assert.equal(declared.flatMap((e) => e.kinds).sort(), [...INFRA_KINDS].sort());
  for (const e of declared) {
    const carried = new Set(features(tile, e.id).map((f) => f.properties.kind));
    assert.equal([...carried], e.kinds, `${e.id} carries ${[...carried]}`);
  }
});

test('glyphs: SDF PBFs with Cyrillic; sprites at 1x and 2x', async () => {
  const res = await get('/fonts/DejaVu%20Sans/1024-1279.pbf');
  assert.is(res.status, 200);
  const pbf = new Pbf(new Uint8Array(await res.arrayBuffer()));
  const glyphs: { id: number; bitmap?: Uint8Array; width: number; height: number; top: number; advance: number }[] = [];
  let name = '';
  pbf.readFields((tag: number) => {
    if (tag !== 1) return;
    pbf.readMessage((t: number) => {
      if (t === 1) name = pbf.readString();
      else if (t === 3) {
        const g: any = {};
        pbf.readMessage((f: number) => {
          if (f === 1) g.id = pbf.readVarint(); else if (f === 2) g.bitmap = pbf.readBytes();
          else if (f === 3) g.width = pbf.readVarint(); else if (f === 4) g.height = pbf.readVarint();
          else if (f === 5) g.left = pbf.readSVarint(); else if (f === 6) g.top = pbf.readSVarint();
          else if (f === 7) g.advance = pbf.readVarint();
        }, g);
        glyphs.push(g);
      }
    }, null);
  }, null);
  assert.is(name, 'DejaVu Sans');
  const zhe = glyphs.find((g) => g.id === 'Ж'.codePointAt(0));
  assert.ok(zhe && zhe.bitmap);
  assert.is(zhe!.bitmap!.length, (zhe!.width + 6) * (zhe!.height + 6));
  assert.ok(zhe!.width > 12 && zhe!.height > 12 && zhe!.advance > 15);
  // Inside the strokes the field is above the edge value (191), in the corner buffer below it.
  assert.ok(Math.max(...zhe!.bitmap!) > 191);
  assert.ok(zhe!.bitmap![0] < 128);
  assert.ok(glyphs.length > 200);
  assert.is((await get('/fonts/Comic%20Sans/0-255.pbf')).status, 404);
  assert.is((await get('/fonts/DejaVu%20Sans/0-100.pbf')).status, 404);

  for (const [suffix, ratio] of [['', 1], ['@2x', 2]] as const) {
    const json = await (await get(`/sprites/misto${suffix}.json`)).json();
    for (const icon of ['traffic_light', 'stop', 'container_site', 'kiosk', 'other']) {
      assert.is(json[icon].pixelRatio, ratio);
      assert.is(json[icon].width, 24 * ratio);
    }
    const png = Buffer.from(await (await get(`/sprites/misto${suffix}.png`)).arrayBuffer());
    assert.equal([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.is(png.readUInt32BE(20), 24 * ratio); // IHDR height
  }
});

test('coalescing: concurrent requests for one uncached tile run one query', async () => {
  services.tiles.cache.clear();
  const before = services.tiles.counters.queries;
  const t = lonLatToTile(CENTRE.lon, CENTRE.lat, 17);
  const all = await Promise.all(Array.from({ length: 12 }, () => raw(path(t))));
  assert.ok(all.every((r) => r.status === 200));
  assert.is(services.tiles.counters.queries - before, 1);
  assert.is(new Set(all.map((r) => r.headers.etag)).size, 1);
});

test.run();
