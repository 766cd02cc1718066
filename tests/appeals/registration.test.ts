// Appeal registration over real HTTP on a real PostGIS: validation, executor and due date from the
// catalogue for each rule, overrides with reasons, one transaction, and the call link.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { HOUR, TEST_NOW, iso, kyivYear } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import { createApp } from '../../server/app.ts';
import { createLogger } from '../../server/observe/log.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from './fixture.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let op: ReturnType<typeof client>;
let services: ReturnType<typeof testServices>;
const serverLog: string[] = [];

test.before(async () => {
  ({ db } = await migratedDb('appeals_reg'));
  await seedCity(db);
  const logger = createLogger({ destination: { write: (line: string) => serverLog.push(line) } });
  services = testServices(db);
  srv = await serve(createApp(services, { logger }));
  op = client(srv.url);
  assert.is((await op.signIn('operator1', PASSWORD)).status, 200);
});
test.after(() => srv.close());

const register = async (body: Record<string, unknown>) => {
  const res = await op.post('/api/appeals', body);
  return { status: res.status, body: await res.json() };
};
const base = { categoryId: CITY.roofLeak, residentId: CITY.resident, text: 'Тече дах над кухнею після дощу' };

test('the catalogue tree groups active categories by sphere with rule, deadline and survey flag', async () => {
  const tree = await (await op.get('/api/catalogue')).json();
  const housing = tree.find((s: { code: string }) => s.code === 'housing');
  assert.ok(housing);
  assert.equal(housing.categories.map((c: { code: string }) => c.code).sort(), ['no_water', 'roof_leak']);
  const roof = housing.categories.find((c: { code: string }) => c.code === 'roof_leak');
  assert.is(roof.executorRule, 'housing_office');
  assert.is(roof.deadlineHours, 72);
  assert.is(roof.nameEn, 'Roof leak');
  assert.is(roof.survey, true);
  const execs = await (await op.get('/api/executors')).json();
  assert.is(execs.length, 6);
  assert.is((await client(srv.url).get('/api/catalogue')).status, 401);
});

test('validation answers 400 with a stable code, the field at fault and the params of its message', async () => {
  const cases: [Record<string, unknown>, string, string | undefined, Record<string, unknown>?][] = [
    [{ ...base, categoryId: undefined }, 'required', 'categoryId'],
    [{ ...base, categoryId: 999 }, 'bad_request', 'categoryId'],
    [{ ...base, categoryId: CITY.retired }, 'bad_request', 'categoryId'],
    [{ ...base, categoryId: 'roof' }, 'invalid_type', 'categoryId'],
    [{ ...base, text: 'ой' }, 'too_short', 'text', { min: 5 }],
    [{ ...base, text: 'x'.repeat(4001) }, 'too_long', 'text', { max: 4000 }],
    [{ categoryId: CITY.roofLeak, text: 'Тече дах над кухнею' }, 'needs_place', undefined],
    [{ ...base, phone: '12-34' }, 'invalid_phone', 'phone', { value: '12-34' }],
    [{ ...base, residentId: 4242 }, 'not_found', 'residentId'],
    [{ categoryId: CITY.roofLeak, buildingId: 999, text: 'Тече дах над кухнею' }, 'not_found', 'buildingId'],
    [{ categoryId: CITY.garbage, point: { lon: 200, lat: 48.9 }, text: 'Сміття біля дороги' }, 'too_big', 'point.lon', { max: 180 }],
    [{ ...base, channel: 'pigeon' }, 'invalid_value', 'channel'],
    [{ ...base, callId: 77 }, 'not_found', 'callId'],
    [{ ...base, dueAt: 'tomorrow', dueOverrideReason: 'Мешканець просить' }, 'invalid_date', 'dueAt'],
    [{ ...base, residentId: 0 }, 'too_small', 'residentId'],
  ];
  for (const [body, code, field, params] of cases) {
    const r = await register(body);
    const what = JSON.stringify(body).slice(0, 120);
    assert.is(r.status, 400, what);
    assert.is(r.body.error, code, what);
    assert.is(r.body.field, field, what);
    if (params) assert.equal(r.body.params && Object.fromEntries(Object.keys(params).map((k) => [k, r.body.params[k]])), params, what);
    assert.type(r.body.message, 'string');
  }
  assert.is(await db.one('SELECT count(*)::int AS n FROM appeal', [], (r) => r.n), 0);
});

