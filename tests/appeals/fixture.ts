// A small city for appeal tests: two districts, housing offices, one category per executor rule,
// a container site and a traffic light, one known resident, and a user for every role.
import type { Db } from '../../server/db/db.ts';
import { builder } from '../helpers/build.ts';
import { envelope } from '../helpers/geometry.ts';

const house = (x: number, y: number) => envelope(x, y, x + 0.0003, y + 0.0002);

export const CITY = {
  centre: 1, pasichna: 2,
  zhek1: 1, zhek2: 2, vodokanal: 3, blagoustrii: 4, eko: 5, dorogy: 6,
  buildingCentre: 1, buildingPasichna: 2, buildingNoOffice: 3,
  roofLeak: 1, garbage: 2, noWater: 3, retired: 4, trafficLight: 5,
  containerSite: 1, light: 2,
  resident: 1, residentPhone: '+380501112233',
  // Container site in the centre, traffic light in Pasichna (lon, lat).
  containerAt: [24.7105, 48.9205] as const,
};

export async function seedCity(db: Db) {
  const b = builder(db);
  const C = CITY;
  await b.district({ id: C.centre, name: 'Центральний', nameEn: 'Centre', area: envelope(24.70, 48.91, 24.72, 48.93) });
  await b.district({ id: C.pasichna, name: 'Пасічна', nameEn: 'Pasichna', area: envelope(24.72, 48.91, 24.74, 48.93) });
  await b.executor({ id: C.zhek1, code: 'zhek-1', name: 'ЖЕК №1', nameEn: 'Housing office 1', kind: 'housing_office', district: C.centre, email: 'zhek1@misto.local' });
  await b.executor({ id: C.zhek2, code: 'zhek-2', name: 'ЖЕК №2', nameEn: 'Housing office 2', kind: 'housing_office', district: C.pasichna, email: 'zhek2@misto.local' });
  await b.executor({ id: C.vodokanal, code: 'vodokanal', name: 'Водоканал', nameEn: 'Water utility', utility: 'cold_water', email: 'vodokanal@misto.local' });
  await b.executor({ id: C.blagoustrii, code: 'blagoustrii-centre', name: 'Благоустрій центр', nameEn: 'Improvement, centre', district: C.centre });
  await b.executor({ id: C.eko, code: 'eko', name: 'Екосервіс', nameEn: 'Eco service' });
  await b.executor({ id: C.dorogy, code: 'dorogy', name: 'Міськсвітло', nameEn: 'City lights' });
  const street = await b.street({ id: 1, name: 'Незалежності', line: { type: 'LineString', coordinates: [[24.70, 48.92], [24.74, 48.92]] } });
  await b.building({ id: C.buildingCentre, street, house: '12', floors: 9, apartments: 72, district: C.centre, housingOffice: C.zhek1, footprint: house(24.711, 48.921) });
  await b.building({ id: C.buildingPasichna, street, house: '40', floors: 5, apartments: 40, district: C.pasichna, housingOffice: C.zhek2, footprint: house(24.731, 48.921) });
  await b.building({ id: C.buildingNoOffice, street, house: '44', floors: 2, apartments: 0, district: C.pasichna, footprint: house(24.735, 48.921) });
  const housing = await b.sphere({ id: 1, code: 'housing', name: 'Житлове господарство', nameEn: 'Housing' });
  const improvement = await b.sphere({ id: 2, code: 'improvement', name: 'Благоустрій', nameEn: 'Improvement' });
  const roads = await b.sphere({ id: 3, code: 'roads', name: 'Дороги і світлофори', nameEn: 'Roads and traffic lights' });
  await b.category({ id: C.roofLeak, sphere: housing, code: 'roof_leak', name: 'Протікання покрівлі', nameEn: 'Roof leak',
    rule: 'housing_office', executor: C.zhek1, deadlineHours: 72, survey: true });
  await b.category({ id: C.garbage, sphere: improvement, code: 'garbage', name: 'Невивезення сміття', nameEn: 'Garbage not collected',
    rule: 'district', executor: C.eko, deadlineHours: 24, survey: true, infraKind: 'container_site',
    districts: [{ district: C.centre, executor: C.blagoustrii }] });
  await b.category({ id: C.noWater, sphere: housing, code: 'no_water', name: 'Відсутнє холодне водопостачання', nameEn: 'No cold water',
    rule: 'fixed', executor: C.vodokanal, deadlineHours: 12, survey: false });
  await b.category({ id: C.retired, sphere: housing, code: 'retired', name: 'Стара категорія', nameEn: 'Retired category',
    rule: 'fixed', executor: C.vodokanal, deadlineHours: 12, survey: false, active: false });
  await b.category({ id: C.trafficLight, sphere: roads, code: 'traffic_light', name: 'Несправний світлофор', nameEn: 'Broken traffic light',
    rule: 'fixed', executor: C.dorogy, deadlineHours: 4, survey: true, infraKind: 'traffic_light' });
  await b.infra({ id: C.containerSite, kind: 'container_site', name: 'Контейнерний майданчик №17', address: 'вул. Незалежності, 14',
    attributes: { containers: 4 }, organisation: C.eko, at: [...C.containerAt] });
  await b.infra({ id: C.light, kind: 'traffic_light', name: 'Світлофор Незалежності — Пасічна', attributes: {}, organisation: C.dorogy, at: [24.733, 48.9202] });
  await b.resident({ id: C.resident, fullName: 'Коваленко Олена Петрівна', building: C.buildingCentre, apartment: '5', phones: [C.residentPhone] });
  await b.user('operator', { login: 'operator1', sip: 'PJSIP/101' });
  await b.user('admin', { login: 'admin1' });
  await b.user('analyst', { login: 'analyst1' });
  await b.user('executor', { login: 'zhek1', executor: C.zhek1 });
  await b.user('executor', { login: 'blago', executor: C.blagoustrii });
  await b.user('executor', { login: 'vodokanal', executor: C.vodokanal });
}
