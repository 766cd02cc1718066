// Open311 GeoReport v2 conformance: every endpoint in XML and JSON against the schemas written from
// the specification (tests/open311/schemas.ts), the error list, the open/closed mapping of every
// appeal status, the defaults (90 days, 1,000 requests), page/page_size, empty arguments, and a
// request filed through Open311 going the whole way: routed, deadlined, answered, closed.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { startApi } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { PASSWORD, builder } from '../helpers/build.ts';
import { TEST_NOW, DAY, HOUR, testClock } from '../helpers/clock.ts';
import { config as baseConfig } from '../../server/config.ts';
import { surveySettings } from '../../server/surveys/surveys.service.ts';
import { APPEAL_STATUSES, STATUS_MEANING } from '../../vocabulary/appeals.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';
import { problems, xmlProblems, type SchemaName } from './schemas.ts';

const RATE = 25;
const FORMATS = ['xml', 'json'] as const;
type Fmt = (typeof FORMATS)[number];
const TYPES = { xml: 'text/xml; charset=utf-8', json: 'application/json; charset=utf-8' };

let db: Db;
let api: Awaited<ReturnType<typeof startApi>>;
const clock = testClock();
let admin: ReturnType<typeof client>;

/** A fresh admin session: the tests move the clock past the sessions' idle limit. */
async function signInAdmin() {
  admin = client(api.url);
  assert.is((await admin.signIn('admin1', PASSWORD)).status, 200);
  return admin;
}

test.before(async () => {
  ({ db } = await migratedDb('open311'));
  await seedCity(db);
  api = await startApi(db, { open311: { ...baseConfig.open311, ratePerMinute: RATE, jurisdictionId: 'if.misto' } }, { clock });
});
test.after(() => api.close());

async function issueKey(name = 'FixMyStreet') {
  await signInAdmin();
  const res = await admin.post('/api/admin/api-keys', { name });
  assert.is(res.status, 201);
  return (await res.json()) as { id: number; key: string; prefix: string };
}

/** A response checked against the named schema in its format: status, exact Content-Type, body. */
async function call(fmt: Fmt, path: string, schema: SchemaName, status: number, init?: RequestInit) {
  const sep = path.includes('?') ? path.indexOf('?') : path.length;
  const url = `${api.url}/open311/v2/${path.slice(0, sep)}.${fmt}${path.slice(sep)}`;
  const res = await fetch(url, init);
  const text = await res.text();
  assert.is(res.status, status, `${init?.method ?? 'GET'} ${path}.${fmt}: ${text.slice(0, 300)}`);
  assert.is(res.headers.get('content-type'), TYPES[fmt], path);
  let value: unknown;
  if (fmt === 'json') {
    value = JSON.parse(text);
    assert.is(problems(schema, value), '', `${path}.json against ${schema}: ${text.slice(0, 300)}`);
  } else {
    const r = xmlProblems(schema, text);
    assert.is(r.problems, '', `${path}.xml against ${schema}: ${text.slice(0, 300)}`);
    value = r.value;
  }
  return { value: value as any, text, res };
}
const both = async (fn: (fmt: Fmt) => Promise<void>) => { for (const f of FORMATS) await fn(f); };

const form = (fields: Record<string, string | number>) => ({
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString(),
});

