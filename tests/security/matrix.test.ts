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
import { at, DAY, TEST_NOW } from '../helpers/clock.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';
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
  await plantWords();
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

// ---- Free text: an analyst reads appeals without it unless an admin grants it ----

/** A unique word in every free-text field of the fixture's appeal (and of its call), each its own. */
const WORD = 'ВІЛЬНИЙ-ТЕКСТ-q7';
const WORDS = {
  text: `${WORD}-звернення`, answer: `${WORD}-відповідь`, executorOverride: `${WORD}-виконавець`, dueOverride: `${WORD}-термін`,
  returnReason: `${WORD}-повернення`, answerEvent: `${WORD}-подія-відповіді`, comment: `${WORD}-коментар`, residentComment: `${WORD}-мешканець`,
  overrideEvent: `${WORD}-подія-перевизначення`, reassign: `${WORD}-перепризначення`, returnEvent: `${WORD}-подія-повернення`,
} as const;
/** Free text no analyst route reaches even with the grant (the call log is the desk's): never in an analyst's answer. */
const CALL_NOTE = `${WORD}-нотатка-дзвінка`;

async function plantWords() {
  await db.none(`UPDATE appeal SET text = $2, answer = $3, executor_override_reason = $4, due_override_reason = $5, return_reason = $6 WHERE id = $1`,
    [ids.appeal, WORDS.text, WORDS.answer, WORDS.executorOverride, WORDS.dueOverride, WORDS.returnReason]);
  const events: [string, Record<string, unknown>][] = [
    ['created', { channel: 'phone', callId: ids.call, categoryId: CITY.noWater }],
    ['answer', { text: WORDS.answerEvent }], ['comment', { text: WORDS.comment }], ['comment', { text: WORDS.residentComment, by: 'resident' }],
    ['override', { field: 'executor', from: CITY.zhek1, to: CITY.vodokanal, reason: WORDS.overrideEvent }],
    ['assigned', { executorId: CITY.vodokanal, from: CITY.zhek1, source: 'reassign', reason: WORDS.reassign }],
    ['status', { from: 'new', to: 'new', returned: true, reason: WORDS.returnEvent }],
  ];
  for (const [i, [kind, data]] of events.entries()) {
    await db.none('INSERT INTO appeal_event (appeal_id, at, kind, data) VALUES ($1, $2, $3, $4)', [ids.appeal, at(-3_000_000 + i * 1000), kind, data]);
  }
  await db.none('UPDATE call SET note = $2 WHERE id = $1', [ids.call, CALL_NOTE]);
}

const FROM = addDays(kyivDay(TEST_NOW), -7);
const TO = kyivDay(TEST_NOW);
/** The ways each route is asked: bare, over a period around the fixture, and the same as CSV (a hexagon cell needs its cell). */
const VARIANTS = [
  '', `?from=${FROM}&to=${TO}`, `?from=${FROM}&to=${TO}&format=csv`, `?from=${FROM}&to=${TO}&size=250&i=0&j=0`,
  `?from=${FROM}&to=${TO}&size=250&i=0&j=0&format=csv`, `?from=${at(-30 * DAY).toISOString()}&to=${at(DAY).toISOString()}`,
];

/** A body as text; an event stream's first events (it never ends by itself). */
async function bodyOf(res: Response): Promise<string> {
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) return res.text();
  const reader = res.body!.getReader();
  let text = '';
  const until = performance.now() + 3000;
  while (!/data:[^\n]*\n\n/.test(text) && performance.now() < until) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 500))]);
    if (!chunk || chunk.done) { if (chunk?.done) break; continue; }
    text += new TextDecoder().decode(chunk.value);
  }
  await reader.cancel();
  return text;
}