test('housing-office rule: the building’s office, else the category’s executor; due date from the deadline', async () => {
  const r = await register(base);
  assert.is(r.status, 201);
  assert.match(r.body.number, new RegExp(`^15-80/${kyivYear()}/\\d{6}$`));
  const a = await db.one('SELECT * FROM appeal WHERE id = $1', [r.body.id]);
  assert.is(a.executor_id, CITY.zhek1);
  assert.is(a.building_id, CITY.buildingCentre, 'the building comes from the resident');
  assert.is(a.apartment, '5');
  assert.is(a.caller_phone, CITY.residentPhone, 'the phone comes from the resident');
  assert.is(a.due_at.getTime(), TEST_NOW.getTime() + 72 * HOUR);
  assert.is(a.created_at.getTime(), TEST_NOW.getTime());
  assert.is(a.operator_id !== null, true);

  const other = await register({ categoryId: CITY.roofLeak, buildingId: CITY.buildingPasichna, apartment: '3', text: 'Тече дах у підʼїзді' });
  assert.is(other.body.executorId, CITY.zhek2);
  const noOffice = await register({ categoryId: CITY.roofLeak, buildingId: CITY.buildingNoOffice, text: 'Тече дах у підʼїзді' });
  assert.is(noOffice.body.executorId, CITY.zhek1, 'no housing office: the category’s own executor');
  const ev = await db.one(`SELECT data FROM appeal_event WHERE appeal_id = $1 AND kind = 'assigned'`, [noOffice.body.id]);
  assert.is(ev.data.source, 'fallback');
});

test('district rule: the district table by building, object or point, else the category’s executor', async () => {
  const byBuilding = await register({ categoryId: CITY.garbage, buildingId: CITY.buildingCentre, text: 'Сміття не вивозять тиждень' });
  assert.is(byBuilding.body.executorId, CITY.blagoustrii);
  const byObject = await register({ categoryId: CITY.garbage, infraObjectId: CITY.containerSite, text: 'Переповнений контейнер' });
  assert.is(byObject.body.executorId, CITY.blagoustrii);
  const stored = await db.one('SELECT ST_X(point) AS lon, ST_Y(point) AS lat, infra_object_id FROM appeal WHERE id = $1', [byObject.body.id]);
  assert.is(stored.infra_object_id, CITY.containerSite);
  assert.ok(Math.abs(stored.lon - CITY.containerAt[0]) < 1e-9 && Math.abs(stored.lat - CITY.containerAt[1]) < 1e-9, 'the object’s location is attached');
  const byPoint = await register({ categoryId: CITY.garbage, point: { lon: 24.715, lat: 48.925 }, text: 'Стихійне звалище у сквері' });
  assert.is(byPoint.body.executorId, CITY.blagoustrii);
  const elsewhere = await register({ categoryId: CITY.garbage, buildingId: CITY.buildingPasichna, text: 'Сміття не вивозять тиждень' });
  assert.is(elsewhere.body.executorId, CITY.eko, 'no district entry: fallback');
  const hours = await db.one('SELECT round(extract(epoch FROM due_at - created_at) / 3600)::int AS h FROM appeal WHERE id = $1', [elsewhere.body.id]);
  assert.is(hours.h, 24);
});

test('fixed rule: always the category’s executor; the desk’s suggestion agrees', async () => {
  const r = await register({ categoryId: CITY.noWater, buildingId: CITY.buildingPasichna, text: 'Немає холодної води з ранку' });
  assert.is(r.body.executorId, CITY.vodokanal);
  const s = await (await op.get(`/api/catalogue/suggestion?categoryId=${CITY.roofLeak}&buildingId=${CITY.buildingPasichna}`)).json();
  assert.is(s.executor.id, CITY.zhek2);
  assert.is(s.source, 'housing_office');
  assert.is(s.deadlineHours, 72);
  const byPoint = await (await op.get(`/api/catalogue/suggestion?categoryId=${CITY.garbage}&lon=24.715&lat=48.925`)).json();
  assert.is(byPoint.executor.code, 'blagoustrii-centre');
});

