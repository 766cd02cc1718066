// The authorisation matrix (vocabulary/access.ts) against the product: every route registered in the
// Koa routers and every SvelteKit page has a line, every line names a registered route or page, and
// each is called anonymously, by every role and by an executor of another organisation, with real ids
// from a seeded city, getting what the matrix says: allowed (a real answer, never 401/403 nor ≥ 500)
// or refused (401 anonymous, 403 wrong role; 404/403 for another organisation's record).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { builder } from '../helpers/build.ts';
import { at } from '../helpers/clock.ts';
import { envelope } from '../helpers/geometry.ts';
import { createApp } from '../../server/app.ts';
import { registeredRoutes } from '../../server/auth/access-guard.ts';
import { root } from '../../server/config.ts';
import { ENDPOINTS, PAGES, endpointAccess, judge, pageKey } from '../../vocabulary/access.ts';
import { ROLES, type Role } from '../../vocabulary/roles.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let db: Db;
let app: ReturnType<typeof createApp>;
let srv: Awaited<ReturnType<typeof serve>>;
const ids: Record<string, number> = {};

test.before(async () => {
  ({ db } = await migratedDb('sec_matrix'));
  await seedCity(db);
  const b = builder(db);
  await b.user('supervisor', { login: 'supervisor1' });
  const operator = (await db.one('SELECT id FROM app_user WHERE login = $1', ['operator1'])).id;
  ids.appeal = await b.appeal({ category: CITY.noWater, executor: CITY.vodokanal, building: CITY.buildingCentre, resident: CITY.resident, callerPhone: CITY.residentPhone, text: 'Немає води', createdAt: at(-3_600_000) });
  ids.call = await b.call({ callerPhone: CITY.residentPhone, resident: CITY.resident, operator, enteredAt: at(-600_000), answeredAt: at(-590_000), hungupAt: at(-300_000) });
  ids.recording = await b.recording({ call: ids.call, path: `2026/11/20/${ids.call}.wav`, startedAt: at(-590_000), endedAt: at(-300_000), bytes: 1000 });
  await db.none('UPDATE appeal SET call_id = $1 WHERE id = $2', [ids.call, ids.appeal]);
  ids.announcement = await b.announcement({ kind: 'outage', utility: 'cold_water', executor: CITY.vodokanal, startsAt: at(-3_600_000), endsAt: at(3_600_000), zone: envelope(24.709, 48.919, 24.715, 48.923), buildings: [CITY.buildingCentre] });
  ids.user = operator;
  app = createApp(testServices(db));
  srv = await serve(app);
});
test.after(() => srv.close());

/** The real id each path parameter takes, by the path's first segment after /api. */
const idFor = (path: string): string => {
  const seg = path.split('/')[2];
  const n = { appeals: ids.appeal, calls: ids.call, recordings: ids.recording, announcements: ids.announcement, residents: CITY.resident,
    buildings: CITY.buildingCentre, objects: CITY.containerSite, executors: CITY.vodokanal, admin: ids.user }[seg];
  return String(n ?? 1);
};
const concrete = (path: string) => path.replace(/:\w+/g, () => idFor(path)).replace('{*rest}', 'no-such-thing');

/** Who calls: anonymous, every role (the executor is the record's organisation's), another organisation's executor. */
const CALLERS: { name: string; role: Role | null; login?: string }[] = [
  { name: 'anonymous', role: null },
  { name: 'admin', role: 'admin', login: 'admin1' },
  { name: 'operator', role: 'operator', login: 'operator1' },
  { name: 'executor', role: 'executor', login: 'vodokanal' },
  { name: 'analyst', role: 'analyst', login: 'analyst1' },
  { name: 'supervisor', role: 'supervisor', login: 'supervisor1' },
  { name: 'executor of another organisation', role: 'executor', login: 'zhek1' },
];
/** Paths whose :id is a record of the executor's organisation. */
const ORG_RECORDS = /^\/api\/(appeals|recordings|announcements)\/:id/;

async function call(c: ReturnType<typeof client>, method: string, path: string) {
  const ac = new AbortController();
  const res = await c.fetch(concrete(path), {
    method, signal: ac.signal,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }),
  });
  // An event stream never ends by itself: its headers are the answer.
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) ac.abort(); else await res.arrayBuffer();
  return res.status;
}

