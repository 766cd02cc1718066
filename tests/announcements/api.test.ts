import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import { config } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { TEST_NOW, HOUR } from '../helpers/clock.ts';
import { seedGrid, rect, centre, buildingId, apartmentsOf, STEP, SIZE, at } from './fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
const NOW = TEST_NOW.getTime();
const iso = (ms: number) => new Date(ms).toISOString();

test.before(async () => {
  ({ db } = await migratedDb('ann_api'));
  await seedGrid(db);
  await createUser(db, 'oblenergo', 'executor', { executorId: 1 });
  await createUser(db, 'vodokanal', 'executor', { executorId: 2 });
  // The water company supplies hot water too: it may announce both (and nothing else).
  await db.none(`INSERT INTO executor_utility (executor_id, utility) VALUES (2, 'hot_water')`);
  await createUser(db, 'analyst1', 'analyst');
  await createUser(db, 'admin1', 'admin');
  srv = await serve(createApp(testServices(db, { publicUrl: 'http://misto.test' })));
});
test.after(() => srv.close());

async function as(login: string) {
  const c = client(srv.url);
  assert.is((await c.signIn(login, PASSWORD)).status, 200);
  return c;
}
const form = (zone: unknown, extra: Record<string, unknown> = {}) => ({
  kind: 'outage', utility: 'electricity', title: 'Планові роботи', description: 'Заміна кабелю', contact: '15-80',
  startsAt: iso(NOW - HOUR), endsAt: iso(NOW + 5 * HOUR), zone, ...extra,
});
const counts = () => db.one(`SELECT (SELECT count(*) FROM announcement)::int a, (SELECT count(*) FROM announcement_building)::int ab,
  (SELECT count(*) FROM announcement_event)::int ev, (SELECT count(*) FROM outbox_mail)::int mail`);

test('preview counts exactly the buildings a polygon covers, with apartments and residents', async () => {
  const c = await as('oblenergo');
  // Columns 0–2 of rows 0–1: six buildings; a margin of 5 m stays inside the 20 m gaps.
  const zone = { source: 'polygon', geometry: rect(-5, -5, 2 * STEP + SIZE + 5, STEP + SIZE + 5) };
  const res = await c.post('/api/announcements/preview', { zone });
  assert.is(res.status, 200);
  const p = await res.json();
  assert.is(p.buildings, 6);
  let apts = 0;
  for (const cc of [0, 1, 2]) for (const r of [0, 1]) apts += apartmentsOf(cc, r);
  assert.is(p.apartments, apts);
  assert.is(p.residents, 6); // two residents in each of the three row-0 buildings
  assert.equal(p.sample.map((s: number[]) => s[0]).sort((a: number, b: number) => a - b), [1, 2, 3, 11, 12, 13]);
  assert.ok(Math.abs(p.sample[0][1] - centre(0, 0)[0]) < 1e-4);
  assert.is(p.zone.type, 'MultiPolygon');
});

test('a line is buffered by its width in metres, not degrees', async () => {
  const c = await as('oblenergo');
  // Along row 3 through the centres of columns 0..4.
  const line = { type: 'LineString', coordinates: [centre(0, 3), centre(4, 3)] };
  const narrow = await (await c.post('/api/announcements/preview', { zone: { source: 'line', geometry: line, widthM: 10 } })).json();
  assert.is(narrow.buildings, 5);
  // A trench line in the gap between rows 3 and 4 (row 3 tops at y=140, row 4 starts at 160):
  // 10 m wide misses both rows, 30 m wide (15 m each side) reaches both.
  const gap = { type: 'LineString', coordinates: [at(0, 150), at(4 * STEP + SIZE, 150)] };
  const miss = await (await c.post('/api/announcements/preview', { zone: { source: 'line', geometry: gap, widthM: 10 } })).json();
  assert.is(miss.buildings, 0);
  const both = await (await c.post('/api/announcements/preview', { zone: { source: 'line', geometry: gap, widthM: 30 } })).json();
  assert.is(both.buildings, 10);
});

test('picked buildings make a zone of exactly those buildings', async () => {
  const c = await as('oblenergo');
  const ids = [buildingId(5, 5), buildingId(6, 5), buildingId(9, 9)];
  const p = await (await c.post('/api/announcements/preview', { zone: { source: 'buildings', buildingIds: ids } })).json();
  assert.is(p.buildings, 3);
  assert.equal(p.sample.map((s: number[]) => s[0]), ids);
});