test('discovery: changeset, contact, key_service and the endpoint with its formats', async () => {
  await both(async (fmt) => {
    const { value } = await call(fmt, 'discovery', 'discovery', 200);
    assert.is(value.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.is(value.endpoints[0].url, `${api.url}/open311/v2`);
    assert.equal(value.endpoints[0].formats, ['text/xml', 'application/json']);
  });
});

test('services: the active categories with codes, names in uk/en, groups; metadata when they have attributes', async () => {
  await both(async (fmt) => {
    const { value } = await call(fmt, 'services', 'services', 200);
    const codes = value.map((s: { service_code: string }) => s.service_code).sort();
    assert.equal(codes, ['garbage', 'no_water', 'roof_leak', 'traffic_light']);
    const roof = value.find((s: { service_code: string }) => s.service_code === 'roof_leak');
    assert.is(roof.service_name, 'Протікання покрівлі');
    assert.is(roof.group, 'Житлове господарство');
    assert.is(roof.metadata, true);
    assert.is(roof.type, 'realtime');
    assert.is(value.find((s: { service_code: string }) => s.service_code === 'no_water').metadata, false);
    const en = await call(fmt, 'services?lang=en', 'services', 200);
    assert.is(en.value.find((s: { service_code: string }) => s.service_code === 'roof_leak').service_name, 'Roof leak');
    const accept = await call(fmt, 'services', 'services', 200, { headers: { 'accept-language': 'en-GB,en;q=0.8' } });
    assert.is(accept.value.find((s: { service_code: string }) => s.service_code === 'roof_leak').group, 'Housing');
  });
});

test('services/{code}: the attributes a category needs; an unknown code is 404', async () => {
  await both(async (fmt) => {
    const roof = await call(fmt, 'services/roof_leak', 'serviceDefinition', 200);
    assert.is(roof.value.service_code, 'roof_leak');
    assert.equal(roof.value.attributes.map((a: { code: string }) => a.code), ['apartment']);
    assert.is(roof.value.attributes[0].datatype, 'string');
    assert.is(roof.value.attributes[0].order, 1);
    const garbage = await call(fmt, 'services/garbage', 'serviceDefinition', 200);
    assert.equal(garbage.value.attributes.map((a: { code: string; datatype: string }) => [a.code, a.datatype]), [['object_id', 'number']]);
    const water = await call(fmt, 'services/no_water', 'serviceDefinition', 200);
    assert.equal(water.value.attributes, []);
    const missing = await call(fmt, 'services/no_such_service', 'errors', 404);
    assert.is(missing.value[0].code, 404);
    assert.match(missing.value[0].description, 'unknown_service');
  });
});

test('POST requests registers an appeal on the open311 channel: routed, deadlined, with a token; GET shows no personal data', async () => {
  const { key } = await issueKey('post');
  await both(async (fmt) => {
    const { value } = await call(fmt, 'requests', 'created', 200, form({
      api_key: key, service_code: 'roof_leak', address_id: CITY.buildingCentre, 'attribute[apartment]': '17',
      description: 'Тече дах над під’їздом, вода в квартирі', email: 'olena@example.org', first_name: 'Олена', last_name: 'Ковальчук',
      phone: '050 765 43 21', device_id: 'device-77', account_id: 'acc-9', media_url: 'https://img.example.org/roof.jpg',
    }));
    const id = Number(value[0].service_request_id);
    assert.ok(id > 0);
    assert.match(value[0].service_notice, 'ЖЕК №1');
    assert.is(value[0].account_id, 'acc-9');
    const a = await db.one(`SELECT a.channel, a.executor_id, a.due_at, a.created_at, a.apartment, a.caller_phone, a.building_id, c.name, c.email
                              FROM appeal a JOIN appeal_contact c ON c.appeal_id = a.id WHERE a.id = $1`, [id]);
    assert.is(a.channel, 'open311');
    assert.is(a.executor_id, CITY.zhek1);
    assert.is(a.due_at.getTime() - a.created_at.getTime(), 72 * HOUR);
    assert.is(a.apartment, '17');
    assert.is(a.caller_phone, '+380507654321');
    assert.is(a.name, 'Олена Ковальчук');
    assert.is(a.email, 'olena@example.org');
    const kinds = (await db.any('SELECT kind FROM appeal_event WHERE appeal_id = $1 ORDER BY id', [id])).map((e) => e.kind);
    assert.equal(kinds, ['created', 'assigned', 'notify']);

    const tok = await call(fmt, `tokens/${value[0].token}`, 'tokens', 200);
    assert.is(tok.value[0].service_request_id, String(id));

    const got = await call(fmt, `requests/${id}`, 'requests', 200);
    const r = got.value[0];
    assert.is(r.status, 'open');
    assert.is(r.service_code, 'roof_leak');
    assert.is(r.agency_responsible, 'ЖЕК №1');
    assert.is(new Date(r.expected_datetime).getTime(), a.due_at.getTime());
    assert.is(new Date(r.requested_datetime).getTime(), a.created_at.getTime());
    assert.is(r.address, 'вул. Незалежності, 12');
    assert.is(r.address_id, String(CITY.buildingCentre));
    assert.is(r.media_url, 'https://img.example.org/roof.jpg');
    assert.ok(r.lat > 48.9 && r.long > 24.7);
    for (const secret of ['Олена', 'Ковальчук', 'olena@', '380507654321', 'device-77', 'acc-9', '>17<', '"17"']) assert.not.ok(got.text.includes(secret), `${fmt} shows ${secret}`);
  });
});

test('POST requests places a request by lat/long with an object, or by address_string, and routes by the place', async () => {
  const { key } = await issueKey('places');
  const byPoint = await call('json', 'requests', 'created', 200, form({
    api_key: key, service_code: 'garbage', lat: CITY.containerAt[1], long: CITY.containerAt[0], 'attribute[object_id]': CITY.containerSite,
    description: 'Контейнери переповнені третій день',
  }));
  const p = await db.one('SELECT executor_id, infra_object_id FROM appeal WHERE id = $1', [Number(byPoint.value[0].service_request_id)]);
  assert.is(p.executor_id, CITY.blagoustrii);
  assert.is(p.infra_object_id, CITY.containerSite);
  const byAddress = await call('xml', 'requests', 'created', 200, form({ api_key: key, service_code: 'roof_leak', address_string: 'Незалежності 40', description: 'Тече покрівля' }));
  const b = await db.one('SELECT executor_id, building_id, text FROM appeal WHERE id = $1', [Number(byAddress.value[0].service_request_id)]);
  assert.is(b.building_id, CITY.buildingPasichna);
  assert.is(b.executor_id, CITY.zhek2);
  // A JSON body with numbers is taken like the form.
  const json = await call('json', 'requests', 'created', 200, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: key, service_code: 'garbage', lat: 48.9202, long: 24.733, description: 'Сміття не вивезли' }),
  });
  assert.is((await db.one('SELECT executor_id FROM appeal WHERE id = $1', [Number(json.value[0].service_request_id)])).executor_id, CITY.eko, 'Pasichna has no district rule: the category\'s own executor');
  // No description: the service's name is the appeal's text.
  const bare = await call('json', 'requests', 'created', 200, form({ api_key: key, service_code: 'no_water', address_id: CITY.buildingNoOffice, description: '' }));
  assert.is((await db.one('SELECT text FROM appeal WHERE id = $1', [Number(bare.value[0].service_request_id)])).text, 'Відсутнє холодне водопостачання');
});

