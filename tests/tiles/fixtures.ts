// A small known city around Ivano-Frankivsk's centre for tile tests: every count asserted in
// tests/tiles is derived from these rows.
import type { Db } from '../../server/db/db.ts';

export const CENTRE = { lon: 24.7111, lat: 48.9244 }; // mid-tile at z16

/** Five stops in a row 20 m apart near the centre, one far away in the north-east. */
export const STOPS = [0, 1, 2, 3, 4].map((i) => ({ name: `Вокзал ${i + 1}`, lon: CENTRE.lon + i * 0.0003, lat: CENTRE.lat }));
export const FAR_STOP = { name: 'Хриплин', lon: 24.80, lat: 48.97 };

const box = (lon: number, lat: number, d: number) =>
  `ST_Multi(ST_MakeEnvelope(${lon - d}, ${lat - d}, ${lon + d}, ${lat + d}, 4326))`;

export async function insertCity(db: Db) {
  return db.tx(async (t) => {
    const district = await t.one<{ id: number }>(
      `INSERT INTO district (name, name_en, geom) VALUES ('Центральний', 'Central', ${box(CENTRE.lon, CENTRE.lat, 0.03)}) RETURNING id`);
    const street = await t.one<{ id: number }>(
      `INSERT INTO street (name, kind, rank, geom) VALUES ('Незалежності', 'вулиця', 1,
         ST_Multi(ST_SetSRID(ST_MakeLine(ST_MakePoint($1, $2), ST_MakePoint($3, $2)), 4326))) RETURNING id`,
      [CENTRE.lon - 0.01, CENTRE.lat - 0.0004, CENTRE.lon + 0.01]);
    await t.none(
      `INSERT INTO street (name, kind, rank, geom) VALUES ('Тиха', 'провулок', 3,
         ST_Multi(ST_SetSRID(ST_MakeLine(ST_MakePoint($1, $2), ST_MakePoint($3, $2)), 4326)))`,
      [CENTRE.lon - 0.002, CENTRE.lat + 0.0006, CENTRE.lon + 0.002]);
    const buildings: number[] = [];
    for (const [i, n] of ['12', '14', '16'].entries()) {
      const b = await t.one<{ id: number }>(
        `INSERT INTO building (street_id, house_number, address, floors, apartments, district_id, geom)
         VALUES ($1, $2, $3, 9, 36, $4, ${box(CENTRE.lon + i * 0.0004, CENTRE.lat - 0.0008, 0.00012)}) RETURNING id`,
        [street.id, n, `вул. Незалежності, ${n}`, district.id]);
      buildings.push(b.id);
    }
    await t.none(`INSERT INTO landuse (kind, name, geom) VALUES ('park', 'Парк Шевченка', ${box(CENTRE.lon - 0.001, CENTRE.lat + 0.0012, 0.0003)})`);
    const stops: number[] = [];
    for (const s of [...STOPS, FAR_STOP]) {
      const r = await t.one<{ id: number }>(
        `INSERT INTO infra_object (kind, name, attributes, geom) VALUES ('stop', $1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326)) RETURNING id`,
        [s.name, { routes: '3, 12', owner: 'Іван Петренко', phone: '+380501112233' }, s.lon, s.lat]);
      stops.push(r.id);
    }
    const point = (kind: string, name: string, dLon: number, attrs: object = {}) => t.one<{ id: number }>(
      `INSERT INTO infra_object (kind, name, attributes, geom) VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326)) RETURNING id`,
      [kind, name, attrs, CENTRE.lon + dLon, CENTRE.lat + 0.0003]);
    const trafficLight = await point('traffic_light', 'Перехрестя', 0.0001);
    const container = await point('container_site', 'Майданчик 7', 0.0005, { containers: 4, owner: 'ТОВ Чисто' });
    const kiosk = await point('kiosk', 'Преса', 0.0009);
    const other = await point('other', 'Фонтан', 0.0012);
    const zone = await t.one<{ id: number }>(
      `INSERT INTO infra_object (kind, name, geom) VALUES ('cleaning_zone', 'Зона 1', ${box(CENTRE.lon, CENTRE.lat + 0.001, 0.0005)}) RETURNING id`);
    return { district: district.id, street: street.id, buildings, stops, trafficLight: trafficLight.id, container: container.id, kiosk: kiosk.id, other: other.id, zone: zone.id };
  });
}
