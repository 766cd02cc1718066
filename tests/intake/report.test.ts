// The web intake over real HTTP on a real PostGIS: a resident's appeal with its photo (type by
// content, size limit, EXIF location stripped), duplicates suggested before sending, the mailed
// private link with confirmation and dispute, idempotent retries, limits, and who may see photos.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { DAY, HOUR, TEST_NOW } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import { manualClock } from '../../server/clock.ts';
import { config as baseConfig } from '../../server/config.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';
import { intakeRepo } from '../../server/intake/intake.repo.ts';
import { cameraJpeg, hasGps } from './photo-fixtures.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
const clock = manualClock(TEST_NOW);
const photoDir = mkdtempSync(join(tmpdir(), 'misto-photos-'));
const PHOTO_MAX = 200_000;
const intake = { ...baseConfig.intake, photoDir, photoMaxBytes: PHOTO_MAX, perEmail: { max: 50, windowS: 86_400 }, perClient: { max: 200, windowS: 3600 } };

/** 40 m east of the container site, in the centre district (garbage goes to Благоустрій центр there). */
const HERE = { lon: CITY.containerAt[0], lat: CITY.containerAt[1] };
/** Where the duplicate test's appeals lie, away from every other test's. */
const SPOT = { lon: 24.7150, lat: 48.9150 };
const east = (m: number): [number, number] => [SPOT.lon + m / (111_320 * Math.cos((SPOT.lat * Math.PI) / 180)), SPOT.lat];

test.before(async () => {
  ({ db } = await migratedDb('intake_report'));
  await seedCity(db);
  srv = await serve(createApp(testServices(db, { publicUrl: 'http://misto.test', intake }, clock)));
});
test.after(() => srv.close());