test('the error list: 400 for a missing service_code, bad lat/long, no place; 403 for a missing, wrong or revoked key; 404 for unknown things', async () => {
  const issued = await issueKey('errors');
  const ok = { api_key: issued.key, service_code: 'roof_leak', address_id: CITY.buildingCentre, description: 'Тече дах' };
  const expect = async (fmt: Fmt, fields: Record<string, string | number>, status: number, code: string) => {
    const { value } = await call(fmt, 'requests', 'errors', status, form(fields));
    assert.is(value[0].code, status);
    assert.match(value[0].description, `[${code}`, JSON.stringify(fields));
  };
  const count = () => db.one('SELECT count(*)::int n FROM appeal').then((r) => r.n);
  const before = await count();
  await both(async (fmt) => {
    await expect(fmt, { ...ok, service_code: '' }, 400, 'required');
    const { service_code: _, ...noCode } = ok;
    await expect(fmt, noCode, 400, 'required');
    await expect(fmt, { ...ok, service_code: 'pothole' }, 400, 'unknown_service');
    const { address_id: __, ...nowhere } = ok;
    await expect(fmt, nowhere, 400, 'needs_location');
    await expect(fmt, { ...nowhere, lat: 'north', long: 24.7 }, 400, 'invalid_location');
    await expect(fmt, { ...nowhere, lat: 148.9, long: 24.7 }, 400, 'invalid_location');
    await expect(fmt, { ...nowhere, lat: 48.9 }, 400, 'invalid_location');
    await expect(fmt, { ...nowhere, address_string: 'Хрещатик 22' }, 400, 'address_not_found');
    await expect(fmt, { ...ok, service_code: 'garbage', 'attribute[object_id]': CITY.light }, 400, 'wrong_object');
    await expect(fmt, { ...ok, media_url: 'javascript:alert(1)' }, 400, 'invalid_value');
    await expect(fmt, { ...ok, email: 'not-an-address' }, 400, 'invalid_email');
    await expect(fmt, { ...ok, description: 'x'.repeat(4001) }, 400, 'too_long');
    await expect(fmt, { ...ok, api_key: '' }, 403, 'invalid_api_key');
    await expect(fmt, { ...ok, api_key: 'misto_wrong' }, 403, 'invalid_api_key');
    await expect(fmt, { ...ok, jurisdiction_id: 'kyiv' }, 404, 'unknown_jurisdiction');
    for (const path of ['requests/999999', 'tokens/00000000-0000-4000-8000-000000000000', 'tokens/nonsense', 'no_such_resource']) {
      const { value } = await call(fmt, path, 'errors', 404);
      assert.is(value[0].code, 404, path);
    }
    // Errors speak the request's language.
    const en = await call(fmt, 'services/nope?lang=en', 'errors', 404);
    assert.match(en.value[0].description, 'There is no service');
  });
  assert.is(await count(), before, 'no refused request made an appeal');
  // The right jurisdiction is accepted.
  await call('json', 'services?jurisdiction_id=if.misto', 'services', 200);
  // A format the specification does not know.
  const csv = await fetch(`${api.url}/open311/v2/services.csv`);
  assert.is(csv.status, 404);
  assert.is(csv.headers.get('content-type'), TYPES.xml);

  // Revoked by the admin: refused from then on, listed as revoked.
  await call('json', 'requests', 'created', 200, form(ok));
  assert.is((await admin.fetch(`/api/admin/api-keys/${issued.id}`, { method: 'DELETE' })).status, 200);
  await both(async (fmt) => expect(fmt, ok, 403, 'invalid_api_key'));
  const listed = await (await admin.get('/api/admin/api-keys')).json();
  const row = listed.find((k: { id: number }) => k.id === issued.id);
  assert.ok(row.revokedAt && row.lastUsedAt);
  assert.is(row.prefix, issued.key.slice(0, row.prefix.length));
  assert.not.ok(JSON.stringify(listed).includes(issued.key), 'the list never shows a key');
});

