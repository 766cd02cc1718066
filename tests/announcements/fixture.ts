// A small known city for the announcement tests: one district, a 10 × 10 grid of 20 m square
// buildings 40 m apart (so a 20 m gap separates neighbours), two utilities.
import type { Db } from '../../server/db/db.ts';
import { builder } from '../helpers/build.ts';
import { metres } from '../helpers/geometry.ts';

export const ORIGIN = { lon: 24.7100, lat: 48.9200 };
// The grid's own scale, a spherical approximation about half a percent off WGS 84: kept, so its
// coordinates are the ones the tests were written against.
const frame = metres(ORIGIN, { lon: 111320 * Math.cos((ORIGIN.lat * Math.PI) / 180), lat: 110574 });
export const M_LON = frame.mLon;
export const M_LAT = frame.mLat;
export const STEP = 40; // metres between building origins
export const SIZE = 20; // building side, metres
export const N = 10;

/** lon/lat of a point `x`,`y` metres east/north of the origin. */
export const at = frame.at;
/** Centre of the building in column `c`, row `r`. */
export const centre = (c: number, r: number) => at(c * STEP + SIZE / 2, r * STEP + SIZE / 2);
export const buildingId = (c: number, r: number) => r * N + c + 1;
export const apartmentsOf = (c: number, r: number) => 10 + c + r;

/** A polygon (GeoJSON) covering the rectangle of metres [x1,x2]×[y1,y2]. */
export const rect = frame.rect;

export async function seedGrid(db: Db) {
  const b = builder(db, { frame });
  const district = await b.district({ id: 1, name: 'Центральний', nameEn: 'Central', area: rect(-200, -200, 600, 600) });
  const street = await b.street({ id: 1, name: 'Тестова', line: frame.line([0, -10], [400, -10]) });
  const grid = [];
  for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) {
    const id = buildingId(c, r);
    grid.push({ id, street, house: String(id), apartments: apartmentsOf(c, r), district, metres: [c * STEP, r * STEP, SIZE] as [number, number, number] });
  }
  await b.buildings(grid);
  await b.nextIdAfter('building', 1000);
  // Two residents per building in the first row.
  for (let c = 0; c < N; c++) {
    const id = buildingId(c, 0);
    for (const g of [1, 2]) await b.resident({ fullName: `Мешканець ${id}-${g}`, building: id, apartment: String(g) });
  }
  await b.executor({ id: 1, code: 'oblenergo', name: 'Прикарпаттяобленерго', nameEn: null, utility: 'electricity', phone: '+380342000001' });
  await b.executor({ id: 2, code: 'vodokanal', name: 'Івано-Франківськводоекотехпром', nameEn: null, utility: 'cold_water', phone: '+380342000002' });
  await b.nextIdAfter('executor', 100);
}
