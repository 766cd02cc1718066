// GET /api/geocode over real PostGIS with pg_trgm: Ukrainian street forms, typos, house numbers.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve } from '../helpers/http.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import { insertKartaFixture, type KartaFixture } from './fixture.ts';
import { demoCity } from '../helpers/city.ts';

let srv: Awaited<ReturnType<typeof serve>>;
let fx: KartaFixture;

test.before(async () => {
  const { db } = await migratedDb('geocode');
  fx = await insertKartaFixture(db);
  srv = await serve(createApp(testServices(db)));
});
test.after(async () => { await srv.close(); });

interface Hit { buildingId: number; address: string; district: string | null; lon: number; lat: number; score: number }
async function geocode(q: string, limit?: number): Promise<Hit[]> {
  const res = await fetch(`${srv.url}/api/geocode?q=${encodeURIComponent(q)}${limit ? `&limit=${limit}` : ''}`);
  assert.is(res.status, 200, `${q}: ${res.status}`);
  return res.json();
}
const first = async (q: string) => (await geocode(q))[0]?.address;

test('finds "вул. Незалежності, 12" first from the forms people type', async () => {
  for (const q of ['незалежн 12', 'вул Незалежності, 12', 'вулиця Незалежності 12', 'НЕЗАЛЕЖНОСТІ 12',
                   'незалежносты 12', 'незалежности 12', 'незалежнсті 12', 'вул. Незалежності, буд. 12']) {
    assert.is(await first(q), 'вул. Незалежності, 12', q);
  }
  const [hit] = await geocode('незалежн 12');
  const b = fx.buildings.get('вул. Незалежності, 12')!;
  assert.is(hit.buildingId, b.id);
  assert.is(hit.district, 'Центральний');
  // the centroid of the building's square
  assert.ok(Math.abs(hit.lon - b.lon) < 1e-5 && Math.abs(hit.lat - b.lat) < 1e-5, JSON.stringify(hit));
  assert.ok(hit.score > 0 && hit.score <= 1);
});

test('exact house numbers rank before prefixes; letters and hyphens are one number', async () => {
  const hits = await geocode('вул. Незалежності 12', 4);
  assert.equal(hits.map((h) => h.address), ['вул. Незалежності, 12', 'вул. Незалежності, 12а', 'вул. Незалежності, 120', 'вул. Незалежності, 121']);
  assert.is(await first('Незалежності 12-А'), 'вул. Незалежності, 12а');
  assert.is(await first('незалежності 12 а'), 'вул. Незалежності, 12а');
  // a similar street with the same number comes after the best street's house
  const all = (await geocode('вул. Незалежності 12', 50)).map((h) => h.address);
  assert.ok(all.indexOf('вул. Незалежна, 12') > all.indexOf('вул. Незалежності, 121'), all.join(' | '));
});

test('street kinds pick between streets of the same name', async () => {
  assert.is(await first('просп. Шевченка 5'), 'просп. Шевченка, 5');
  assert.is(await first('проспект Шевченка, 5'), 'просп. Шевченка, 5');
  assert.is(await first('вул. Шевченка 5'), 'вул. Шевченка, 5');
  assert.is(await first('пл. Незалежності 1'), 'пл. Незалежності, 1');
  assert.is(await first('бульв. Лесі Українки 4'), 'бульв. Лесі Українки, 4');
  assert.is(await first('б-р Лесі Українки, 4'), 'бульв. Лесі Українки, 4');
  assert.is(await first('пров. Тихий 2'), 'пров. Тихий, 2');
  assert.is(await first('Шевченка 5/1'), 'просп. Шевченка, 5/1');
});

test('apostrophes of every kind, and numbers inside street names', async () => {
  for (const q of ["В'ячеслава Чорновола 7", 'Вʼячеслава Чорновола 7', 'В’ячеслава Чорновола 7', 'Вячеслава Чорновола 7', 'чорновола 7']) {
    assert.is(await first(q), 'вул. В’ячеслава Чорновола, 7', q);
  }
  assert.is(await first('24 Серпня, 5'), 'вул. 24 Серпня, 5');
});

test('a street without a number lists its houses in order; limit is honoured', async () => {
  const hits = await geocode('незалежності', 3);
  assert.is(hits.length, 3);
  assert.equal(hits.map((h) => h.address), ['вул. Незалежності, 1', 'вул. Незалежності, 2', 'вул. Незалежності, 10']);
  assert.is((await geocode('незалежності', 50)).length, 8 + 2 + 2);
  assert.equal(await geocode('ъ'), []);
  assert.equal(await geocode('Хрещатик 1'), []);
});

test('bad input is a 400 with a stable code, the field and a message', async () => {
  const cases: [string, string][] = [
    ['/api/geocode', 'required'], ['/api/geocode?q=', 'required'], ['/api/geocode?q=%20%20', 'required'],
    [`/api/geocode?q=${'а'.repeat(201)}`, 'too_long'], ['/api/geocode?q=abc&limit=0', 'too_small'],
    ['/api/geocode?q=abc&limit=51', 'too_big'], ['/api/geocode?q=abc&limit=x', 'invalid_type'], ['/api/geocode?q=a&q=b', 'invalid_type'],
  ];
  for (const [path, code] of cases) {
    const res = await fetch(srv.url + path);
    assert.is(res.status, 400, path);
    const body = await res.json();
    assert.is(body.error, code, path);
    assert.ok(body.field === 'q' || body.field === 'limit', path);
    assert.ok(body.message.length > 5, path);
  }
});

test('the building geometry for highlighting, public', async () => {
  const b = fx.buildings.get('вул. Незалежності, 12')!;
  const res = await fetch(`${srv.url}/api/buildings/${b.id}`);
  assert.is(res.status, 200);
  const f = await res.json();
  assert.is(f.type, 'Feature');
  assert.is(f.id, b.id);
  assert.is(f.geometry.type, 'MultiPolygon');
  assert.is(f.properties.address, 'вул. Незалежності, 12');
  assert.is((await fetch(`${srv.url}/api/buildings/999999`)).status, 404);
  assert.is((await fetch(`${srv.url}/api/buildings/abc`)).status, 400);
});

test('on the demo city: "незалежн 12" and "вул Незалежності, 12" find вул. Незалежності, 12 first', async () => {
  const { db } = await demoCity('geocode_demo');
  const demo = await serve(createApp(testServices(db)));
  try {
    const expected = await db.one<{ id: number }>(`SELECT id FROM building WHERE address = 'вул. Незалежності, 12'`);
    for (const q of ['незалежн 12', 'вул Незалежності, 12', 'Незалежності 12', 'незалежносты 12', 'вулиця Незалежності, буд. 12']) {
      const hits = await (await fetch(`${demo.url}/api/geocode?q=${encodeURIComponent(q)}`)).json() as Hit[];
      assert.is(hits[0]?.address, 'вул. Незалежності, 12', q);
      assert.is(hits[0].buildingId, expected.id);
    }
    // every street kind of the demo city is found by its abbreviation
    const samples = await db.any<{ address: string; q: string }>(`
      SELECT DISTINCT ON (s.kind) b.address, s.name || ' ' || b.house_number AS q
        FROM building b JOIN street s ON s.id = b.street_id ORDER BY s.kind, b.id`);
    for (const { address } of samples) {
      const hits = await (await fetch(`${demo.url}/api/geocode?q=${encodeURIComponent(address)}`)).json() as Hit[];
      assert.is(hits[0]?.address, address, address);
    }
  } finally {
    await demo.close();
  }
});

test.run();
