// A small known city for the announcement tests: one district, a 10 × 10 grid of 20 m square
// buildings 40 m apart (so a 20 m gap separates neighbours), two utilities.
import type { Db } from '../../server/db/db.ts';

export const ORIGIN = { lon: 24.7100, lat: 48.9200 };
export const M_LON = 1 / (111320 * Math.cos((ORIGIN.lat * Math.PI) / 180));
export const M_LAT = 1 / 110574;
export const STEP = 40; // metres between building origins
export const SIZE = 20; // building side, metres
export const N = 10;

/** lon/lat of a point `x`,`y` metres east/north of the origin. */
export const at = (x: number, y: number): [number, number] => [ORIGIN.lon + x * M_LON, ORIGIN.lat + y * M_LAT];
/** Centre of the building in column `c`, row `r`. */
export const centre = (c: number, r: number) => at(c * STEP + SIZE / 2, r * STEP + SIZE / 2);
export const buildingId = (c: number, r: number) => r * N + c + 1;
export const apartmentsOf = (c: number, r: number) => 10 + c + r;

function square(x: number, y: number, w: number, h: number) {
  return [[at(x, y), at(x + w, y), at(x + w, y + h), at(x, y + h), at(x, y)]];
}
/** A polygon (GeoJSON) covering the rectangle of metres [x1,x2]×[y1,y2]. */
export const rect = (x1: number, y1: number, x2: number, y2: number) => ({ type: 'Polygon', coordinates: square(x1, y1, x2 - x1, y2 - y1) });

export async function seedGrid(db: Db) {
  await db.none(`INSERT INTO district (id, name, name_en, geom) VALUES
    (1, 'Центральний', 'Central', ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)))`,
    [JSON.stringify({ type: 'Polygon', coordinates: square(-200, -200, 800, 800) })]);
  await db.none(`INSERT INTO street (id, name, geom) VALUES (1, 'Тестова', ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)))`,
    [JSON.stringify({ type: 'LineString', coordinates: [at(0, -10), at(400, -10)] })]);
  const rows: string[] = [];
  for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) {
    const id = buildingId(c, r);
    rows.push(`(${id}, 1, '${id}', 'вул. Тестова, ${id}', ${apartmentsOf(c, r)}, 1,
      ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON('${JSON.stringify({ type: 'Polygon', coordinates: square(c * STEP, r * STEP, SIZE, SIZE) })}'), 4326)))`);
  }
  await db.none(`INSERT INTO building (id, street_id, house_number, address, apartments, district_id, geom) VALUES ${rows.join(',')}`);
  await db.one(`SELECT setval('building_id_seq', 1000)`);
  // Two residents per building in the first row.
  await db.none(`INSERT INTO resident (full_name, building_id, apartment)
                 SELECT 'Мешканець ' || b.id || '-' || g, b.id, g::text FROM building b, generate_series(1, 2) g WHERE b.id <= $1`, [N]);
  await db.none(`INSERT INTO executor (id, code, name, kind, utility, phone) VALUES
    (1, 'oblenergo', 'Прикарпаттяобленерго', 'utility', 'electricity', '+380342000001'),
    (2, 'vodokanal', 'Івано-Франківськводоекотехпром', 'utility', 'cold_water', '+380342000002')`);
  await db.one(`SELECT setval('executor_id_seq', 100)`);
}