type Photo = { data: Buffer; type: string; name: string };
const fields = (over: Record<string, string | undefined> = {}) => ({
  requestId: randomUUID(), categoryId: String(CITY.garbage), text: 'Контейнери переповнені, сміття на тротуарі',
  lon: String(HERE.lon), lat: String(HERE.lat), name: 'Олена Коваль', email: 'olena@example.com', phone: '050 765 43 21', ...over,
});
async function send(f: Record<string, string | undefined>, photo?: Photo, base = srv.url) {
  const form = new FormData();
  for (const [k, v] of Object.entries(f)) if (v !== undefined) form.set(k, v);
  if (photo) form.set('photo', new Blob([new Uint8Array(photo.data)], { type: photo.type }), photo.name);
  const res = await fetch(`${base}/api/report`, { method: 'POST', body: form });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
const lastMail = (to: string) => db.one<{ subject: string; text_body: string; html_body: string }>(
  'SELECT subject, text_body, html_body FROM outbox_mail WHERE to_addr = $1 ORDER BY id DESC LIMIT 1', [to]);
const tokenIn = (text: string) => text.match(/\/report\/track\/([A-Za-z0-9_-]{43})/)![1];
const appealOf = (number: string) => db.one('SELECT * FROM appeal WHERE number = $1', [number]);

test('a web appeal registers with channel web, routed by place, its contact kept, and mails the number with a private link whose hash alone is stored', async () => {
  const f = fields();
  const r = await send(f);
  assert.is(r.status, 201, JSON.stringify(r.body));
  assert.equal(Object.keys(r.body).sort(), ['dueAt', 'email', 'number', 'replayed']);
  const a = await appealOf(r.body.number);
  assert.equal([a.channel, a.operator_id, a.executor_id, a.caller_phone, a.category_id], ['web', null, CITY.blagoustrii, '+380507654321', CITY.garbage]);
  assert.equal(await db.one('SELECT name, email FROM appeal_contact WHERE appeal_id = $1', [a.id]), { name: 'Олена Коваль', email: 'olena@example.com' });
  const mail = await lastMail('olena@example.com');
  assert.ok(mail.subject.includes(r.body.number), mail.subject);
  assert.ok(mail.text_body.includes('Стежити за зверненням: http://misto.test/report/track/'), mail.text_body);
  assert.ok(mail.html_body.includes(`href="http://misto.test/report/track/`));
  const token = tokenIn(mail.text_body);
  const track = await db.one('SELECT token_hash, expires_at FROM appeal_track WHERE appeal_id = $1', [a.id]);
  assert.ok(Buffer.compare(track.token_hash, createHash('sha256').update(token).digest()) === 0);
  assert.is(track.expires_at.getTime(), TEST_NOW.getTime() + intake.trackDays * DAY);
  assert.not.ok((await db.one(`SELECT count(*)::int AS n FROM appeal_track WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, [token])).n);

  // A double submit (the same request id): the same appeal, one mail.
  const again = await send(f);
  assert.equal([again.status, again.body.number, again.body.replayed], [200, r.body.number, true]);
  assert.is(await db.one('SELECT count(*)::int AS n FROM outbox_mail WHERE to_addr = $1', ['olena@example.com'], (x) => x.n), 1);
  assert.is(await db.one('SELECT count(*)::int AS n FROM appeal WHERE request_id = $1', [f.requestId], (x) => x.n), 1);
});

test('an infrastructure object is a place of its own; English mail on request', async () => {
  const r = await send(fields({ lon: undefined, lat: undefined, infraObjectId: String(CITY.containerSite), email: 'en@example.com', lang: 'en' }));
  assert.is(r.status, 201, JSON.stringify(r.body));
  const a = await appealOf(r.body.number);
  assert.is(a.infra_object_id, CITY.containerSite);
  assert.is(a.executor_id, CITY.blagoustrii);
  assert.ok((await lastMail('en@example.com')).subject.startsWith('Appeal No.'));
});

test('bad input: 4xx with stable codes — no place, unknown or retired category, text too short, not multipart', async () => {
  const cases: [Record<string, string | undefined>, number, string, string?][] = [
    [fields({ lon: undefined, lat: undefined }), 400, 'needs_place', 'lon'],
    [fields({ categoryId: '999' }), 400, 'unknown_category', 'categoryId'],
    [fields({ categoryId: String(CITY.retired) }), 400, 'unknown_category', 'categoryId'],
    [fields({ text: 'ой' }), 400, 'too_short', 'text'],
    [fields({ email: 'not-an-address' }), 400, 'invalid_email', 'email'],
    [fields({ name: '' }), 400, 'required', 'name'],
    [fields({ requestId: undefined }), 400, 'required', 'requestId'],
    [fields({ lon: '500' }), 400, 'too_big', 'lon'],
  ];
  const before = await db.one('SELECT count(*)::int AS n FROM appeal', [], (x) => x.n);
  for (const [f, status, code, field] of cases) {
    const r = await send(f);
    assert.equal([r.status, r.body.error, r.body.field], [status, code, field], JSON.stringify(r.body));
  }
  const json = await fetch(`${srv.url}/api/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields()) });
  assert.equal([json.status, (await json.json()).error], [415, 'unsupported_media_type']);
  // A cross-site page may post a multipart form without asking first: its Origin gives it away.
  const form = new FormData();
  for (const [k, v] of Object.entries(fields())) form.set(k, v);
  const evil = await fetch(`${srv.url}/api/report`, { method: 'POST', body: form, headers: { origin: 'http://evil.example' } });
  assert.equal([evil.status, (await evil.json()).error], [403, 'cross_origin']);
  assert.is(await db.one('SELECT count(*)::int AS n FROM appeal', [], (x) => x.n), before, 'nothing registered');
});

test('the photo: re-encoded upright with no EXIF (no GPS, no camera), stored under the photo folder with its size and type', async () => {
  const raw = await cameraJpeg();
  const meta = await sharp(raw).metadata();
  assert.ok(hasGps(meta.exif), 'the fixture carries GPS');
  assert.is(meta.orientation, 6);
  const r = await send(fields({ email: 'photo@example.com' }), { data: raw, type: 'image/jpeg', name: 'IMG_0001.jpg' });
  assert.is(r.status, 201, JSON.stringify(r.body));
  const a = await appealOf(r.body.number);
  const p = await db.one('SELECT * FROM appeal_photo WHERE appeal_id = $1', [a.id]);
  assert.equal([p.mime, p.width, p.height], ['image/jpeg', 48, 64], 'turned by its orientation');
  const stored = readFileSync(join(photoDir, p.file));
  assert.is(stored.length, p.bytes);
  const out = await sharp(stored).metadata();
  assert.equal([out.format, out.exif, out.orientation, out.xmp, out.iptc], ['jpeg', undefined, undefined, undefined, undefined]);
  assert.not.ok(stored.includes(Buffer.from('TestCam')));
  assert.not.ok(readdirSync(photoDir).some((f) => f.endsWith('.tmp')));
});

test('the photo\'s type is told by its content: a JPEG named .txt passes, text named .jpg, HEIC and a broken JPEG are refused', async () => {
  const jpeg = await cameraJpeg();
  assert.is((await send(fields(), { data: jpeg, type: 'text/plain', name: 'notes.txt' })).status, 201);
  const png = await sharp({ create: { width: 10, height: 10, channels: 4, background: '#00f8' } }).png().toBuffer();
  const asPng = await send(fields(), { data: png, type: 'image/jpeg', name: 'x.jpg' });
  assert.is(asPng.status, 201);
  assert.is((await db.one('SELECT mime FROM appeal_photo p JOIN appeal a ON a.id = p.appeal_id WHERE a.number = $1', [asPng.body.number])).mime, 'image/png');
  const before = await db.one('SELECT count(*)::int AS n FROM appeal', [], (x) => x.n);
  const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(64)]);
  const cases: [Photo, string][] = [
    [{ data: Buffer.from('<?php echo "hi"; ?>'), type: 'image/jpeg', name: 'photo.jpg' }, 'photo_type'],
    [{ data: Buffer.from('GIF89a....'), type: 'image/gif', name: 'a.gif' }, 'photo_type'],
    [{ data: heic, type: 'image/heic', name: 'IMG_2.HEIC' }, 'photo_heic'],
    [{ data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]), type: 'image/jpeg', name: 'broken.jpg' }, 'photo_unreadable'],
  ];
  for (const [photo, code] of cases) {
    const r = await send(fields(), photo);
    assert.equal([r.status, r.body.error, r.body.field], [400, code, 'photo'], photo.name);
  }
  assert.is(await db.one('SELECT count(*)::int AS n FROM appeal', [], (x) => x.n), before);
});

