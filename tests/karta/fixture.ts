// A small real city for the Karta tests: a district, streets of several kinds with look-alike
// names, buildings as squares, and infrastructure objects with organisations.
import type { Db } from '../../server/db/db.ts';
import { STREET_PREFIX, type StreetKind } from '../../vocabulary/city.ts';
import { builder } from '../helpers/build.ts';
import { box, envelope } from '../helpers/geometry.ts';

export const CENTRE = { lon: 24.7111, lat: 48.9226 };

/** Half the side of a building square: about 20 m. */
const HALF = 0.00012;

// Незалежності is the city's main street (rank 1), as in Ivano-Frankivsk. Addresses are written
// with each kind's prefix ("пл. Незалежності, 3").
const STREETS: [kind: StreetKind, name: string, houses: string[]][] = [
  ['вулиця', 'Незалежності', ['1', '2', '10', '12', '12а', '14', '120', '121']],
  ['площа', 'Незалежності', ['1', '3']],
  ['вулиця', 'Незалежна', ['12', '14']],
  ['проспект', 'Шевченка', ['5', '5/1', '7']],
  ['вулиця', 'Шевченка', ['5', '9']],
  ['бульвар', 'Лесі Українки', ['3', '4']],
  ['вулиця', 'В’ячеслава Чорновола', ['7', '7а']],
  ['вулиця', '24 Серпня', ['5', '24']],
  ['провулок', 'Тихий', ['2']],
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
  const b = builder(db, { origin: CENTRE });
  const districtId = await b.district({ name: 'Центральний', nameEn: 'Central', area: envelope(x - 0.05, y - 0.05, x + 0.05, y + 0.05) });
  const buildings = new Map<string, { id: number; lon: number; lat: number }>();
  for (const [row, [kind, name, houses]] of STREETS.entries()) {
    const sy = y - 0.01 + row * 0.0025;
    const street = await b.street({ name, kind, rank: row === 0 ? 1 : 3, line: { type: 'LineString', coordinates: [[x - 0.01, sy], [x + 0.01, sy]] } });
    for (const [i, house] of houses.entries()) {
      const lon = x - 0.009 + i * 0.0012, lat = sy + 0.0004;
      const id = await b.building({ street, house, floors: 5, apartments: 40, district: districtId, footprint: box(lon, lat, HALF) });
      buildings.set(`${STREET_PREFIX[kind]} ${name}, ${house}`, { id, lon, lat });
    }
  }
  const orgId = await b.executor({ code: 'elektroavtotrans', name: 'КП «Електроавтотранс»', nameEn: 'Elektroavtotrans', phone: '+380342123456', email: 'eat@misto.local' });
  const point = async (kind: 'stop' | 'traffic_light', name: string, lon: number, lat: number, attributes: object) =>
    ({ id: await b.infra({ kind, name, address: 'вул. Незалежності, 12', attributes, organisation: orgId, at: [lon, lat] }), lon, lat });
  const stop = await point('stop', 'Площа Ринок', x + 0.0015, y + 0.0008, { routes: '3, 12, 27', shelter: true });
  const light = await point('traffic_light', 'Незалежності — Шевченка', x - 0.0015, y - 0.0008, { phases: 3, pedestrian_button: true });
  const zoneId = await b.infra({ kind: 'cleaning_zone', name: 'Сквер біля ратуші', attributes: { area_m2: 5400 }, geometry: envelope(x + 0.003, y + 0.003, x + 0.004, y + 0.004) });
  return { districtId, buildings, orgId, stop, light, zoneId };
}
