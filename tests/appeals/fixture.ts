// A small city for appeal tests: two districts, housing offices, one category per executor rule,
// a container site and a traffic light, one known resident, and a user for every role.
import type { Db } from '../../server/db/db.ts';
import { createUser } from '../helpers/users.ts';

const square = (x0: number, y0: number, x1: number, y1: number) =>
  `ST_GeomFromText('MULTIPOLYGON(((${x0} ${y0}, ${x1} ${y0}, ${x1} ${y1}, ${x0} ${y1}, ${x0} ${y0})))', 4326)`;
const house = (x: number, y: number) => square(x, y, x + 0.0003, y + 0.0002);

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
  await db.none(`
    INSERT INTO district (id, name, name_en, geom) VALUES
      (1, 'Центральний', 'Centre', ${square(24.70, 48.91, 24.72, 48.93)}),
      (2, 'Пасічна', 'Pasichna', ${square(24.72, 48.91, 24.74, 48.93)});
    INSERT INTO executor (id, code, name, name_en, kind, utility, district_id, email) VALUES
      (1, 'zhek-1', 'ЖЕК №1', 'Housing office 1', 'housing_office', NULL, 1, 'zhek1@misto.local'),
      (2, 'zhek-2', 'ЖЕК №2', 'Housing office 2', 'housing_office', NULL, 2, 'zhek2@misto.local'),
      (3, 'vodokanal', 'Водоканал', 'Water utility', 'utility', 'cold_water', NULL, 'vodokanal@misto.local'),
      (4, 'blagoustrii-centre', 'Благоустрій центр', 'Improvement, centre', 'city_service', NULL, 1, NULL),
      (5, 'eko', 'Екосервіс', 'Eco service', 'city_service', NULL, NULL, NULL),
      (6, 'dorogy', 'Міськсвітло', 'City lights', 'city_service', NULL, NULL, NULL);
    SELECT setval('executor_id_seq', 6);
    INSERT INTO street (id, name, geom) VALUES (1, 'Незалежності', ST_GeomFromText('MULTILINESTRING((24.70 48.92, 24.74 48.92))', 4326));
    INSERT INTO building (id, street_id, house_number, address, floors, apartments, district_id, housing_office_id, geom) VALUES
      (1, 1, '12', 'вул. Незалежності, 12', 9, 72, 1, 1, ${house(24.711, 48.921)}),
      (2, 1, '40', 'вул. Незалежності, 40', 5, 40, 2, 2, ${house(24.731, 48.921)}),
      (3, 1, '44', 'вул. Незалежності, 44', 2, 0, 2, NULL, ${house(24.735, 48.921)});
    SELECT setval('building_id_seq', 3);
    INSERT INTO sphere (id, code, name, name_en) VALUES (1, 'housing', 'Житлове господарство', 'Housing'),
      (2, 'improvement', 'Благоустрій', 'Improvement'), (3, 'roads', 'Дороги і світлофори', 'Roads and traffic lights');
    INSERT INTO category (id, sphere_id, code, name, name_en, executor_rule, executor_id, deadline_hours, survey, infra_kind, active) VALUES
      (1, 1, 'roof_leak', 'Протікання покрівлі', 'Roof leak', 'housing_office', 1, 72, true, NULL, true),
      (2, 2, 'garbage', 'Невивезення сміття', 'Garbage not collected', 'district', 5, 24, true, 'container_site', true),
      (3, 1, 'no_water', 'Відсутнє холодне водопостачання', 'No cold water', 'fixed', 3, 12, false, NULL, true),
      (4, 1, 'retired', 'Стара категорія', 'Retired category', 'fixed', 3, 12, false, NULL, false),
      (5, 3, 'traffic_light', 'Несправний світлофор', 'Broken traffic light', 'fixed', 6, 4, true, 'traffic_light', true);
    SELECT setval('category_id_seq', 5);
    INSERT INTO category_district_executor (category_id, district_id, executor_id) VALUES (2, 1, 4);
    INSERT INTO infra_object (id, kind, name, address, attributes, organisation_id, geom) VALUES
      (1, 'container_site', 'Контейнерний майданчик №17', 'вул. Незалежності, 14', '{"containers": 4}', 5, ST_SetSRID(ST_MakePoint(24.7105, 48.9205), 4326)),
      (2, 'traffic_light', 'Світлофор Незалежності — Пасічна', NULL, '{}', 6, ST_SetSRID(ST_MakePoint(24.733, 48.9202), 4326));
    SELECT setval('infra_object_id_seq', 2);
    INSERT INTO resident (id, full_name, building_id, apartment) VALUES (1, 'Коваленко Олена Петрівна', 1, '5');
    SELECT setval('resident_id_seq', 1);
    INSERT INTO resident_phone (phone, resident_id) VALUES ('+380501112233', 1);
  `);
  await createUser(db, 'operator1', 'operator', { sipInterface: 'PJSIP/101' });
  await createUser(db, 'admin1', 'admin');
  await createUser(db, 'analyst1', 'analyst');
  await createUser(db, 'zhek1', 'executor', { executorId: 1 });
  await createUser(db, 'blago', 'executor', { executorId: 4 });
  await createUser(db, 'vodokanal', 'executor', { executorId: 3 });
}