test('every appeal status maps to open or closed, with status_notes from the answer or the plan', async () => {
  const b = builder(db);
  for (const status of APPEAL_STATUSES) {
    const id = await b.appeal({ category: CITY.noWater, building: CITY.buildingCentre, status, answer: status === 'done' ? 'Подачу відновлено; довідки за номером 050 111 22 33' : null });
    if (status === 'planned') await db.none(`UPDATE appeal SET planned_at = $2, plan_reason = 'seasonal' WHERE id = $1`, [id, new Date(TEST_NOW.getTime() + 30 * DAY)]);
    if (status === 'rejected') await db.none(`UPDATE appeal SET reject_reason = 'duplicate' WHERE id = $1`, [id]);
    await both(async (fmt) => {
      const { value, text } = await call(fmt, `requests/${id}`, 'requests', 200);
      assert.is(value[0].status, STATUS_MEANING[status].open ? 'open' : 'closed', `${status} in ${fmt}`);
      if (status === 'done') assert.is(value[0].status_notes, 'Подачу відновлено; довідки за номером …', 'a number in the answer is masked');
      if (status === 'planned') assert.match(value[0].status_notes, 'сезонні роботи');
      if (status === 'rejected') assert.match(value[0].status_notes, 'дублює');
      // An operator's text from a call is not published.
      assert.is(value[0].description, null);
      assert.not.ok(text.includes('Тестове звернення'));
    });
    const en = await call('json', `requests/${id}?lang=en`, 'requests', 200);
    if (status === 'planned') assert.match(en.value[0].status_notes, 'seasonal works');
  }
  assert.equal(new Set(APPEAL_STATUSES.map((s) => STATUS_MEANING[s].open)), new Set([true, false]));
});