/** Every GET route the analyst may call, in every variant: the bodies that answered 200, and the routes that never did. */
async function analystWalk(c: ReturnType<typeof client>) {
  const routes = registeredRoutes(app.middleware).filter((r) => r.method === 'GET' && r.path !== '/api/{*rest}' && judge(endpointAccess(r.method, r.path), 'analyst') === 'allowed');
  const bodies: { url: string; body: string; type: string }[] = [];
  const unanswered: string[] = [];
  for (const r of routes) {
    let ok = false;
    for (const v of VARIANTS) {
      const url = concrete(r.path) + v;
      const res = await c.get(url);
      const body = await bodyOf(res);
      if (res.status === 200) { ok = true; bodies.push({ url, body, type: res.headers.get('content-type') ?? '' }); }
      else assert.ok(res.status < 500, `${url}: ${res.status}`);
    }
    // A public route answers anyone alike (and some need a token): the session's own routes must answer.
    if (!ok && endpointAccess(r.method, r.path)?.who !== 'public') unanswered.push(r.path);
  }
  return { routes: routes.map((r) => r.path), bodies, unanswered };
}
const leaks = (bodies: { url: string; body: string }[]) =>
  bodies.flatMap(({ url, body }) => body.includes(WORD) ? [`${url}: ${body.match(new RegExp(`${WORD}[^"\\s,]*`, 'g'))!.join(', ')}`] : []);

test('an analyst without the grant gets no free text from any route, in JSON or CSV; with it, every word; revoked, none on the next request', async () => {
  const analyst = client(srv.url);
  assert.is((await analyst.signIn('analyst1', PASSWORD)).status, 200);
  const analystId = (await db.one('SELECT id FROM app_user WHERE login = $1', ['analyst1'])).id as number;

  const hidden = await analystWalk(analyst);
  assert.ok(hidden.routes.includes('/api/appeals/:id') && hidden.routes.includes('/api/buildings/:id/appeals'), hidden.routes.join(', '));
  assert.ok(hidden.routes.some((p) => p.startsWith('/api/stats/')), 'the statistics are walked too');
  assert.equal(hidden.unanswered, [], `routes that never answered 200, so were not looked at: ${hidden.unanswered.join(', ')}`);
  const csvs = new Set(hidden.bodies.filter((b) => b.type.startsWith('text/csv')).map((b) => b.url.split('?')[0]));
  assert.ok(csvs.size >= 8, `CSV exports walked: ${[...csvs].join(', ')}`);
  assert.ok(hidden.bodies.some((b) => b.type.startsWith('text/event-stream') && b.body.includes('event:')), 'an event stream\'s first events are read');
  assert.equal(leaks(hidden.bodies), [], 'free text reached an analyst without the grant');
  // What the UI shows instead: null and the marker, on the appeal, in lists and on the events that had words.
  const a = await (await analyst.get(`/api/appeals/${ids.appeal}`)).json();
  assert.equal([a.text, a.answer, a.executorOverrideReason, a.dueOverrideReason, a.returnReason, a.textHidden], [null, null, null, null, null, true]);
  const worded = a.events.filter((e: { textHidden?: boolean }) => e.textHidden);
  assert.is(worded.length, 6);
  assert.ok(worded.every((e: { data: { text?: unknown; reason?: unknown } }) => (e.data.text ?? e.data.reason ?? null) === null));
  assert.is(a.events.find((e: { kind: string }) => e.kind === 'created').textHidden, undefined, 'an event without words is not marked');
  const list = await (await analyst.get(`/api/buildings/${CITY.buildingCentre}/appeals`)).json();
  assert.equal(list.map((x: { text: unknown; textHidden?: boolean }) => [x.text, x.textHidden]), [[null, true]]);

  // Only an admin grants.
  for (const login of ['analyst1', 'operator1', 'supervisor1', 'vodokanal']) {
    const c = login === 'analyst1' ? analyst : client(srv.url);
    if (c !== analyst) assert.is((await c.signIn(login, PASSWORD)).status, 200);
    assert.is((await c.fetch(`/api/admin/users/${analystId}/appeal-text`, { method: 'PUT' })).status, 403, login);
    assert.is((await c.fetch(`/api/admin/users/${analystId}/appeal-text`, { method: 'DELETE' })).status, 403, login);
  }
  assert.is((await client(srv.url).fetch(`/api/admin/users/${analystId}/appeal-text`, { method: 'PUT' })).status, 401);
  assert.is((await db.one('SELECT sees_appeal_text AS s FROM app_user WHERE id = $1', [analystId])).s, false);

  const admin = client(srv.url);
  assert.is((await admin.signIn('admin1', PASSWORD)).status, 200);
  const adminId = (await db.one('SELECT id FROM app_user WHERE login = $1', ['admin1'])).id as number;
  const auditRows = (action: string) => db.any('SELECT user_id AS "userId", role, entity, entity_id AS "entityId", status FROM audit_log WHERE action = $1 ORDER BY id', [action]);
  assert.equal(await auditRows('user.grant_appeal_text'), [], 'the refused attempts left no grant row');
  // Other roles read the text without a grant: giving them one is refused.
  const notForOperator = await admin.fetch(`/api/admin/users/${ids.user}/appeal-text`, { method: 'PUT' });
  assert.is(notForOperator.status, 409);
  assert.is((await notForOperator.json()).error, 'grant_not_for_role');
  assert.is((await admin.fetch('/api/admin/users/999999/appeal-text', { method: 'PUT' })).status, 404);

  const granted = await admin.fetch(`/api/admin/users/${analystId}/appeal-text`, { method: 'PUT' });
  assert.is(granted.status, 200);
  assert.is((await granted.json()).seesAppealText, true);
  const listed = await (await admin.get('/api/admin/users')).json();
  assert.is(listed.find((u: { id: number }) => u.id === analystId).seesAppealText, true);
  assert.equal(await auditRows('user.grant_appeal_text'), [{ userId: adminId, role: 'admin', entity: 'user', entityId: String(analystId), status: 200 }]);

  // The same session, its next requests: every word the analyst's routes can carry is there.
  const shown = await analystWalk(analyst);
  const all = shown.bodies.map((b) => b.body).join('\n');
  const missing = Object.entries(WORDS).filter(([, w]) => !all.includes(w)).map(([k]) => k);
  assert.equal(missing, [], `with the grant, words not shown: ${missing.join(', ')}`);
  assert.not.ok(all.includes(CALL_NOTE), 'the call log is not the analyst\'s, grant or not');
  const open = await (await analyst.get(`/api/appeals/${ids.appeal}`)).json();
  assert.is(open.text, WORDS.text);
  assert.is(open.textHidden, undefined);
  assert.is(open.residentName, null, 'the grant is for the words, not the resident');

  const revoked = await admin.fetch(`/api/admin/users/${analystId}/appeal-text`, { method: 'DELETE' });
  assert.is(revoked.status, 200);
  assert.is((await revoked.json()).seesAppealText, false);
  assert.equal(await auditRows('user.revoke_appeal_text'), [{ userId: adminId, role: 'admin', entity: 'user', entityId: String(analystId), status: 200 }]);
  const again = await (await analyst.get(`/api/appeals/${ids.appeal}`)).json();
  assert.equal([again.text, again.textHidden], [null, true], 'revoked from the next request of the same session');
  assert.equal(leaks((await analystWalk(analyst)).bodies), []);
});

test('the other roles read the appeal\'s words as before, without any grant', async () => {
  for (const login of ['admin1', 'operator1', 'vodokanal']) {
    const c = client(srv.url);
    assert.is((await c.signIn(login, PASSWORD)).status, 200);
    const a = await (await c.get(`/api/appeals/${ids.appeal}`)).json();
    assert.equal([a.text, a.answer, a.returnReason, a.textHidden], [WORDS.text, WORDS.answer, WORDS.returnReason, undefined], login);
    assert.ok(a.events.some((e: { data: { text?: string } }) => e.data.text === WORDS.comment), login);
  }
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