test('an override needs a reason, which is stored with an override event', async () => {
  const noReason = await register({ ...base, executorId: CITY.vodokanal });
  assert.is(noReason.status, 400);
  assert.is(noReason.body.error, 'needs_reason');
  assert.is(noReason.body.field, 'executorOverrideReason');
  assert.equal(noReason.body.params, { min: 5 });
  const later = iso(10 * 24 * HOUR);
  const noDueReason = await register({ ...base, dueAt: later, dueOverrideReason: ' ' });
  assert.is(noDueReason.status, 400);
  assert.is(noDueReason.body.field, 'dueOverrideReason');
  const past = await register({ ...base, dueAt: iso(-HOUR), dueOverrideReason: 'Бо так треба' });
  assert.is(past.body.error, 'due_in_past');

  const same = await register({ ...base, executorId: CITY.zhek1 });
  assert.is(same.status, 201, 'choosing the catalogue’s own executor is no override');

  const ok = await register({ ...base, executorId: CITY.vodokanal, executorOverrideReason: 'Тече з водопроводу, не дах',
    dueAt: later, dueOverrideReason: 'Потрібен підйомник, мешканець згоден чекати' });
  assert.is(ok.status, 201);
  const a = await db.one('SELECT executor_id, executor_override_reason, due_override_reason, due_at FROM appeal WHERE id = $1', [ok.body.id]);
  assert.is(a.executor_id, CITY.vodokanal);
  assert.is(a.executor_override_reason, 'Тече з водопроводу, не дах');
  assert.is(a.due_override_reason, 'Потрібен підйомник, мешканець згоден чекати');
  assert.is(a.due_at.toISOString(), later);
  const kinds = await db.map(`SELECT kind, data FROM appeal_event WHERE appeal_id = $1 ORDER BY id`, [ok.body.id], (e) => e);
  assert.equal(kinds.map((e) => e.kind), ['created', 'assigned', 'override', 'override', 'notify']);
  assert.is(kinds[2].data.field, 'executor');
  assert.is(kinds[2].data.from, CITY.zhek1);
  assert.is(kinds[3].data.field, 'due_at');
  assert.is(kinds[4].data.executorId, CITY.vodokanal, 'the notice goes to the chosen executor');
});

test('registration is one transaction: a failure mid-way leaves no appeal and no events', async () => {
  const count = () => db.one(`SELECT (SELECT count(*) FROM appeal)::int AS a, (SELECT count(*) FROM appeal_event)::int AS e`);
  const before = await count();
  // A bad object id passes validation and fails on the foreign key inside the transaction.
  const bad = await register({ categoryId: CITY.garbage, infraObjectId: 9999, point: { lon: 24.715, lat: 48.925 }, text: 'Переповнений контейнер' });
  assert.is(bad.status, 400);
  assert.match(bad.body.message, /does not exist/);
  assert.equal(await count(), before);
  // A failure after the appeal row and the first events are written: the notify event is refused.
  await db.none(`
    CREATE FUNCTION test_refuse_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.kind = 'notify' THEN RAISE EXCEPTION 'notify refused by the test'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER test_refuse_notify BEFORE INSERT ON appeal_event FOR EACH ROW EXECUTE FUNCTION test_refuse_notify();`);
  try {
    const failed = await register(base);
    assert.is(failed.status, 500);
    const logged = serverLog.find((l) => /notify refused by the test/.test(l));
    assert.ok(logged, 'the unexpected error is logged');
    assert.is(JSON.parse(logged!).level, 'error');
    assert.match(JSON.parse(logged!).requestId, /^[\w-]{36}$/);
    assert.equal(await count(), before);
  } finally {
    await db.none('DROP TRIGGER test_refuse_notify ON appeal_event; DROP FUNCTION test_refuse_notify()');
  }
  const after = await register(base);
  assert.is(after.status, 201);
  const events = await db.map('SELECT kind FROM appeal_event WHERE appeal_id = $1 ORDER BY id', [after.body.id], (e) => e.kind);
  assert.equal(events, ['created', 'assigned', 'notify']);
});

test('an appeal registered during a call links the call and takes the caller’s number', async () => {
  // The operator who took the call registers the appeal (only they may attach it).
  const operator = await db.one<{ id: number }>(`SELECT id FROM app_user WHERE login = 'operator1'`);
  const call = { id: await builder(db).call({ uniqueid: '1700000000.42', callerPhone: '+380671234567', queue: '1580', answeredAt: TEST_NOW, operator: operator.id }) };
  const r = await register({ categoryId: CITY.noWater, buildingId: CITY.buildingCentre, apartment: '12', callId: call.id, text: 'Немає води третій день' });
  assert.is(r.status, 201);
  const a = await db.one('SELECT call_id, caller_phone, apartment FROM appeal WHERE id = $1', [r.body.id]);
  assert.is(a.call_id, call.id);
  assert.is(a.caller_phone, '+380671234567');
  const typed = await register({ categoryId: CITY.noWater, buildingId: CITY.buildingCentre, phone: '(050) 765-43-21', text: 'Немає води третій день' });
  assert.is(await db.one('SELECT caller_phone FROM appeal WHERE id = $1', [typed.body.id], (x) => x.caller_phone), '+380507654321');
});