test('a filed request is worked by its executor: closed when done, answers and status changes in servicerequestupdates', async () => {
  const { key } = await issueKey('lifecycle');
  const filed = await call('json', 'requests', 'created', 200, form({ api_key: key, service_code: 'roof_leak', address_id: CITY.buildingCentre, description: 'Тече дах, пишіть на x@y.org або 0501234567', phone: '+380671112233' }));
  const id = filed.value[0].service_request_id;
  const before = await call('json', `requests/${id}`, 'requests', 200);
  assert.is(before.value[0].description, 'Тече дах, пишіть на … або …', 'contacts in the text are masked');
  const zhek = client(api.url);
  assert.is((await zhek.signIn('zhek1', PASSWORD)).status, 200);
  clock.advance(HOUR);
  assert.is((await zhek.fetch(`/api/appeals/${id}`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) })).status, 200);
  clock.advance(HOUR);
  assert.is((await zhek.fetch(`/api/appeals/${id}`, { method: 'PATCH', body: JSON.stringify({ status: 'done', answer: 'Покрівлю відремонтовано' }) })).status, 200);
  await both(async (fmt) => {
    const { value } = await call(fmt, `requests/${id}`, 'requests', 200);
    assert.is(value[0].status, 'closed');
    assert.is(value[0].status_notes, 'Покрівлю відремонтовано');
    const ups = await call(fmt, `servicerequestupdates?start_date=${encodeURIComponent(new Date(TEST_NOW.getTime() + 30 * 60_000).toISOString())}`, 'updates', 200);
    const mine = ups.value.filter((u: { service_request_id: string }) => u.service_request_id === id);
    assert.equal(mine.map((u: { status: string }) => u.status), ['open', 'closed', 'closed']);
    assert.is(mine[0].description, 'Статус: в роботі.');
    assert.is(mine[2].description, 'Покрівлю відремонтовано');
    const span = (from: number, to: number) => `start_date=${encodeURIComponent(new Date(TEST_NOW.getTime() + from).toISOString())}&end_date=${encodeURIComponent(new Date(TEST_NOW.getTime() + to).toISOString())}`;
    const early = await call(fmt, `servicerequestupdates?${span(-HOUR, 30 * 60_000)}`, 'updates', 200);
    assert.equal(early.value.filter((u: { service_request_id: string }) => u.service_request_id === id), []);
    await call(fmt, `servicerequestupdates?${span(HOUR, -HOUR)}`, 'errors', 400);
  });
  // Done, it is surveyed like a phone appeal: the survey call goes to the phone the client left.
  await api.services.repos.surveys.scan({ now: clock.now(), delayMinutes: 60, maxAgeHours: 72, lagSeconds: 0, batch: 1000, control: surveySettings(baseConfig.survey).control });
  const survey = await db.one(`SELECT kind, phone FROM survey WHERE appeal_id = $1`, [id]);
  assert.equal(survey, { kind: 'survey', phone: '+380671112233' });
  // The resident confirms on the survey call: still closed.
  await db.none(`UPDATE appeal SET status = 'closed' WHERE id = $1`, [id]);
  assert.is((await call('xml', `requests/${id}`, 'requests', 200)).value[0].status, 'closed');
});

