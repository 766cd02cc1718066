// The planners' fixture over the small city of tests/appeals/fixture.ts (two districts along
// Незалежності): appeals placed by hand in a week of Kyiv days well before TEST_NOW, a recurring
// lift failure, a scattered set, one announced outage with calls from inside and outside it.
import type { Db } from '../../server/db/db.ts';
import { builder } from '../helpers/build.ts';
import { TEST_NOW, HOUR, DAY } from '../helpers/clock.ts';
import { CITY, seedCity } from '../appeals/fixture.ts';
import { kyivTime } from '../telephony/stats-fixture.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';

/** The period: seven Kyiv days ending 20 days before TEST_NOW. */
export const FROM = addDays(kyivDay(TEST_NOW), -26);
export const TO = addDays(FROM, 6);
export const day = (n: number) => addDays(FROM, n);

// Places (lon, lat): A inside building 1 (Центральний), B 1.4 km east in Пасічна, no building.
export const A: [number, number] = [24.71115, 48.92110];
export const B: [number, number] = [24.73000, 48.92500];
export const PRIVATE = { name: 'Коваленко Олена Петрівна', phone: CITY.residentPhone, apartment: '5', text: 'Сусід з квартири 5 заливає' };

export const LIFT = 10;
export const outageStart = () => kyivTime(day(2), '08:00:00');

export async function seedPlanning(db: Db) {
  await seedCity(db);
  const b = builder(db);
  const C = CITY;
  await b.category({ id: LIFT, sphere: 1, code: 'lift', name: 'Не працює ліфт', nameEn: 'Lift out of order', rule: 'housing_office', executor: C.zhek1 });
  const at = (d: number, time: string) => kyivTime(day(d), time);

  // Roof leaks: 3 at A (building 1, one by its building only), 2 at B, in the period.
  await b.appeal({ category: C.roofLeak, point: A, building: C.buildingCentre, createdAt: at(0, '00:00:30'), resident: C.resident, apartment: PRIVATE.apartment, callerPhone: PRIVATE.phone, text: PRIVATE.text });
  await b.appeal({ category: C.roofLeak, point: A, createdAt: at(1, '12:00:00') });
  await b.appeal({ category: C.roofLeak, point: null, building: C.buildingCentre, createdAt: at(6, '23:59:30') });
  await b.appeal({ category: C.roofLeak, point: B, createdAt: at(3, '10:00:00') });
  await b.appeal({ category: C.garbage, point: B, createdAt: at(4, '10:00:00') });
  // Half a minute outside the period on either side.
  await b.appeal({ category: C.roofLeak, point: A, createdAt: new Date(at(0, '00:00:00').getTime() - 30_000) });
  await b.appeal({ category: C.roofLeak, point: A, createdAt: new Date(kyivTime(addDays(TO, 1), '00:00:00').getTime() + 30_000) });

  // The lift at Незалежності, 12: once a week for five weeks before the period's end, a few metres apart.
  for (let w = 0; w < 5; w++) {
    await b.appeal({ category: LIFT, building: C.buildingCentre, point: [A[0] + w * 0.00002, A[1]], createdAt: new Date(at(6, '09:00:00').getTime() - (4 - w) * 7 * DAY) });
  }
  // Traffic lights: four appeals 300 m apart, the same days: no cluster.
  for (let k = 0; k < 4; k++) await b.appeal({ category: C.trafficLight, point: [24.700 + k * 0.004, 48.915], createdAt: at(k, '11:00:00') });

  // An outage over building 1 from day 2 08:00 for 4 hours; calls from inside and outside it.
  const start = outageStart();
  await b.announcement({ id: 1, utility: 'cold_water', buildings: [C.buildingCentre], startsAt: start, endsAt: new Date(start.getTime() + 4 * HOUR), title: 'Ремонт водогону' });
  await b.announcement({ id: 2, utility: 'gas', buildings: [C.buildingPasichna], startsAt: start, endsAt: new Date(start.getTime() + 4 * HOUR), status: 'cancelled' });
  const other = await b.resident({ fullName: 'Іваненко Петро', building: C.buildingPasichna, phones: ['+380671234567'] });
  const t = (ms: number) => new Date(start.getTime() + ms);
  await b.call({ resident: C.resident, callerPhone: PRIVATE.phone, enteredAt: t(HOUR) });               // inside: counts
  await b.call({ resident: null, callerPhone: PRIVATE.phone, enteredAt: t(2 * HOUR) });                 // the resident's number: counts
  await b.call({ resident: C.resident, callerPhone: PRIVATE.phone, enteredAt: t(5 * HOUR) });           // after the end: no
  await b.call({ resident: C.resident, callerPhone: PRIVATE.phone, enteredAt: t(-60_000) });            // a minute before: no
  await b.call({ resident: other, callerPhone: '+380671234567', enteredAt: t(HOUR) });                  // another building: no
  await b.call({ resident: null, callerPhone: '+380931111111', enteredAt: t(HOUR) });                   // unknown caller: no
  // Appeals inside the zone: one while it is on, one the day after.
  await b.appeal({ category: C.noWater, point: A, createdAt: t(30 * 60_000) });
  await b.appeal({ category: C.noWater, point: A, createdAt: t(DAY) });
}