test('the photo size limit: one byte over is a 413 photo_too_large and no appeal; at the limit it passes', async () => {
  const jpeg = await cameraJpeg();
  const pad = (n: number) => Buffer.concat([jpeg, Buffer.alloc(n - jpeg.length)]);
  const before = await db.one('SELECT count(*)::int AS n FROM appeal', [], (x) => x.n);
  const over = await send(fields(), { data: pad(PHOTO_MAX + 1), type: 'image/jpeg', name: 'big.jpg' });
  assert.equal([over.status, over.body.error, over.body.params.max], [413, 'photo_too_large', PHOTO_MAX]);
  // Far over: refused on its declared length, before the body is read.
  const huge = await send(fields(), { data: pad(PHOTO_MAX + 400_000), type: 'image/jpeg', name: 'huge.jpg' });
  assert.equal([huge.status, huge.body.error], [413, 'photo_too_large']);
  assert.is(await db.one('SELECT count(*)::int AS n FROM appeal', [], (x) => x.n), before);
  // Trailing bytes after the JPEG's end marker are ignored by the decoder: exactly at the limit is fine.
  assert.is((await send(fields(), { data: pad(PHOTO_MAX), type: 'image/jpeg', name: 'max.jpg' })).status, 201);
});

test('duplicates: open appeals of the category nearby and recent are suggested with number, status, category and distance only', async () => {
  const b = builder(db);
  const ago = (ms: number) => new Date(TEST_NOW.getTime() - ms);
  const near = await b.appeal({ category: CITY.garbage, point: east(40), createdAt: ago(3 * DAY), status: 'in_progress', text: 'Приватний текст іншого мешканця', callerPhone: '+380671112233' });
  await b.appeal({ category: CITY.garbage, point: east(300), createdAt: ago(DAY) });
  await b.appeal({ category: CITY.roofLeak, point: east(10), createdAt: ago(DAY) });
  await b.appeal({ category: CITY.garbage, point: east(20), createdAt: ago(20 * DAY) });
  await b.appeal({ category: CITY.garbage, point: east(30), createdAt: ago(DAY), status: 'closed' });
  await b.appeal({ category: CITY.garbage, point: east(30), createdAt: ago(DAY), status: 'done' });
  // Placed by its object only: a container site on the spot (0 m).
  const site = await b.infra({ kind: 'container_site', name: 'Майданчик №3', organisation: CITY.eko, at: east(0) });
  const byObject = await b.appeal({ category: CITY.garbage, infraObject: site, createdAt: ago(2 * HOUR), status: 'control' });
  const res = await fetch(`${srv.url}/api/report/nearby?categoryId=${CITY.garbage}&lon=${SPOT.lon}&lat=${SPOT.lat}`);
  assert.is(res.headers.get('cache-control'), 'no-store');
  const body = await res.json();
  assert.equal([body.metres, body.days], [150, 14]);
  const nums = await db.map('SELECT id, number FROM appeal WHERE id = ANY($1)', [[near, byObject]], (r) => [r.id, r.number]);
  const numberOf = new Map(nums as [number, string][]);
  assert.equal(body.appeals.map((a: { number: string }) => a.number), [numberOf.get(byObject), numberOf.get(near)]);
  const first = body.appeals[1];
  assert.equal(Object.keys(first).sort(), ['category', 'categoryEn', 'createdAt', 'distanceM', 'number', 'status']);
  assert.equal([first.status, first.category, first.distanceM], ['in_progress', 'Невивезення сміття', 40]);
  assert.not.ok(JSON.stringify(body).includes('Приватний') || JSON.stringify(body).includes('380671112233'));
  // Another category here finds nothing of the garbage ones; a bad query is a 400.
  assert.equal((await (await fetch(`${srv.url}/api/report/nearby?categoryId=${CITY.trafficLight}&lon=${SPOT.lon}&lat=${SPOT.lat}`)).json()).appeals, []);
  assert.is((await fetch(`${srv.url}/api/report/nearby?categoryId=${CITY.garbage}&lon=x&lat=1`)).status, 400);
  assert.is((await (await fetch(`${srv.url}/api/report/nearby?categoryId=999&lon=${SPOT.lon}&lat=${SPOT.lat}`)).json()).error, 'unknown_category');
});