test('invalid zones and forms are refused with the reason, nothing is stored', async () => {
  const c = await as('oblenergo');
  const before = await counts();
  const bowtie = { type: 'Polygon', coordinates: [[at(0, 0), at(100, 100), at(100, 0), at(0, 100), at(0, 0)]] };
  const circle = { type: 'Polygon', coordinates: [[...Array.from({ length: 1200 }, (_, i) => at(100 + 50 * Math.cos(i / 1200 * 2 * Math.PI), 100 + 50 * Math.sin(i / 1200 * 2 * Math.PI))), at(150, 100)]] };
  const far = { type: 'Polygon', coordinates: [[[30.5, 50.4], [30.51, 50.4], [30.51, 50.41], [30.5, 50.4]]] };
  // [body, code, field, what the English message says] — the code and field are the contract.
  const cases: [unknown, string, string, RegExp][] = [
    [form({ source: 'polygon', geometry: bowtie }), 'invalid_geometry', 'zone', /Self-intersection/],
    [form({ source: 'polygon', geometry: circle }), 'too_many_vertices', 'zone', /Too many vertices: 1201/],
    [form({ source: 'polygon', geometry: far }), 'zone_outside', 'zone', /outside the city/],
    [form({ source: 'polygon', geometry: { type: 'Polygon', coordinates: [] } }), 'zone_empty', 'zone', /empty/],
    [form({ source: 'polygon', geometry: { type: 'Polygon', coordinates: [[]] } }), 'zone_empty', 'zone', /empty/],
    [form({ source: 'polygon', geometry: rect(0, 0, 50, 50) }, { endsAt: iso(NOW - 2 * HOUR) }), 'ends_before_start', 'endsAt', /end is before the start/],
    [form({ source: 'polygon', geometry: rect(0, 0, 50, 50) }, { utility: 'internet' }), 'invalid_value', 'utility', /utility/],
    [form({ source: 'polygon', geometry: rect(0, 0, 50, 50) }, { kind: 'party' }), 'invalid_value', 'kind', /kind/],
    [form({ source: 'buildings', buildingIds: [] }), 'required', 'zone.buildingIds', /buildingIds/],
    [form({ source: 'buildings', buildingIds: [1, 99999] }), 'not_found', 'zone.buildingIds', /Unknown building ids/],
    [form({ source: 'line', geometry: { type: 'LineString', coordinates: [centre(0, 0), centre(1, 0)] }, widthM: 0 }), 'too_small', 'zone.widthM', /widthM/],
    [form({ source: 'line', geometry: rect(0, 0, 50, 50), widthM: 5 }), 'invalid_geometry', 'zone', /LineString/],
    [form(undefined), 'required', 'zone', /"zone" is required/],
  ];
  for (const [body, code, field, reason] of cases) {
    // The preview checks only the zone; publishing checks everything.
    const zoneOnly = field.startsWith('zone');
    for (const path of zoneOnly ? ['/api/announcements', '/api/announcements/preview'] : ['/api/announcements']) {
      const res = await c.post(path, body);
      const j = await res.json();
      assert.is(res.status, 400, `${path} ${JSON.stringify(j)}`);
      assert.is(j.error, code, `${path} ${JSON.stringify(j)}`);
      assert.is(j.field, field, `${path} ${JSON.stringify(j)}`);
      assert.match(j.message, reason);
    }
  }
  assert.equal(await counts(), before);
});

