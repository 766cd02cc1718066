// The data builder of test cities over the real schema: every entity can be made with nothing said
// (a new NOT NULL column without a default fails here first, and tests/helpers/build.ts is the one
// place to give it one), explicit ids leave the sequences ahead of them, and metres mean metres.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { builder, PASSWORD } from '../helpers/build.ts';
import { TEST_NOW, kyivYear } from '../helpers/clock.ts';
import { verifyPassword } from '../../server/auth/passwords.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
test.before(async () => { ({ db } = await migratedDb('builder')); });

test('every entity can be made with defaults alone', async () => {
  const b = builder(db);
  const ids = {
    district: await b.district(), street: await b.street(), building: await b.building(), resident: await b.resident(),
    executor: await b.executor(), sphere: await b.sphere(), category: await b.category(), infra: await b.infra(),
    landuse: await b.landuse(), user: await b.user('executor'), appeal: await b.appeal(), announcement: await b.announcement(),
    call: await b.call(), recording: await b.recording(),
  };
  for (const [entity, id] of Object.entries(ids)) assert.ok(Number.isInteger(id) && id > 0, `${entity} id ${id}`);
  const a = await db.one('SELECT number, status, created_at, due_at, executor_id FROM appeal WHERE id = $1', [ids.appeal]);
  assert.match(a.number, new RegExp(`^15-80/${kyivYear()}/\\d{6}$`));
  assert.is(a.status, 'new');
  assert.is(a.created_at.getTime(), TEST_NOW.getTime(), 'times come from TEST_NOW, not the wall clock');
  assert.ok(a.due_at > a.created_at);
  // The default category is fixed to the default organisation, and the appeal goes there.
  const c = await db.one('SELECT executor_rule, executor_id FROM category WHERE id = $1', [ids.category]);
  assert.is(c.executor_rule, 'fixed');
  assert.is(a.executor_id, c.executor_id);
  const u = await db.one('SELECT executor_id, password_hash FROM app_user WHERE id = $1', [ids.user]);
  assert.is(u.executor_id, c.executor_id, 'an executor user without an organisation gets the default one');
  assert.ok(await verifyPassword(PASSWORD, u.password_hash), 'the real hashing');
});

test('explicit ids are kept and the sequence moves past them', async () => {
  const { db } = await migratedDb('builder_ids');
  const b = builder(db);
  assert.is(await b.executor({ id: 7 }), 7);
  assert.is(await b.executor(), 8);
  await b.nextIdAfter('executor', 100);
  assert.is(await b.executor(), 101);
  assert.is(await b.executor({ id: 50 }), 50);
  assert.is(await b.executor(), 102, 'an explicit id below the sequence leaves it where it was');
});

test('buildings: addresses from their street, footprints in metres around the origin', async () => {
  const b = builder(db, { origin: { lon: 24.70, lat: 48.90 } });
  const street = await b.street({ name: 'Шевченка', kind: 'проспект' });
  const [west, east] = await b.buildings([
    { street, house: '5', metres: [0, 0, 20] },
    { street, house: '7', metres: [120, 0, 20, 10] },
  ]);
  const rows = await db.any(`
    SELECT id, address, round(ST_Area(geom::geography))::int AS m2, ST_X(centroid) AS lon, ST_Y(centroid) AS lat
      FROM building WHERE id = ANY($1) ORDER BY id`, [[west, east]]);
  assert.equal(rows.map((r) => r.address), ['просп. Шевченка, 5', 'просп. Шевченка, 7']);
  assert.ok(Math.abs(rows[0].m2 - 400) <= 1, `20 × 20 m is ${rows[0].m2} m²`);
  assert.ok(Math.abs(rows[1].m2 - 200) <= 1, `20 × 10 m is ${rows[1].m2} m²`);
  const gap = await db.one<{ m: number }>(`SELECT ST_Distance(a.centroid::geography, b.centroid::geography) AS m FROM building a, building b WHERE a.id = $1 AND b.id = $2`, [west, east]);
  // Centres at (10, 10) and (130, 5) metres.
  assert.ok(Math.abs(gap.m - Math.hypot(120, 5)) < 0.05, `centres ${Math.hypot(120, 5)} m apart, not ${gap.m}`);
  const [x, y] = b.m.at(10, 10);
  assert.ok(Math.abs(rows[0].lon - x) < 1e-6 && Math.abs(rows[0].lat - y) < 1e-6, 'the 20 m square is centred 10 m east and north of the origin');
});

test('an announcement counts the buildings, apartments and residents it affects', async () => {
  const b = builder(db);
  const one = await b.building({ apartments: 30 });
  const two = await b.building({ apartments: 12 });
  await b.resident({ building: one, phones: ['+380501234001'] });
  await b.resident({ building: one });
  await b.resident({ building: two });
  const id = await b.announcement({ utility: 'gas', buildings: [one, two] });
  const a = await db.one(`
    SELECT buildings_count, apartments_count, residents_count, e.utility,
           ST_Covers(zone, (SELECT ST_Union(geom) FROM building WHERE id IN ($2, $3))) AS covers
      FROM announcement a JOIN executor e ON e.id = a.executor_id WHERE a.id = $1`, [id, one, two]);
  assert.equal(a, { buildings_count: 2, apartments_count: 42, residents_count: 3, utility: 'gas', covers: true });
  assert.is((await db.one('SELECT count(*)::int AS n FROM announcement_building WHERE announcement_id = $1', [id])).n, 2);
});

test.run();
