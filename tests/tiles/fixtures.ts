// A small known city around Ivano-Frankivsk's centre for tile tests: every count asserted in
// tests/tiles is derived from these rows.
import type { Db } from '../../server/db/db.ts';
import { builder } from '../helpers/build.ts';
import { box, line } from '../helpers/geometry.ts';

export const CENTRE = { lon: 24.7111, lat: 48.9244 }; // mid-tile at z16

/** Five stops in a row 20 m apart near the centre, one far away in the north-east. */
export const STOPS = [0, 1, 2, 3, 4].map((i) => ({ name: `Вокзал ${i + 1}`, lon: CENTRE.lon + i * 0.0003, lat: CENTRE.lat }));
export const FAR_STOP = { name: 'Хриплин', lon: 24.80, lat: 48.97 };

export async function insertCity(db: Db) {
  return db.tx(async (t) => {
    const b = builder(t, { origin: CENTRE });
    const { lon, lat } = CENTRE;
    const district = await b.district({ name: 'Центральний', nameEn: 'Central', area: box(lon, lat, 0.03) });
    const street = await b.street({ name: 'Незалежності', rank: 1, line: line([lon - 0.01, lat - 0.0004], [lon + 0.01, lat - 0.0004]) });
    await b.street({ name: 'Тиха', kind: 'провулок', rank: 3, line: line([lon - 0.002, lat + 0.0006], [lon + 0.002, lat + 0.0006]) });
    const buildings: number[] = [];
    for (const [i, house] of ['12', '14', '16'].entries()) {
      buildings.push(await b.building({ street, house, floors: 9, apartments: 36, district, footprint: box(lon + i * 0.0004, lat - 0.0008, 0.00012) }));
    }
    await b.landuse({ kind: 'park', name: 'Парк Шевченка', area: box(lon - 0.001, lat + 0.0012, 0.0003) });
    const stops: number[] = [];
    for (const s of [...STOPS, FAR_STOP]) {
      stops.push(await b.infra({ kind: 'stop', name: s.name, attributes: { routes: '3, 12', owner: 'Іван Петренко', phone: '+380501112233' }, at: [s.lon, s.lat] }));
    }
    const point = (kind: 'traffic_light' | 'container_site' | 'kiosk' | 'other', name: string, dLon: number, attributes: object = {}) =>
      b.infra({ kind, name, attributes, at: [lon + dLon, lat + 0.0003] });
    const trafficLight = await point('traffic_light', 'Перехрестя', 0.0001);
    const container = await point('container_site', 'Майданчик 7', 0.0005, { containers: 4, owner: 'ТОВ Чисто' });
    const kiosk = await point('kiosk', 'Преса', 0.0009);
    const other = await point('other', 'Фонтан', 0.0012);
    const zone = await b.infra({ kind: 'cleaning_zone', name: 'Зона 1', geometry: { type: 'MultiPolygon', coordinates: [box(lon, lat + 0.001, 0.0005).coordinates] } });
    return { district, street, buildings, stops, trafficLight, container, kiosk, other, zone };
  });
}