test('the appeal detail carries its history and the resident’s list shows it', async () => {
  const r = await register({ ...base, text: 'Протікає дах у спальні' });
  const detail = await (await op.get(`/api/appeals/${r.body.id}`)).json();
  assert.is(detail.number, r.body.number);
  assert.is(detail.residentName, 'Коваленко Олена Петрівна');
  assert.is(detail.category.name, 'Протікання покрівлі');
  assert.is(detail.executor.name, 'ЖЕК №1');
  assert.equal(detail.events.map((e: { kind: string }) => e.kind), ['created', 'assigned', 'notify']);
  assert.is(detail.events[0].actorName, 'Test operator');
  const mine = await (await op.get(`/api/residents/${CITY.resident}/appeals`)).json();
  assert.is(mine[0].id, r.body.id);
  assert.ok(mine.every((a: { residentId: number }) => a.residentId === CITY.resident));
});

test('a resident\'s own appeal (web, Open311) is routed and deadlined like a phone one, keeps the contact, and registers once per request id', async () => {
  const input = {
    channel: 'web' as const, categoryId: CITY.roofLeak, buildingId: CITY.buildingCentre, text: 'Тече дах над під’їздом №2',
    phone: '+380671234567', contact: { name: 'Олена Коваль', email: 'olena@example.com' },
  };
  const first = await services.appeals.registerPublic(input, '6f1c2b7e-0a4d-4c1e-9b7a-3d2f1e0c9a81');
  assert.is(first.executorId, CITY.zhek1, 'the building\'s housing office');
  const a = await db.one('SELECT * FROM appeal WHERE id = $1', [first.id]);
  assert.equal([a.channel, a.operator_id, a.caller_phone, a.due_at.getTime()], ['web', null, '+380671234567', TEST_NOW.getTime() + 72 * HOUR]);
  assert.equal(await db.one('SELECT name, email FROM appeal_contact WHERE appeal_id = $1', [first.id]), { name: 'Олена Коваль', email: 'olena@example.com' });
  assert.equal((await db.any(`SELECT kind FROM appeal_event WHERE appeal_id = $1 ORDER BY id`, [first.id])).map((e) => e.kind), ['created', 'assigned', 'notify']);

  const again = await services.appeals.registerPublic(input, '6f1c2b7e-0a4d-4c1e-9b7a-3d2f1e0c9a81');
  assert.equal([again.id, again.replayed], [first.id, true]);
  // The same request id from another channel is another registration's.
  try {
    await services.appeals.registerPublic({ ...input, channel: 'open311' }, '6f1c2b7e-0a4d-4c1e-9b7a-3d2f1e0c9a81');
    assert.unreachable('a reused request id');
  } catch (e) { assert.is((e as { status?: number }).status, 409); }
  // Without a name or an e-mail there is no contact row; an operator cannot file as Open311.
  const bare = await services.appeals.registerPublic({ ...input, channel: 'open311', contact: { name: null, email: null } });
  assert.is(await db.oneOrNone('SELECT 1 FROM appeal_contact WHERE appeal_id = $1', [bare.id]), null);
  assert.is((await register({ ...base, channel: 'open311' })).status, 400);

  // The contact is personal data: the operator sees it, the executor does not.
  const forOperator = await (await op.get(`/api/appeals/${first.id}`)).json();
  assert.equal([forOperator.contactName, forOperator.contactEmail], ['Олена Коваль', 'olena@example.com']);
  const zhek = client(srv.url);
  assert.is((await zhek.signIn('zhek1', PASSWORD)).status, 200);
  const forExecutor = await (await zhek.get(`/api/appeals/${first.id}`)).json();
  assert.equal([forExecutor.contactName, forExecutor.contactEmail, forExecutor.callerPhone], [null, null, null]);
});

test('without APPEAL_NUMBER_PREFIX the number follows the database’s latest appeal (a seeded Kyiv says 1551)', async () => {
  await db.none(`UPDATE appeal SET number = replace(number, '15-80/', '1551/') WHERE id = (SELECT max(id) FROM appeal)`);
  const r = await register(base);
  assert.match(r.body.number, new RegExp(`^1551/${kyivYear()}/\\d{6}$`));
  // A Kyiv-sized year passes a million: the number grows instead of being cut to six digits.
  await db.one(`SELECT setval('appeal_number_seq', 8872658)`);
  const big = await register(base);
  assert.match(big.body.number, new RegExp(`^1551/${kyivYear()}/8872659$`));
});

test.run();
