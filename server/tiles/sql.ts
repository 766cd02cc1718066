// Turns registry SQL into the statement for one tile, exactly as tegola's mvt_postgis provider
// does: tokens replaced, each layer wrapped in ST_AsMVT, layers concatenated with ||.
import type { MapLayer } from './registry.ts';
import { tileBox, tileWidth, type TileCoord } from './tile-math.ts';

const EXTENT = 4096; // tegola.DefaultExtent

function num(v: number) {
  // Enough digits for millimetres anywhere in the world, and stable text for the plan cache.
  return v.toFixed(8).replace(/\.?0+$/, '');
}

/** tegola's tokens; !BBOX! is the unbuffered tile envelope in the layer SRID (3857). */
export function replaceTokens(sql: string, layer: MapLayer, t: TileCoord): string {
  const [minx, miny, maxx, maxy] = tileBox(t);
  const pixel = tileWidth(t.z) / 256;
  const bbox = `ST_MakeEnvelope(${num(minx)},${num(miny)},${num(maxx)},${num(maxy)},${layer.provider.srid})`;
  const tokens: Record<string, string> = {
    BBOX: bbox, BOX: bbox,
    ZOOM: String(t.z), Z: String(t.z), X: String(t.x), Y: String(t.y),
    PIXEL_WIDTH: num(pixel), PIXEL_HEIGHT: num(pixel),
    SCALE_DENOMINATOR: num(pixel / 0.00028),
    ID_FIELD: layer.provider.idField, GEOM_FIELD: layer.provider.geometryField,
    GEOM_TYPE: layer.provider.geometryType,
  };
  return sql.replace(/!(BBOX|BOX|ZOOM|Z|X|Y|PIXEL_WIDTH|PIXEL_HEIGHT|SCALE_DENOMINATOR|ID_FIELD|GEOM_FIELD|GEOM_TYPE)!/gi,
    (_, name: string) => tokens[name.toUpperCase()]);
}

function quoteLiteral(s: string) {
  return `'${s.replace(/'/g, "''")}'`;
}

export function layerMvtSql(layer: MapLayer, t: TileCoord): string {
  return `(SELECT ST_AsMVT(q,${quoteLiteral(layer.name)},${EXTENT},${quoteLiteral(layer.provider.geometryField)},` +
    `${quoteLiteral(layer.provider.idField)}) AS data FROM (${replaceTokens(layer.provider.sql, layer, t)}) AS q)`;
}

/** One statement for all given layers of a tile: SELECT (L1 || L2 || …) AS data. */
export function tileSql(layers: MapLayer[], t: TileCoord): string {
  return `SELECT (${layers.map((l) => layerMvtSql(l, t)).join(' || ')}) AS data`;
}

type ParamKey = 'minx' | 'miny' | 'maxx' | 'maxy' | 'zoom' | 'x' | 'y' | 'pixel' | 'scale';

/**
 * The same statement with the tile as parameters, so the server can run it as a prepared
 * statement: planned once per connection instead of on every tile (planning can cost as much as
 * running a small tile). `keys` names what each $n is; see tileParams.
 */
export function preparedTileSql(layers: MapLayer[]): { text: string; keys: ParamKey[] } {
  const keys: ParamKey[] = [];
  const p = (k: ParamKey, type: string) => {
    let i = keys.indexOf(k);
    if (i < 0) { keys.push(k); i = keys.length - 1; }
    return `$${i + 1}::${type}`;
  };
  const layerSql = (layer: MapLayer) => {
    const text = layer.provider.sql.replace(/!(BBOX|BOX|ZOOM|Z|X|Y|PIXEL_WIDTH|PIXEL_HEIGHT|SCALE_DENOMINATOR|ID_FIELD|GEOM_FIELD|GEOM_TYPE)!/gi,
      (_, name: string) => {
        switch (name.toUpperCase()) {
          case 'BBOX': case 'BOX':
            return `ST_MakeEnvelope(${p('minx', 'float8')},${p('miny', 'float8')},${p('maxx', 'float8')},${p('maxy', 'float8')},${layer.provider.srid})`;
          case 'ZOOM': case 'Z': return p('zoom', 'int');
          case 'X': return p('x', 'int');
          case 'Y': return p('y', 'int');
          case 'PIXEL_WIDTH': case 'PIXEL_HEIGHT': return p('pixel', 'float8');
          case 'SCALE_DENOMINATOR': return p('scale', 'float8');
          case 'ID_FIELD': return layer.provider.idField;
          case 'GEOM_FIELD': return layer.provider.geometryField;
          default: return layer.provider.geometryType;
        }
      });
    return `(SELECT ST_AsMVT(q,${quoteLiteral(layer.name)},${EXTENT},${quoteLiteral(layer.provider.geometryField)},` +
      `${quoteLiteral(layer.provider.idField)}) AS data FROM (${text}) AS q)`;
  };
  const text = `SELECT (${layers.map(layerSql).join(' || ')}) AS data`;
  return { text, keys };
}

export function tileParams(t: TileCoord, keys: ParamKey[]): number[] {
  const [minx, miny, maxx, maxy] = tileBox(t);
  const pixel = tileWidth(t.z) / 256;
  const v: Record<ParamKey, number> = { minx, miny, maxx, maxy, zoom: t.z, x: t.x, y: t.y, pixel, scale: pixel / 0.00028 };
  return keys.map((k) => v[k]);
}
