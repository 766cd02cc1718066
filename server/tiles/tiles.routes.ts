// tegola's URL scheme plus the style assets, as one Koa middleware mounted before sessions and
// the UI (tiles are public and hot: no cookie parsing, no router allocation per request).
//   GET /maps/{map}/{z}/{x}/{y}.pbf            all layers of a map
//   GET /maps/{map}/{layer}/{z}/{x}/{y}.pbf    one layer
//   GET /capabilities, /capabilities/{map}.json (TileJSON 3.0.0)
//   GET /maps/{map}/style.json, /maps/{map}/legend.json
//   GET /fonts/{fontstack}/{start}-{end}.pbf, /sprites/misto[@2x].{json,png}
import type { Context, Next } from 'koa';
import { badRequest, notFound } from '../http/errors.ts';
import { glyphRange } from './style/glyphs.ts';
import { sprite } from './style/sprites.ts';
import type { TileService } from './tiles.service.ts';

const MVT = 'application/vnd.mapbox-vector-tile';
const TILE = /^\/maps\/([^/]+)\/(?:([^/]+)\/)?([^/]+)\/([^/]+)\/([^/]+)\.pbf$/;
const DOC = /^\/maps\/([^/]+)\/(style|legend)\.json$/;
const TILEJSON = /^\/capabilities\/([^/]+)\.json$/;
const FONT = /^\/fonts\/([^/]+)\/([^/]+)\.pbf$/;
const SPRITE = /^\/sprites\/misto(@2x)?\.(json|png)$/;

function decode(segment: string) {
  try { return decodeURIComponent(segment); } catch { throw badRequest(`Malformed path segment "${segment}"`); }
}

function isOurs(path: string) {
  return path.startsWith('/maps/') || path === '/capabilities' || path.startsWith('/capabilities/')
    || path.startsWith('/fonts/') || path.startsWith('/sprites/');
}

/**
 * `publicUrl` is read per request: TileJSON and style URLs are built from the configured public
 * URL, never from the request's Host (a forged Host would otherwise be served back, and cached, as
 * the place to fetch tiles and glyphs from).
 */
export function tilesRoutes(tiles: TileService, opts: { tileUrl?: string; publicUrl: () => string }) {
  return async function tilesMiddleware(ctx: Context, next: Next) {
    const path = ctx.path;
    if (!isOurs(path)) return next();
    ctx.set('Access-Control-Allow-Origin', '*');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', ctx.get('Access-Control-Request-Headers') || '*');
      ctx.set('Access-Control-Max-Age', '86400');
      ctx.status = 204;
      return;
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD, OPTIONS');
      ctx.status = 405;
      ctx.body = { error: 'method_not_allowed', message: `${ctx.method} is not allowed here` };
      return;
    }
    const origin = opts.publicUrl().replace(/\/+$/, '');
    const tileBase = (opts.tileUrl || origin).replace(/\/$/, '');
    let m: RegExpExecArray | null;

    if ((m = TILE.exec(path))) {
      const [, map, layer, z, x, y] = m;
      const r = await tiles.tile(decode(map), layer === undefined ? undefined : decode(layer), z, x, y, {
        acceptEncoding: ctx.get('Accept-Encoding'),
        ifNoneMatch: ctx.get('If-None-Match') || undefined,
      });
      ctx.set('Cache-Control', tiles.cacheControl);
      ctx.set('Vary', 'Accept-Encoding');
      ctx.set('ETag', r.etag);
      ctx.set('X-Cache', r.cache);
      if (r.status !== 200) { ctx.status = r.status; return; }
      ctx.status = 200;
      ctx.type = MVT;
      if (r.encoding !== 'identity') ctx.set('Content-Encoding', r.encoding);
      ctx.body = r.body;
      return;
    }
    if ((m = DOC.exec(path))) {
      const map = decode(m[1]);
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = m[2] === 'style'
        ? await tiles.style(map, { tiles: tileBase, assets: origin })
        : tiles.legend(map);
      return;
    }
    if (path === '/capabilities') {
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await tiles.capabilities(origin);
      return;
    }
    if ((m = TILEJSON.exec(path))) {
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await tiles.tileJson(decode(m[1]), origin);
      return;
    }
    if ((m = FONT.exec(path))) {
      const pbf = await glyphRange(decode(m[1]), m[2]);
      if (!pbf) throw notFound(`No glyphs ${decode(m[1])}/${m[2]}`);
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.type = 'application/x-protobuf';
      ctx.body = pbf;
      return;
    }
    if ((m = SPRITE.exec(path))) {
      const s = sprite(m[1] ? 2 : 1);
      ctx.set('Cache-Control', 'public, max-age=3600');
      if (m[2] === 'json') ctx.body = s.json;
      else { ctx.type = 'image/png'; ctx.body = s.png; }
      return;
    }
    throw notFound(`No tile endpoint ${path}`);
  };
}