test('the private link: status, deadline, executor and public history; confirm once; dispute sends to Control with the comment', async () => {
  const exec = client(srv.url);
  assert.is((await exec.signIn('blago', PASSWORD)).status, 200);
  const report = async (email: string) => {
    const r = await send(fields({ email }));
    assert.is(r.status, 201);
    return { number: r.body.number as string, token: tokenIn((await lastMail(email)).text_body) };
  };
  const track = async (token: string) => { const res = await fetch(`${srv.url}/api/report/track/${token}`); return { status: res.status, cache: res.headers.get('cache-control'), body: await res.json() }; };
  const word = async (token: string, w: Record<string, unknown>) => {
    const res = await fetch(`${srv.url}/api/report/track/${token}/confirmation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(w) });
    return { status: res.status, body: await res.json() };
  };
  const finish = async (number: string) => {
    const a = await appealOf(number);
    assert.is((await exec.fetch(`/api/appeals/${a.id}`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) })).status, 200);
    const done = await exec.fetch(`/api/appeals/${a.id}`, { method: 'PATCH', body: JSON.stringify({ status: 'done', answer: 'Сміття вивезено, майданчик прибрано' }) });
    assert.is(done.status, 200, await done.text());
    return a.id as number;
  };

  const one = await report('track1@example.com');
  let t = await track(one.token);
  assert.equal([t.status, t.cache, t.body.number, t.body.status, t.body.executor, t.body.canConfirm], [200, 'no-store', one.number, 'new', 'Благоустрій центр', false]);
  assert.equal(t.body.history.map((e: { kind: string }) => e.kind), ['created']);
  assert.not.ok(JSON.stringify(t.body).includes('Олена'), 'no name or phone on the page');
  assert.equal((await word(one.token, { confirmed: true })).body.error, 'not_done_yet');

  const id = await finish(one.number);
  t = await track(one.token);
  assert.equal([t.body.status, t.body.canConfirm, t.body.answer], ['done', true, 'Сміття вивезено, майданчик прибрано']);
  assert.equal(t.body.history.map((e: { kind: string; to?: string }) => e.to ?? e.kind), ['created', 'in_progress', 'done', 'answer']);
  const ok = await word(one.token, { confirmed: true });
  assert.equal([ok.status, ok.body.status, ok.body.confirmation, ok.body.canConfirm], [200, 'closed', 'confirmed', false]);
  const statusEvent = await db.one(`SELECT data FROM appeal_event WHERE appeal_id = $1 AND kind = 'status' ORDER BY id DESC LIMIT 1`, [id]);
  assert.equal([statusEvent.data.to, statusEvent.data.by], ['closed', 'resident']);
  const twice = await word(one.token, { confirmed: false, comment: 'Передумав, не виконано' });
  assert.equal([twice.status, twice.body.error], [409, 'already_confirmed']);

  const two = await report('track2@example.com');
  const id2 = await finish(two.number);
  assert.equal((await word(two.token, { confirmed: false })).body.error, 'needs_comment');
  const disputed = await word(two.token, { confirmed: false, comment: 'Сміття досі лежить біля контейнерів' });
  assert.equal([disputed.status, disputed.body.status, disputed.body.confirmation], [200, 'control', 'not_confirmed']);
  const a2 = await db.one('SELECT control_count, due_at FROM appeal WHERE id = $1', [id2]);
  assert.equal([a2.control_count, a2.due_at.getTime()], [1, TEST_NOW.getTime() + 24 * HOUR], 'the category\'s deadline from now, as the survey path sets it');
  const ev = await db.any(`SELECT kind, data FROM appeal_event WHERE appeal_id = $1 ORDER BY id DESC LIMIT 3`, [id2]);
  assert.equal(ev.map((e) => e.kind).sort(), ['comment', 'notify', 'status']);
  assert.is(ev.find((e) => e.kind === 'comment')!.data.text, 'Сміття досі лежить біля контейнерів');
  assert.is(ev.find((e) => e.kind === 'notify')!.data.why, 'control');
  assert.equal((await word(two.token, { confirmed: true })).body.error, 'already_confirmed');

  assert.equal((await track('A'.repeat(43))).body.error, 'track_not_found');
  assert.equal((await track('short')).status, 400);
  clock.advance((intake.trackDays + 1) * DAY);
  try {
    assert.equal([(await track(one.token)).status, (await track(one.token)).body.error], [404, 'track_not_found'], 'expired');
  } finally { clock.set(TEST_NOW); }
});

test('photos are served only to those who may read the appeal, never cached', async () => {
  const r = await send(fields({ email: 'roles@example.com' }), { data: await cameraJpeg(), type: 'image/jpeg', name: 'p.jpg' });
  const a = await appealOf(r.body.number);
  const as = async (login: string | null) => {
    const c = client(srv.url);
    if (login) assert.is((await c.signIn(login, PASSWORD)).status, 200);
    return c;
  };
  for (const login of ['operator1', 'admin1', 'blago']) {
    const c = await as(login);
    const list = await (await c.get(`/api/appeals/${a.id}/photos`)).json();
    assert.is(list.length, 1, login);
    const img = await c.get(list[0].url);
    assert.equal([img.status, img.headers.get('content-type'), img.headers.get('cache-control')], [200, 'image/jpeg', 'private, no-store'], login);
    assert.is((await sharp(Buffer.from(await img.arrayBuffer())).metadata()).width, 48);
  }
  const photoId = await db.one('SELECT id FROM appeal_photo WHERE appeal_id = $1', [a.id], (x) => x.id);
  for (const [login, status] of [['zhek1', 403], ['analyst1', 403], [null, 401]] as const) {
    const c = await as(login);
    assert.is((await c.get(`/api/appeals/${a.id}/photos`)).status, status, `${login} list`);
    assert.is((await c.get(`/api/appeals/${a.id}/photos/${photoId}`)).status, status, `${login} file`);
  }
  assert.is((await (await as('operator1')).get(`/api/appeals/${a.id}/photos/999999`)).status, 404);
});

test('limits: appeals per e-mail a day and per client an hour answer 429 with Retry-After; a retry of a sent one is not counted', async () => {
  clock.advance(2 * DAY);
  const limited = await serve(createApp(testServices(db, { publicUrl: 'http://misto.test', intake: { ...intake, perEmail: { max: 2, windowS: 86_400 }, perClient: { max: 3, windowS: 3600 } } }, clock)));
  try {
    const f = fields({ email: 'flood@example.com' });
    assert.is((await send(f, undefined, limited.url)).status, 201);
    assert.is((await send(f, undefined, limited.url)).status, 200, 'the same request again');
    assert.is((await send(fields({ email: 'flood@example.com' }), undefined, limited.url)).status, 201);
    const third = await send(fields({ email: 'FLOOD@example.com' }), undefined, limited.url);
    assert.equal([third.status, third.body.error, third.headers.get('retry-after')], [429, 'too_many_reports', String(86_400)]);
    assert.is(third.body.params.minutes, 1440);
    assert.is((await send(fields({ email: 'other@example.com' }), undefined, limited.url)).status, 201);
    clock.advance(10 * 60_000);
    const byClient = await send(fields({ email: 'third@example.com' }), undefined, limited.url);
    assert.equal([byClient.status, byClient.body.error, byClient.headers.get('retry-after')], [429, 'too_many_reports', String(50 * 60)]);
    clock.advance(51 * 60_000);
    assert.is((await send(fields({ email: 'third@example.com' }), undefined, limited.url)).status, 201, 'the hour has passed');
  } finally {
    await limited.close();
    clock.set(TEST_NOW);
  }
  // Housekeeping forgets the addresses once no window counts them.
  const repo = intakeRepo(db);
  const total = await db.one('SELECT count(*)::int AS n FROM web_report_log', [], (x) => x.n);
  assert.is(await repo.pruneSubmissions(new Date(TEST_NOW.getTime() + DAY)), total - 4, 'all but the last test\'s');
  assert.is(await db.one('SELECT count(*)::int AS n FROM web_report_log', [], (x) => x.n), 4);
});

test.run();
