// The model refuses bad data itself, whatever code writes to it.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import type { Db } from '../../server/db/db.ts';
import { normalizePhone } from '../../vocabulary/phone.ts';

let db: Db;
const square = (x: number, y: number, d = 0.0005) =>
  `SRID=4326;MULTIPOLYGON(((${x} ${y},${x + d} ${y},${x + d} ${y + d},${x} ${y + d},${x} ${y})))`;

async function rejects(sql: string, params: unknown[], pattern: RegExp) {
  try {
    await db.none(sql, params);
    assert.unreachable(`accepted: ${sql}`);
  } catch (e) {
    assert.match((e as Error).message, pattern);
  }
}

test.before(async () => {
  ({ db } = await migratedDb('constraints'));
  await db.none(`INSERT INTO street (id, name, geom) VALUES (1, 'Незалежності', 'SRID=4326;MULTILINESTRING((24.70 48.92, 24.72 48.92))')`);
  await db.none(`INSERT INTO executor (id, code, name, kind) VALUES (1, 'zhek-1', 'ЖЕК №1', 'housing_office')`);
  await db.none(`INSERT INTO sphere (id, code, name, name_en) VALUES (1, 'housing', 'Житлово-комунальне господарство', 'Housing')`);
  await db.none(`INSERT INTO category (id, sphere_id, code, name, name_en, executor_rule, executor_id, deadline_hours)
                 VALUES (1, 1, 'no-hot-water', 'Відсутнє ГВП', 'No hot water', 'housing_office', 1, 24)`);
});

test('a valid building is accepted and gets its Web Mercator copy and centroid', async () => {
  await db.none(`INSERT INTO building (street_id, house_number, address, floors, apartments, geom) VALUES (1, '12', 'вул. Незалежності, 12', 9, 72, $1)`, [square(24.71, 48.92)]);
  const b = await db.one(`SELECT ST_SRID(geom_3857) AS srid, ST_Within(centroid, geom) AS inside FROM building WHERE house_number = '12'`);
  assert.is(b.srid, 3857);
  assert.is(b.inside, true);
});

test('an invalid (self-intersecting) geometry is rejected', async () => {
  await rejects(`INSERT INTO building (street_id, house_number, address, geom) VALUES (1, '13', 'x', $1)`,
    ['SRID=4326;MULTIPOLYGON(((24.71 48.92,24.72 48.93,24.72 48.92,24.71 48.93,24.71 48.92)))'], /building_geom_check/);
});

test('a geometry in the wrong SRID or of the wrong type is rejected', async () => {
  await rejects(`INSERT INTO building (street_id, house_number, address, geom) VALUES (1, '14', 'x', ST_Transform($1::geometry, 3857))`,
    [square(24.71, 48.92)], /SRID/);
  await rejects(`INSERT INTO infra_object (kind, geom) VALUES ('stop', $1)`, [square(24.71, 48.92)], /infra_object_check/);
  await rejects(`INSERT INTO infra_object (kind, geom) VALUES ('cleaning_zone', 'SRID=4326;POINT(24.71 48.92)')`, [], /infra_object_check/);
});

test('a phone in a bad format is rejected; normalisation produces E.164', async () => {
  await db.none(`INSERT INTO resident (id, full_name) VALUES (1, 'Петренко Олена Іванівна')`);
  await rejects(`INSERT INTO resident_phone (phone, resident_id) VALUES ($1, 1)`, ['0501234567'], /resident_phone_phone_check/);
  await rejects(`INSERT INTO resident_phone (phone, resident_id) VALUES ($1, 1)`, ['+38 050 123 45 67'], /resident_phone_phone_check/);
  // What normalisation makes of the national forms is tests/unit/phone.test.ts; the CHECK takes it.
  await db.none(`INSERT INTO resident_phone (phone, resident_id) VALUES ($1, 1)`, [normalizePhone('050 123 45 67')]);
  await rejects(`INSERT INTO resident_phone (phone, resident_id) VALUES ($1, 1)`, ['+380501234567'], /resident_phone_pkey/);
});

test('an appeal without a category is rejected; history is append-only', async () => {
  await rejects(`INSERT INTO appeal (number, executor_id, due_at) VALUES ('A-1', 1, now())`, [], /category_id/);
  const { id } = await db.one(`INSERT INTO appeal (number, category_id, executor_id, due_at) VALUES ('A-2', 1, 1, now() + interval '1 day') RETURNING id`);
  await db.none(`INSERT INTO appeal_event (appeal_id, kind) VALUES ($1, 'created')`, [id]);
  await rejects(`UPDATE appeal_event SET kind = 'comment' WHERE appeal_id = $1`, [id], /append-only/);
  await rejects(`DELETE FROM appeal_event WHERE appeal_id = $1`, [id], /append-only/);
});

test('an executor user must belong to an organisation; other roles must not', async () => {
  await rejects(`INSERT INTO app_user (login, full_name, role, password_hash) VALUES ('ex', 'X', 'executor', 'h')`, [], /app_user_check/);
  await rejects(`INSERT INTO app_user (login, full_name, role, executor_id, password_hash) VALUES ('op', 'X', 'operator', 1, 'h')`, [], /app_user_check/);
});

test('an announcement ending before it starts is rejected', async () => {
  await rejects(`INSERT INTO announcement (kind, utility, executor_id, starts_at, ends_at, zone)
                 VALUES ('outage', 'gas', 1, now(), now() - interval '1 hour', $1)`, [square(24.71, 48.92)], /announcement_check/);
});

test.run();
