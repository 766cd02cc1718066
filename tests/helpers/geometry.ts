// Geometry for test cities as GeoJSON in WGS 84: points and rectangles given in metres east and
// north of an origin (a small city is easier to reason about in metres than in degrees), and
// rectangles in degrees. Pure: the unit tier may use it too.

export type LonLat = [number, number];
export interface Polygon { type: 'Polygon'; coordinates: LonLat[][] }
export interface MultiPolygon { type: 'MultiPolygon'; coordinates: LonLat[][][] }
export interface LineString { type: 'LineString'; coordinates: LonLat[] }
export interface Point { type: 'Point'; coordinates: LonLat }
export type Polygonal = Polygon | MultiPolygon;
export type Geometry = Polygonal | LineString | Point | { type: 'MultiLineString'; coordinates: LonLat[][] };

/** Ivano-Frankivsk's centre: where a builder's city is put unless a test says otherwise. */
export const IF_CENTRE = { lon: 24.7100, lat: 48.9200 };

/** Metres in one degree of longitude and of latitude at `lat` on the WGS 84 ellipsoid. */
export function degreeLength(lat: number) {
  const p = (lat * Math.PI) / 180;
  return {
    lon: 111412.84 * Math.cos(p) - 93.5 * Math.cos(3 * p) + 0.118 * Math.cos(5 * p),
    lat: 111132.92 - 559.82 * Math.cos(2 * p) + 1.175 * Math.cos(4 * p) - 0.0023 * Math.cos(6 * p),
  };
}

/**
 * A local metric frame: `at(x, y)` is the point `x` metres east and `y` metres north of the
 * origin, with the degree lengths at the origin's latitude (within a few kilometres of it a metre
 * is a metre to a tenth of a percent). `scale` replaces them (metres per degree).
 */
export function metres(origin: { lon: number; lat: number } = IF_CENTRE, scale = degreeLength(origin.lat)) {
  const mLon = 1 / scale.lon;
  const mLat = 1 / scale.lat;
  const at = (x: number, y: number): LonLat => [origin.lon + x * mLon, origin.lat + y * mLat];
  return {
    origin, mLon, mLat, at,
    /** The rectangle [x1, x2] × [y1, y2] in metres, counter-clockwise from its south-west corner. */
    rect: (x1: number, y1: number, x2: number, y2: number): Polygon =>
      ({ type: 'Polygon', coordinates: [[at(x1, y1), at(x2, y1), at(x2, y2), at(x1, y2), at(x1, y1)]] }),
    /** A `w` × `h` metre rectangle whose south-west corner is `x`, `y` metres from the origin. */
    square: (x: number, y: number, w: number, h = w): Polygon =>
      ({ type: 'Polygon', coordinates: [[at(x, y), at(x + w, y), at(x + w, y + h), at(x, y + h), at(x, y)]] }),
    line: (...points: [number, number][]): LineString => ({ type: 'LineString', coordinates: points.map(([x, y]) => at(x, y)) }),
  };
}
export type Metres = ReturnType<typeof metres>;

/** The rectangle [minLon, maxLon] × [minLat, maxLat], counter-clockwise from its south-west corner. */
export const envelope = (minLon: number, minLat: number, maxLon: number, maxLat: number): Polygon =>
  ({ type: 'Polygon', coordinates: [[[minLon, minLat], [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat], [minLon, minLat]]] });

/** A square of half-side `half` degrees around a point. */
export const box = (lon: number, lat: number, half: number): Polygon => envelope(lon - half, lat - half, lon + half, lat + half);

export const point = (lon: number, lat: number): Point => ({ type: 'Point', coordinates: [lon, lat] });
export const line = (...coordinates: LonLat[]): LineString => ({ type: 'LineString', coordinates });