test('publish stores zone, buildings, counts and a history event in one go; edit recomputes; close and cancel are recorded', async () => {
  const c = await as('oblenergo');
  const res = await c.post('/api/announcements', form({ source: 'polygon', geometry: rect(-5, -5, STEP + SIZE + 5, SIZE + 5) }));
  assert.is(res.status, 201);
  const a = await res.json();
  assert.is(a.buildings, 2);
  assert.is(a.apartments, apartmentsOf(0, 0) + apartmentsOf(1, 0));
  assert.is(a.residents, 4);
  assert.is(a.executor, 'Прикарпаттяобленерго');
  assert.equal(a.addresses.map((x: { id: number }) => x.id).sort(), [1, 2]);
  assert.not.ok('residentsList' in a);

  // Another utility may not touch it; an analyst may not either.
  const other = await as('vodokanal');
  assert.is((await other.fetch(`/api/announcements/${a.id}`, { method: 'PUT', body: JSON.stringify({ title: 'x' }) })).status, 403);
  assert.is((await (await as('analyst1')).post(`/api/announcements/${a.id}/cancel`, {})).status, 403);
  assert.is((await client(srv.url).post('/api/announcements', form({ source: 'buildings', buildingIds: [1] }))).status, 401);

  const edited = await (await c.fetch(`/api/announcements/${a.id}`, { method: 'PUT', body: JSON.stringify({
    title: 'Розширено', zone: { source: 'buildings', buildingIds: [1, 2, 3, 4] } }) })).json();
  assert.is(edited.buildings, 4);
  assert.is(edited.title, 'Розширено');
  assert.is(edited.sourceKind, 'buildings');
  // A bad edit leaves the announcement as it was.
  const bad = await c.fetch(`/api/announcements/${a.id}`, { method: 'PUT', body: JSON.stringify({ endsAt: iso(NOW - 3 * HOUR) }) });
  assert.is(bad.status, 400);
  assert.is((await (await c.get(`/api/announcements/${a.id}`)).json()).buildings, 4);

  const closed = await (await c.post(`/api/announcements/${a.id}/close`, { reason: 'Роботи завершено' })).json();
  assert.is(closed.status, 'closed');
  assert.ok(closed.closedAt);
  assert.is((await c.post(`/api/announcements/${a.id}/cancel`, {})).status, 409);

  const hist = await (await c.get(`/api/announcements/${a.id}/history`)).json();
  assert.equal(hist.map((h: { kind: string }) => h.kind), ['published', 'changed', 'closed']);
  assert.equal(hist[1].data.buildings, { from: 2, to: 4 });
  assert.is(hist[1].data.changed.title.to, 'Розширено');
  assert.is(hist[2].data.reason, 'Роботи завершено');

  // Closed early: no longer active for a building.
  assert.equal(await (await client(srv.url).get('/api/buildings/1/announcements')).json(), []);

  const future = await (await c.post('/api/announcements', form({ source: 'buildings', buildingIds: [50] },
    { startsAt: iso(NOW + 24 * HOUR), endsAt: iso(NOW + 30 * HOUR) }))).json();
  assert.is((await c.post(`/api/announcements/${future.id}/close`, {})).status, 409); // not started: cancel instead
  const cancelled = await (await c.post(`/api/announcements/${future.id}/cancel`, { reason: 'Перенесено' })).json();
  assert.is(cancelled.status, 'cancelled');
  const mine = await (await c.get('/api/utility/announcements')).json();
  assert.ok(mine.some((x: { id: number; status: string }) => x.id === future.id && x.status === 'cancelled'));
  assert.not.ok((await (await other.get('/api/utility/announcements')).json()).some((x: { id: number }) => x.id === future.id));
});

test('an administrator publishes for a named utility', async () => {
  const c = await as('admin1');
  assert.match((await (await c.post('/api/announcements', form({ source: 'buildings', buildingIds: [70] }))).json()).message, /executorId/);
  const a = await (await c.post('/api/announcements', form({ source: 'buildings', buildingIds: [70] }, { executorId: 2, utility: 'cold_water' }))).json();
  assert.is(a.executorId, 2);
  await c.post(`/api/announcements/${a.id}/cancel`, {});
});

const kyivMonth = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit' }).format(ms);
let starts: number[] = [];

