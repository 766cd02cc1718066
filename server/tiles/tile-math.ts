// Web Mercator tile arithmetic (EPSG:3857, XYZ scheme as tegola and MapLibre use it).
export const WORLD = 20037508.342789244; // half the width of the world in metres

export interface TileCoord { z: number; x: number; y: number }
export type Box = [number, number, number, number]; // minx, miny, maxx, maxy

/** Parses z/x/y from URL segments; undefined when malformed or outside the tile grid. */
export function parseTile(zs: string, xs: string, ys: string, maxZoom = 22): TileCoord | undefined {
  if (!/^\d{1,2}$/.test(zs) || !/^\d{1,8}$/.test(xs) || !/^\d{1,8}$/.test(ys)) return undefined;
  const z = Number(zs), x = Number(xs), y = Number(ys);
  if (z > maxZoom) return undefined;
  const n = 2 ** z;
  if (x >= n || y >= n) return undefined;
  return { z, x, y };
}

export function tileWidth(z: number) {
  return (2 * WORLD) / 2 ** z;
}

export function tileBox({ z, x, y }: TileCoord): Box {
  const w = tileWidth(z);
  const minx = -WORLD + x * w;
  const maxy = WORLD - y * w;
  return [minx, maxy - w, minx + w, maxy];
}

/** Tiles of zoom z whose box, grown by `margin` metres, intersects `box`. */
export function tileRange(box: Box, z: number, margin = 0) {
  const w = tileWidth(z);
  const n = 2 ** z;
  const clamp = (v: number) => Math.min(n - 1, Math.max(0, v));
  return {
    minX: clamp(Math.floor((box[0] - margin + WORLD) / w)),
    maxX: clamp(Math.floor((box[2] + margin + WORLD) / w)),
    minY: clamp(Math.floor((WORLD - (box[3] + margin)) / w)),
    maxY: clamp(Math.floor((WORLD - (box[1] - margin)) / w)),
  };
}

export function lonLatToMercator(lon: number, lat: number): [number, number] {
  const x = (lon * WORLD) / 180;
  const clamped = Math.max(-85.05112878, Math.min(85.05112878, lat));
  const y = Math.log(Math.tan(((90 + clamped) * Math.PI) / 360)) * (WORLD / Math.PI);
  return [x, y];
}


export function lonLatToTile(lon: number, lat: number, z: number): TileCoord {
  const [mx, my] = lonLatToMercator(lon, lat);
  const w = tileWidth(z);
  const n = 2 ** z;
  return {
    z,
    x: Math.min(n - 1, Math.max(0, Math.floor((mx + WORLD) / w))),
    y: Math.min(n - 1, Math.max(0, Math.floor((WORLD - my) / w))),
  };
}
