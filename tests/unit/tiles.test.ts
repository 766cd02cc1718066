// The tile server's pure parts: content negotiation, conditional requests, the tile grid of Web
// Mercator, and the byte-bounded cache.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { etagMatches, pickEncoding } from '../../server/tiles/tiles.service.ts';
import {
  WORLD, lonLatToMercator, lonLatToTile, parseTile, tileBox, tileRange, tileWidth,
} from '../../server/tiles/tile-math.ts';
import { TileCache, type TileEntry } from '../../server/tiles/cache.ts';

test('Accept-Encoding: brotli over gzip over identity, q=0 refuses, names ignore case', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'identity'], ['', 'identity'], ['identity', 'identity'], ['deflate', 'identity'],
    ['gzip', 'gzip'], ['gzip, deflate, br', 'br'], ['BR', 'br'], ['gzip;q=1.0, br;q=0.1', 'br'],
    ['br;q=0, gzip', 'gzip'], ['br; q=0, gzip;q=0.5', 'gzip'], ['br;q=0.0, gzip;q=0', 'identity'],
    ['*', 'gzip'], ['*;q=0', 'identity'], [' gzip;q=0.8 ', 'gzip'], ['gzip ;q=0.8', 'gzip'], ['br ; q=0 , gzip', 'gzip'],
  ];
  for (const [header, want] of cases) assert.is(pickEncoding(header), want, String(header));
});

test('If-None-Match: a tag matches in any encoding, weak or strong, in a list, or as *', () => {
  const etag = '"Zm9vYmFyYmF6cXV1eDEy"';
  assert.ok(etagMatches(etag, etag));
  assert.ok(etagMatches('"Zm9vYmFyYmF6cXV1eDEy-br"', etag), 'the brotli variant of the same tile');
  assert.ok(etagMatches('"Zm9vYmFyYmF6cXV1eDEy-gz1"', etag), 'the fast-gzip variant');
  assert.ok(etagMatches('W/"Zm9vYmFyYmF6cXV1eDEy"', etag), 'a weak tag from a proxy');
  assert.ok(etagMatches('"other", "Zm9vYmFyYmF6cXV1eDEy-gz"', etag));
  assert.ok(etagMatches(' * ', etag));
  assert.not.ok(etagMatches(undefined, etag));
  assert.not.ok(etagMatches('', etag));
  assert.not.ok(etagMatches('"Zm9vYmFyYmF6cXV1eDEz"', etag));
  assert.not.ok(etagMatches('"Zm9vYmFyYmF6cXV1eDEy-br2"', etag), 'only the suffixes the server writes');
});

test('z/x/y: digits only, inside the grid, up to the maximum zoom', () => {
  assert.equal(parseTile('0', '0', '0'), { z: 0, x: 0, y: 0 });
  assert.equal(parseTile('3', '7', '7'), { z: 3, x: 7, y: 7 });
  assert.equal(parseTile('16', '37319', '22472'), { z: 16, x: 37319, y: 22472 });
  for (const [z, x, y] of [['3', '8', '0'], ['3', '0', '8'], ['23', '0', '0'], ['-1', '0', '0'], ['1', '0x1', '0'], ['1', '1.0', '0'], ['1', '', '0'], ['100', '0', '0']]) {
    assert.is(parseTile(z, x, y), undefined, `${z}/${x}/${y}`);
  }
  assert.is(parseTile('15', '0', '0', 14), undefined, 'a layer with a lower maximum zoom');
});

test('tile boxes cover the world edge to edge; lon/lat ↔ Web Mercator round-trips', () => {
  assert.equal(tileBox({ z: 0, x: 0, y: 0 }), [-WORLD, -WORLD, WORLD, WORLD]);
  const [minx, miny, maxx, maxy] = tileBox({ z: 1, x: 1, y: 0 });
  assert.equal([minx, miny, maxx, maxy], [0, 0, WORLD, WORLD], 'y counts from the north');
  assert.is(tileWidth(2), WORLD / 2);
  const [x, y] = lonLatToMercator(24.7111, 48.9244);
  // Spherical Mercator on WGS 84's semi-major axis (EPSG:3857).
  const R = 6378137;
  assert.ok(Math.abs(x - (R * 24.7111 * Math.PI) / 180) < 1e-6);
  assert.ok(Math.abs(y - R * Math.log(Math.tan(Math.PI / 4 + (48.9244 * Math.PI) / 360))) < 1e-6);
  const [x0, y0] = lonLatToMercator(0, 0);
  assert.ok(Math.abs(x0) < 1e-6 && Math.abs(y0) < 1e-6);
  assert.ok(Math.abs(lonLatToMercator(0, 90)[1] - WORLD) < 1e-3, 'the poles are clamped to the square world');
});

test('a point is in the tile whose box holds it; a box grown by a margin reaches its neighbours', () => {
  const t = lonLatToTile(24.7111, 48.9244, 16);
  assert.equal(t, { z: 16, x: 37266, y: 22527 }, 'what the slippy-map formula of OSM gives');
  const [mx, my] = lonLatToMercator(24.7111, 48.9244);
  const [minx, miny, maxx, maxy] = tileBox(t);
  assert.ok(minx <= mx && mx < maxx && miny < my && my <= maxy);
  assert.equal(lonLatToTile(-180, 85.06, 2), { z: 2, x: 0, y: 0 });
  assert.equal(lonLatToTile(180, -85.06, 2), { z: 2, x: 3, y: 3 }, 'the edges stay on the grid');
  const inner: [number, number, number, number] = [minx + 1, miny + 1, maxx - 1, maxy - 1];
  assert.equal(tileRange(inner, 16), { minX: t.x, maxX: t.x, minY: t.y, maxY: t.y });
  assert.equal(tileRange(inner, 16, 2), { minX: t.x - 1, maxX: t.x + 1, minY: t.y - 1, maxY: t.y + 1 });
  assert.equal(tileRange([-WORLD * 2, -WORLD * 2, WORLD * 2, WORLD * 2], 1), { minX: 0, maxX: 1, minY: 0, maxY: 1 });
});

test('the LRU keeps within its byte budget, evicting the least recently used', () => {
  const cache = new TileCache(4000);
  const entry = (key: string, size: number): TileEntry => ({
    key, map: 'karta', z: 10, box: [0, 0, 1, 1], tables: new Set(['building']), etag: '"x"',
    raw: Buffer.alloc(size), encoded: {}, expiresAt: Infinity,
  });
  cache.set(entry('a', 1000));
  cache.set(entry('b', 1000));
  cache.set(entry('c', 1000));
  assert.ok(cache.get('a')); // a is now the newest
  cache.set(entry('d', 1000));
  const s = cache.snapshot();
  assert.ok(s.bytes <= 4000, `bytes ${s.bytes}`);
  assert.ok(cache.has('a') && cache.has('d') && !cache.has('b'));
  assert.is(s.evictions, 1);
  const e = cache.get('d')!;
  e.encoded.br = Buffer.alloc(1500);
  cache.resized(e);
  assert.ok(cache.snapshot().bytes <= 4000);
  assert.is(cache.invalidate('building', [[0.5, 0.5, 2, 2]]) + cache.invalidate('street', null), cache.snapshot().invalidated);
  assert.is(cache.snapshot().entries, 0);
  cache.set(entry('big', 10_000));
  assert.not.ok(cache.has('big'), 'an entry larger than the budget is not kept');
});

test.run();