test('public API filters by time window, utility, kind, district and bbox', async () => {
  await db.none('DELETE FROM announcement');
  const c = await as('vodokanal');
  const now = NOW;
  starts = [];
  const mk = async (b: number, s: number, e: number, extra: Record<string, unknown> = {}) => {
    starts.push(now + s * HOUR);
    return (await (await c.post('/api/announcements', form({ source: 'buildings', buildingIds: [b] },
      { utility: 'cold_water', startsAt: iso(now + s * HOUR), endsAt: iso(now + e * HOUR), ...extra }))).json()).id as number;
  };
  const past = await mk(81, -48, -24);
  const active = await mk(82, -1, 3, { kind: 'excavation' });
  const soon = await mk(83, 2, 6);
  const nextWeek = await mk(84, 24 * 5, 24 * 5 + 4, { utility: 'hot_water' });
  const ids = async (q: string) => (await (await client(srv.url).get(`/api/announcements${q}`)).json()).features.map((f: { id: number }) => f.id).sort();

  assert.equal(await ids(''), [active, soon, nextWeek].sort()); // default: not yet ended
  assert.equal(await ids(`?at=${iso(now)}`), [active]);
  assert.equal(await ids(`?at=${iso(now + 2.5 * HOUR)}`), [active, soon].sort());
  assert.equal(await ids(`?from=${iso(now - 72 * HOUR)}&to=${iso(now - 12 * HOUR)}`), [past]);
  assert.equal(await ids(`?from=${iso(now)}&to=${iso(now + 7 * 24 * HOUR)}`), [active, soon, nextWeek].sort());
  assert.equal(await ids(`?from=${iso(now)}&to=${iso(now + 7 * 24 * HOUR)}&utility=hot_water`), [nextWeek]);
  assert.equal(await ids('?kind=excavation'), [active]);
  assert.equal(await ids('?district=1'), [active, soon, nextWeek].sort());
  assert.equal(await ids('?district=999'), []);
  const [x, y] = centre(2, 8); // building 83
  assert.equal(await ids(`?bbox=${x - 1e-4},${y - 1e-4},${x + 1e-4},${y + 1e-4}`), [soon]);

  const fc = await (await client(srv.url).get(`/api/announcements?at=${iso(now)}`)).json();
  assert.is(fc.type, 'FeatureCollection');
  const f = fc.features[0];
  assert.is(f.geometry.type, 'Point');
  for (const k of ['id', 'kind', 'utility', 'starts_at', 'ends_at', 'buildings', 'apartments', 'executor', 'title']) assert.ok(k in f.properties, k);
  assert.is(f.properties.buildings, 1);
  assert.is(f.properties.apartments, apartmentsOf(1, 8));

  const forB = await (await client(srv.url).get('/api/buildings/83/announcements')).json();
  assert.equal(forB.map((a: { id: number }) => a.id), [soon]);
  const detail = await (await client(srv.url).get(`/api/announcements/${soon}`)).json();
  assert.equal(detail.addresses.map((a: { address: string }) => a.address), ['вул. Тестова, 83']);
  assert.is(detail.contact, '15-80');
  assert.not.ok(JSON.stringify(detail).includes('Мешканець'));

  for (const q of ['?at=yesterday', '?utility=internet', '?bbox=1,2,3', `?from=${iso(now)}&to=${iso(now - HOUR)}`]) {
    assert.is((await client(srv.url).get(`/api/announcements${q}`)).status, 400, q);
  }
});

test('statistics by utility/kind/executor/district and CSV for Excel', async () => {
  const a = await as('analyst1');
  const from = iso(NOW - 30 * 24 * HOUR), to = iso(NOW + 30 * 24 * HOUR);
  const s = await (await a.get(`/api/stats/announcements?from=${from}&to=${to}&group=month&by=utility`)).json();
  const sum = (rows: { events: number; buildings: number }[], k: 'events' | 'buildings') => rows.reduce((n, r) => n + r[k], 0);
  assert.is(sum(s.rows, 'events'), 4);
  assert.is(sum(s.rows, 'buildings'), 4);
  assert.ok(s.rows.some((r: { key: string }) => r.key === 'hot_water'));
  const d = await (await a.get(`/api/stats/announcements?from=${from}&to=${to}&group=day&by=district`)).json();
  assert.is(sum(d.rows, 'buildings'), 4);
  assert.ok(d.rows.every((r: { label: string }) => r.label === 'Центральний'));
  const e = await (await a.get(`/api/stats/announcements?from=${from}&to=${to}&by=executor`)).json();
  assert.ok(e.rows.every((r: { key: string }) => r.key === 'vodokanal'));
  const csv = await a.get(`/api/stats/announcements?from=${from}&to=${to}&group=month&by=executor&format=csv`);
  assert.match(csv.headers.get('content-type')!, /text\/csv/);
  const buf = Buffer.from(await csv.arrayBuffer());
  assert.equal([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = buf.toString('utf8').slice(1).split('\r\n');
  assert.is(lines[0], 'period,executor,key,events,buildings,apartments');
  // Months are the city's calendar months: near a month's edge the four events fall into two.
  const perMonth = new Map<string, number>();
  for (const ms of starts) { const m = kyivMonth(ms); perMonth.set(m, (perMonth.get(m) ?? 0) + 1); }
  const rows = lines.slice(1).filter(Boolean);
  assert.is(rows.length, perMonth.size);
  [...perMonth].sort().forEach(([month, n], i) =>
    assert.match(rows[i], new RegExp(`^${month}-01,Івано-Франківськводоекотехпром,vodokanal,${n},${n},\\d+$`)));
  assert.is((await (await as('oblenergo')).get('/api/stats/announcements')).status, 403);
  assert.is((await a.get('/api/stats/announcements?group=year')).status, 400);
});

test.run();
