// A small real city for the Karta tests: a district, streets of several kinds with look-alike
// names, buildings as squares, and infrastructure objects with organisations.
import type { Db } from '../../server/db/db.ts';

export const CENTRE = { lon: 24.7111, lat: 48.9226 };

/** A square building polygon of about 20 m around a point. */
function square(lon: number, lat: number, half = 0.00012) {
  return `SRID=4326;MULTIPOLYGON(((${lon - half} ${lat - half},${lon + half} ${lat - half},${lon + half} ${lat + half},${lon - half} ${lat + half},${lon - half} ${lat - half})))`;
}

// Незалежності is the city's main street (rank 1), as in Ivano-Frankivsk.
const STREETS: [kind: string, name: string, abbr: string, houses: string[]][] = [
  ['вулиця', 'Незалежності', 'вул.', ['1', '2', '10', '12', '12а', '14', '120', '121']],
  ['площа', 'Незалежності', 'пл.', ['1', '3']],
  ['вулиця', 'Незалежна', 'вул.', ['12', '14']],
  ['проспект', 'Шевченка', 'просп.', ['5', '5/1', '7']],
  ['вулиця', 'Шевченка', 'вул.', ['5', '9']],
  ['бульвар', 'Лесі Українки', 'бульв.', ['3', '4']],
  ['вулиця', 'В’ячеслава Чорновола', 'вул.', ['7', '7а']],
  ['вулиця', '24 Серпня', 'вул.', ['5', '24']],
  ['провулок', 'Тихий', 'пров.', ['2']],
];

export interface KartaFixture {
  districtId: number;
  buildings: Map<string, { id: number; lon: number; lat: number }>;
  orgId: number;
  stop: { id: number; lon: number; lat: number };
  light: { id: number; lon: number; lat: number };
  zoneId: number;
}

export async function insertKartaFixture(db: Db): Promise<KartaFixture> {
  const { lon: x, lat: y } = CENTRE;
  const districtId = (await db.one<{ id: number }>(
    `INSERT INTO district (name, name_en, geom) VALUES ('Центральний', 'Central',
       ST_Multi(ST_MakeEnvelope($1, $2, $3, $4, 4326))) RETURNING id`, [x - 0.05, y - 0.05, x + 0.05, y + 0.05])).id;
  const buildings = new Map<string, { id: number; lon: number; lat: number }>();
  let row = 0;
  for (const [kind, name, abbr, houses] of STREETS) {
    const sy = y - 0.01 + row * 0.0025;
    const streetId = (await db.one<{ id: number }>(
      `INSERT INTO street (name, kind, rank, geom) VALUES ($1, $2, $3, ST_GeomFromEWKT($4)) RETURNING id`,
      [name, kind, row === 0 ? 1 : 3, `SRID=4326;MULTILINESTRING((${x - 0.01} ${sy},${x + 0.01} ${sy}))`])).id;
    for (const [i, house] of houses.entries()) {
      const lon = x - 0.009 + i * 0.0012, lat = sy + 0.0004;
      const address = `${abbr} ${name}, ${house}`;
      const id = (await db.one<{ id: number }>(
        `INSERT INTO building (street_id, house_number, address, floors, apartments, district_id, geom)
         VALUES ($1, $2, $3, 5, 40, $4, ST_GeomFromEWKT($5)) RETURNING id`,
        [streetId, house, address, districtId, square(lon, lat)])).id;
      buildings.set(address, { id, lon, lat });
    }
    row++;
  }
  const orgId = (await db.one<{ id: number }>(
    `INSERT INTO executor (code, name, name_en, kind, phone, email)
     VALUES ('elektroavtotrans', 'КП «Електроавтотранс»', 'Elektroavtotrans', 'city_service', '+380342123456', 'eat@misto.local') RETURNING id`)).id;
  const point = async (kind: string, name: string, lon: number, lat: number, attributes: object) =>
    ({ id: (await db.one<{ id: number }>(
      `INSERT INTO infra_object (kind, name, address, attributes, organisation_id, geom)
       VALUES ($1, $2, 'вул. Незалежності, 12', $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326)) RETURNING id`,
      [kind, name, attributes, orgId, lon, lat])).id, lon, lat });
  const stop = await point('stop', 'Площа Ринок', x + 0.0015, y + 0.0008, { routes: '3, 12, 27', shelter: true });
  const light = await point('traffic_light', 'Незалежності — Шевченка', x - 0.0015, y - 0.0008, { phases: 3, pedestrian_button: true });
  const zoneId = (await db.one<{ id: number }>(
    `INSERT INTO infra_object (kind, name, attributes, geom)
     VALUES ('cleaning_zone', 'Сквер біля ратуші', '{"area_m2": 5400}', ST_MakeEnvelope($1, $2, $3, $4, 4326)) RETURNING id`,
    [x + 0.003, y + 0.003, x + 0.004, y + 0.004])).id;
  return { districtId, buildings, orgId, stop, light, zoneId };
}