test('every registered route has a matrix line, and every line names a registered route', () => {
  const routes = registeredRoutes(app.middleware);
  assert.ok(routes.length > 50, `only ${routes.length} routes found`);
  const missing = routes.filter((r) => !endpointAccess(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
  assert.equal(missing, [], `routes without a matrix line: ${missing.join(', ')}`);
  const registered = new Set(routes.map((r) => `${r.method} ${r.path}`));
  const hasAll = (p: string) => routes.some((r) => r.path === p) && routes.filter((r) => r.path === p).length >= 7;
  const orphans = Object.keys(ENDPOINTS).filter((k) => {
    const [m, p] = k.split(' ');
    return m === 'ALL' ? !hasAll(p) : !registered.has(k);
  });
  assert.equal(orphans, [], `matrix lines naming no route: ${orphans.join(', ')}`);
});

test('every page under src/routes has a matrix line, and every page line names a page', () => {
  const dir = join(root, 'src', 'routes');
  const pages: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f === '+page.svelte') pages.push(pageKey('/' + relative(dir, d).split(sep).join('/')));
    }
  };
  walk(dir);
  const missing = pages.filter((p) => !PAGES[p]);
  assert.equal(missing, [], `pages without a matrix line: ${missing.join(', ')}`);
  const orphans = Object.keys(PAGES).filter((p) => !pages.includes(p));
  assert.equal(orphans, [], `page lines naming no page: ${orphans.join(', ')}`);
});

test('pageKey drops groups and writes params the router way', () => {
  assert.is(pageKey('/(app)/desk/returned'), '/desk/returned');
  assert.is(pageKey('/(app)'), '/');
  assert.is(pageKey('/report/track/[token]'), '/report/track/:token');
});

test('every route, called by anonymous, every role and another organisation\'s executor, answers as the matrix says', async () => {
  const clients = await Promise.all(CALLERS.map(async (k) => {
    const c = client(srv.url);
    if (k.login) assert.is((await c.signIn(k.login, PASSWORD)).status, 200, k.login);
    return { ...k, c };
  }));
  // Signing out last, so the sessions last the walk.
  const routes = registeredRoutes(app.middleware)
    .filter((r) => r.path !== '/api/{*rest}' || r.method === 'GET')
    .sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));
  const wrong: string[] = [];
  let calls = 0;
  for (const r of routes) {
    const entry = endpointAccess(r.method, r.path);
    for (const k of clients) {
      const status = await call(k.c, r.method, r.path);
      calls++;
      const verdict = judge(entry, k.role);
      const label = `${r.method} ${r.path} as ${k.name}: ${status}`;
      if (status >= 500) wrong.push(`${label} (server error)`);
      else if (verdict === 'anonymous' && status !== 401) wrong.push(`${label}, expected 401`);
      else if ((verdict === 'forbidden' || verdict === 'no_rule') && status !== 403) wrong.push(`${label}, expected 403`);
      else if (verdict === 'allowed') {
        // Another organisation's record (the ids are the executor's own organisation's): never a success.
        const otherOrg = k.name.startsWith('executor of another') && entry?.scope === 'organisation' && ORG_RECORDS.test(r.path);
        if (otherOrg ? status < 400 : [401, 403].includes(status)) wrong.push(`${label}, expected ${otherOrg ? 'a refusal (another organisation)' : 'allowed'}`);
      }
    }
  }
  assert.ok(calls > 400, `${calls} calls`);
  assert.equal(wrong, [], wrong.join('\n'));
});

test('a route added without a matrix line is refused (fail closed)', async () => {
  const { default: Router } = await import('@koa/router');
  const { enforceAccess } = await import('../../server/auth/access-guard.ts');
  const Koa = (await import('koa')).default;
  const { errorMiddleware } = await import('../../server/http/errors.ts');
  const k = new Koa();
  const r = new Router();
  r.get('/api/unlisted', (ctx) => { ctx.body = { secret: true }; });
  enforceAccess(r);
  k.use(errorMiddleware);
  k.use(r.routes());
  const s = await serve(k);
  try {
    const res = await fetch(`${s.url}/api/unlisted`);
    assert.is(res.status, 403);
    assert.is((await res.json()).error, 'no_access_rule');
  } finally { await s.close(); }
});

test('each role set names only known roles', () => {
  for (const [k, v] of Object.entries({ ...ENDPOINTS, ...PAGES })) {
    if (typeof v.who !== 'string') for (const r of v.who) assert.ok(ROLES.includes(r), `${k}: ${r}`);
  }
});

test.run();