test('GET requests: 90 days and 1,000 by default, page/page_size, filters, ids overriding them, empty arguments absent', async () => {
  const b = builder(db);
  const old = await b.appeal({ category: CITY.trafficLight, point: [24.733, 48.9202], createdAt: new Date(TEST_NOW.getTime() - 91 * DAY) });
  const recent = await b.appeal({ category: CITY.trafficLight, point: [24.733, 48.9202], createdAt: new Date(TEST_NOW.getTime() - 89 * DAY), status: 'closed' });
  await both(async (fmt) => {
    const ids = (v: { service_request_id: string }[]) => v.map((r) => Number(r.service_request_id));
    const lights = await call(fmt, 'requests?service_code=traffic_light', 'requests', 200);
    assert.equal(ids(lights.value), [recent]);
    const wide = await call(fmt, `requests?service_code=traffic_light&start_date=${encodeURIComponent(new Date(TEST_NOW.getTime() - 100 * DAY).toISOString())}`, 'requests', 200);
    assert.equal(ids(wide.value), [recent, old]);
    assert.equal(ids((await call(fmt, 'requests?service_code=traffic_light,garbage&status=open', 'requests', 200)).value).includes(recent), false);
    assert.equal(ids((await call(fmt, 'requests?service_code=traffic_light&status=closed', 'requests', 200)).value), [recent]);
    // Listed ids override every other filter, the 90 days included.
    assert.equal(ids((await call(fmt, `requests?service_request_id=${old},${recent}&status=open&service_code=garbage`, 'requests', 200)).value), [recent, old]);
    // Empty arguments are absent ones.
    const blank = await call(fmt, 'requests?service_code=traffic_light&status=&start_date=&end_date=&page=&page_size=&service_request_id=&jurisdiction_id=&api_key=', 'requests', 200);
    assert.equal(ids(blank.value), [recent]);
    assert.match((await call(fmt, 'requests?status=pending', 'errors', 400)).value[0].description, '[invalid_value: status]');
    await call(fmt, 'requests?start_date=yesterday', 'errors', 400);
    await call(fmt, 'requests?page_size=1001', 'errors', 400);
  });

  // More than 1,000 in the window: the first 1,000, newest first; pages of page_size.
  await db.none(`INSERT INTO appeal (number, category_id, executor_id, text, due_at, created_at, point)
                 SELECT 'T/2026/' || g, $1, $2, 'bulk', $3::timestamptz + interval '1 day', $3::timestamptz - g * interval '1 minute', ST_SetSRID(ST_MakePoint(24.71, 48.92), 4326)
                   FROM generate_series(1, 1005) g`, [CITY.noWater, CITY.vodokanal, TEST_NOW]);
  const all = await call('json', 'requests', 'requests', 200);
  assert.is(all.value.length, 1000);
  const stamps = all.value.map((r: { requested_datetime: string }) => new Date(r.requested_datetime).getTime());
  assert.equal(stamps, [...stamps].sort((x, y) => y - x));
  const page2 = await call('xml', 'requests?page=2&page_size=10', 'requests', 200);
  assert.equal(page2.value.map((r: { service_request_id: string }) => r.service_request_id), all.value.slice(10, 20).map((r: { service_request_id: string }) => r.service_request_id));
});

test('the per-key rate limit: 429 with Retry-After past the limit in a minute, its own count per key, free again the next minute', async () => {
  const a = await issueKey('rate-a');
  const other = await issueKey('rate-b');
  clock.set(new Date(Math.ceil(clock.now().getTime() / 60_000) * 60_000 + 15_000));
  for (let i = 0; i < RATE; i++) await call('json', `services?api_key=${a.key}`, 'services', 200);
  await both(async (fmt) => {
    const { value, res } = await call(fmt, `services?api_key=${a.key}`, 'errors', 429);
    assert.is(res.headers.get('retry-after'), '45');
    assert.match(value[0].description, 'too_many_requests');
  });
  await call('json', `services?api_key=${other.key}`, 'services', 200);
  await call('json', 'services', 'services', 200);
  const counted = await db.one('SELECT requests FROM api_key_rate WHERE api_key_id = $1', [a.id]);
  assert.is(counted.requests, RATE + 2);
  clock.advance(60_000);
  await call('json', `services?api_key=${a.key}`, 'services', 200);
});

test('API keys are for admins only; the key is shown once and only its hash is stored', async () => {
  const op = client(api.url);
  assert.is((await op.signIn('operator1', PASSWORD)).status, 200);
  assert.is((await op.get('/api/admin/api-keys')).status, 403);
  assert.is((await op.post('/api/admin/api-keys', { name: 'mine' })).status, 403);
  const k = await issueKey('hash');
  assert.match(k.key, /^misto_[A-Za-z0-9_-]{43}$/);
  const stored = await db.one('SELECT encode(hash, \'hex\') AS hash FROM api_key WHERE id = $1', [k.id]);
  assert.is(stored.hash.length, 64);
  assert.not.ok(JSON.stringify(await db.any('SELECT * FROM api_key')).includes(k.key));
  assert.is((await admin.post('/api/admin/api-keys', { name: '' })).status, 400);
  assert.is((await admin.fetch('/api/admin/api-keys/99999/revoke', { method: 'POST' })).status, 404);
  assert.is((await admin.fetch(`/api/admin/api-keys/${k.id}/revoke`, { method: 'POST' })).status, 200);
});

test.run();
