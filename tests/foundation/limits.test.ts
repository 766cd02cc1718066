// Bad input gets a 4xx with a stable code, never a 500; expensive work is bounded: cheap checks run
// before PostGIS, every statement has a timeout, a request waits a bounded time for a connection,
// and a request whose client goes away has its statements cancelled.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { migratedDb } from '../helpers/db.ts';
import { client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { startApi } from '../helpers/app.ts';
import { iso, HOUR } from '../helpers/clock.ts';
import { connect, QueryScope, queryScope, type Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';
import { announcementsService } from '../../server/announcements/announcements.service.ts';
import { announcementsRepo } from '../../server/announcements/announcements.repo.ts';
import { testClock } from '../helpers/clock.ts';

let db: Db;
let url: string;
let api: Awaited<ReturnType<typeof startApi>>;
const signedIn: Record<string, ReturnType<typeof client>> = {};

test.before(async () => {
  ({ db, url } = await migratedDb('limits'));
  await seedCity(db);
  api = await startApi(db);
  for (const login of ['operator1', 'zhek1', 'vodokanal', 'admin1']) {
    signedIn[login] = client(api.url);
    assert.is((await signedIn[login].signIn(login, PASSWORD)).status, 200);
  }
});
test.after(async () => { await api?.close(); });

const json = async (res: Response) => ({ status: res.status, body: await res.json().catch(() => null) });
/** lon/lat inside the fixture's central district. */
const P = (dx: number, dy: number): [number, number] => [24.705 + dx * 1e-4, 48.915 + dy * 1e-4];
const square = [[P(0, 0), P(10, 0), P(10, 10), P(0, 10), P(0, 0)]];
const announcement = (extra: Record<string, unknown> = {}) => ({
  kind: 'outage', utility: 'cold_water', title: 'Ремонт водогону', startsAt: iso(HOUR), endsAt: iso(5 * HOUR),
  zone: { source: 'polygon', geometry: { type: 'Polygon', coordinates: square } }, ...extra,
});

test('a NUL character in any text field is a 400 naming the field, not a 500', async () => {
  const op = signedIn.operator1;
  const cases: [string, Promise<Response>, string][] = [
    ['appeal text', op.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах\u0000 над кухнею' }), 'text'],
    ['resident name', op.post('/api/residents', { fullName: 'Іван\u0000 Петренко', buildingId: CITY.buildingCentre }), 'fullName'],
    ['login', client(api.url).signIn('operator1\u0000', PASSWORD), 'login'],
    ['announcement title', signedIn.vodokanal.post('/api/announcements', announcement({ title: 'Ремонт\u0000' })), 'title'],
    ['e-mail', client(api.url).post('/api/announcements/subscriptions', { email: 'x\u0000@example.com', buildingId: CITY.buildingCentre }), 'email'],
    ['nested field', signedIn.vodokanal.post('/api/announcements/preview', { zone: { source: 'line\u0000', geometry: null } }), 'zone.source'],
  ];
  for (const [what, res, fieldName] of cases) {
    const r = await json(await res);
    assert.is(r.status, 400, what);
    assert.is(r.body.error, 'invalid_text', what);
    assert.is(r.body.field, fieldName, what);
  }
  const registered = await json(await op.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах над кухнею' }));
  assert.is(registered.status, 201);
  const answer = await signedIn.zhek1.fetch(`/api/appeals/${registered.body.id}`, { method: 'PATCH', body: JSON.stringify({ answer: 'Відремонтуємо\u0000' }) });
  assert.is(answer.status, 400, 'the executor’s answer');
  for (const path of ['/api/geocode?q=%00', '/api/geocode?q=%D0%92%00', '/api/announcements?utility=gas%00']) {
    const r = await json(await client(api.url).get(path));
    assert.is(r.status, 400, path);
    assert.is(r.body.error, 'invalid_text', path);
  }
  assert.is((await json(await signedIn.zhek1.get('/api/executor/appeals?q=%00'))).status, 400);
});

test('a negative or malformed limit is a 400', async () => {
  for (const path of ['/api/announcements?limit=-5', '/api/announcements?limit=1e3', '/api/geocode?q=Незалежності&limit=-1']) {
    const r = await json(await client(api.url).get(path));
    assert.is(r.status, 400, path);
  }
});

test('GeoJSON nested a thousand levels deep is refused before anything parses it', async () => {
  let deep: unknown = [24.71, 48.92];
  for (let i = 0; i < 1200; i++) deep = [deep];
  const r = await json(await signedIn.vodokanal.post('/api/announcements/preview', { zone: { source: 'polygon', geometry: { type: 'Polygon', coordinates: deep } } }));
  assert.is(r.status, 400);
  assert.is(r.body.error, 'too_deep');
});

test('a 40,000-vertex polygon is refused by counting, before PostGIS sees it', async () => {
  const ring = Array.from({ length: 40_000 }, (_, i) => P(5 + 4 * Math.cos(i / 40_000 * 2 * Math.PI), 5 + 4 * Math.sin(i / 40_000 * 2 * Math.PI)));
  ring.push(ring[0]);
  const zone = { source: 'polygon' as const, geometry: { type: 'Polygon', coordinates: [ring] } };
  const r = await json(await signedIn.vodokanal.post('/api/announcements/preview', { zone }));
  assert.is(r.status, 400);
  assert.match(r.body.message, /Too many vertices: 40001/);
  // The service alone, with a repository that must not be asked: the count comes first.
  const touched: string[] = [];
  const real = announcementsRepo(db);
  const spy = new Proxy(real, { get: (t, k) => { touched.push(String(k)); return t[k as keyof typeof t]; } });
  const s = announcementsService(spy, { publicUrl: 'http://misto.test', clock: testClock() });
  touched.length = 0;
  await s.preview({ zone }).then(() => assert.unreachable('accepted'), (e: Error) => assert.match(e.message, /Too many vertices/));
  assert.equal(touched.filter((k) => k.startsWith('check')), []);
});

test('a line of 800 vertices 500 m wide is previewed well inside the statement timeout', async () => {
  const pool = connect(url, 4, { statementTimeoutMs: 3000 });
  const slow = await startApi(pool);
  try {
    const c = client(slow.url);
    await c.signIn('vodokanal', PASSWORD);
    const coordinates = Array.from({ length: 800 }, (_, i) => P((i % 40) * 2.5, i % 2 ? 0 : 80 + i / 40));
    const r = await json(await c.post('/api/announcements/preview', { zone: { source: 'line', geometry: { type: 'LineString', coordinates }, widthM: 500 } }));
    assert.is(r.status, 200, JSON.stringify(r.body));
    assert.is(r.body.zone.type, 'MultiPolygon');
    assert.ok(r.body.buildings >= 1);
  } finally { await slow.close(); await pool.$pool.end(); }
});

/** Holds a row lock on appeal `id` from another connection until released. */
async function holdLock(id: number) {
  const other = connect(url, 1, { statementTimeoutMs: 0, lockTimeoutMs: 0 });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = other.tx(async (t) => {
    await t.any('SELECT 1 FROM appeal WHERE id = $1 FOR UPDATE', [id]);
    locked();
    await released;
  });
  await isLocked;
  let ended: Promise<void> | undefined;
  return () => (ended ??= (async () => { release(); await done; await other.$pool.end(); })());
}
const waitingOnLock = () => db.one<{ n: number }>(`
  SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).then((r) => r.n);

test('a statement that waits too long is ended by the statement timeout: 503, and the row is unchanged', async () => {
  const a = await json(await signedIn.operator1.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Протікає дах біля вікна' }));
  const pool = connect(url, 4, { statementTimeoutMs: 400, lockTimeoutMs: 0 });
  const quick = await startApi(pool);
  const release = await holdLock(a.body.id);
  try {
    const c = client(quick.url);
    await c.signIn('zhek1', PASSWORD);
    const r = await json(await c.fetch(`/api/appeals/${a.body.id}`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) }));
    assert.is(r.status, 503);
    assert.is(r.body.error, 'timeout');
  } finally { await release(); await quick.close(); await pool.$pool.end(); }
  assert.is((await db.one('SELECT status FROM appeal WHERE id = $1', [a.body.id])).status, 'new');
});

test('a request waits a bounded time for a pooled connection: 503, not a hang', async () => {
  const a = await json(await signedIn.operator1.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Протікає дах на горищі' }));
  const pool = connect(url, 1, { poolTimeoutMs: 300, lockTimeoutMs: 0, statementTimeoutMs: 5000 });
  const tiny = await startApi(pool);
  const release = await holdLock(a.body.id);
  try {
    const c = client(tiny.url);
    await c.signIn('zhek1', PASSWORD);
    // The first request holds the only connection, waiting on the lock; the second cannot get one.
    const first = c.fetch(`/api/appeals/${a.body.id}`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) });
    await until(async () => (await waitingOnLock()) === 1);
    const second = await json(await c.get('/api/executor/appeals'));
    assert.is(second.status, 503);
    assert.is(second.body.error, 'database_unavailable');
    await release();
    assert.is((await first).status, 200);
  } finally { await release(); await tiny.close(); await pool.$pool.end(); }
});

test('a client that goes away has its statement cancelled on the server', async () => {
  const a = await json(await signedIn.operator1.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах у під’їзді' }));
  const release = await holdLock(a.body.id);
  try {
    const abort = new AbortController();
    const gone = signedIn.zhek1.fetch(`/api/appeals/${a.body.id}`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }), signal: abort.signal }).catch(() => 'aborted');
    await until(async () => (await waitingOnLock()) === 1);
    abort.abort();
    assert.is(await gone, 'aborted');
    // Well before the 5 s lock timeout, nothing of ours is waiting any more.
    await until(async () => (await waitingOnLock()) === 0, 2000);
  } finally { await release(); }
  assert.is((await db.one('SELECT status FROM appeal WHERE id = $1', [a.body.id])).status, 'new');
});

test('a cancel never lands on another request\'s statement, even when its own ended first', async () => {
  // One connection, so the next request gets the connection the gone one used. An SSE stream's
  // client leaves long after its statements ended; a client may leave while a result is on its way.
  const pool = connect(url, 1);
  try {
    for (let i = 0; i < 8; i++) {
      const stream = new QueryScope();
      await queryScope.run(stream, () => pool.one('SELECT 1 AS x'));
      stream.cancel();
      const racing = new QueryScope();
      const late = queryScope.run(racing, () => pool.one('SELECT 1 AS x')).catch((e) => e);
      await new Promise((r) => setImmediate(r));
      racing.cancel();
      await late;
      // Another request's statement, long enough for a stray cancel signal to arrive during it.
      const other = await queryScope.run(new QueryScope(), () => pool.one('SELECT true AS ok FROM pg_sleep(0.05)'));
      assert.is(other.ok, true, `round ${i}`);
    }
  } finally { await pool.$pool.end(); }
});

async function until(check: () => Promise<boolean>, ms = 3000) {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Raw HTTP/1.1 on one socket, to see what happens to the connection after a 413. */
function rawSocket(baseUrl: string) {
  const { port } = new URL(baseUrl);
  const socket = net.connect(Number(port), '127.0.0.1');
  let data = '';
  let closed = false;
  socket.on('data', (d) => { data += d.toString('latin1'); });
  socket.on('close', () => { closed = true; });
  socket.on('error', () => {});
  return {
    write: (s: string | Buffer) => socket.write(s),
    /** Responses received so far, split by status line. */
    responses: () => data.split(/(?=HTTP\/1\.1 \d{3})/).filter(Boolean),
    get closed() { return closed; },
    end: () => socket.destroy(),
  };
}

test('after a 413 the kept-alive connection still answers the next request; a huge body closes it cleanly', async () => {
  const s = rawSocket(api.url);
  const big = Buffer.alloc(300 * 1024, 'a');
  // A body over the 64 KB limit sent in chunks, then an ordinary request on the same connection.
  s.write(`POST /api/announcements/subscriptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
  s.write(`${big.length.toString(16)}\r\n`); s.write(big); s.write('\r\n0\r\n\r\n');
  s.write(`GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n`);
  await until(async () => s.responses().length >= 2);
  const [first, second] = s.responses();
  assert.match(first, /^HTTP\/1\.1 413/);
  assert.match(first, /"error":"too_large"/);
  assert.match(second, /^HTTP\/1\.1 200/);
  s.end();

  // Declared far beyond what is worth draining: answered at once, and the connection closed.
  const h = rawSocket(api.url);
  h.write(`POST /api/announcements/subscriptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n{"email":`);
  await until(async () => h.responses().length >= 1 && h.closed);
  assert.match(h.responses()[0], /^HTTP\/1\.1 413/);
  assert.match(h.responses()[0], /Connection: close/i);
});

test.run();
