// Malformed and hostile Open311 input: every answer is a specification error (or a success) in the
// asked format, never a 5xx, and nothing is registered without a valid key. A seeded generator, so a
// failure replays.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { startApi } from '../helpers/app.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity } from '../appeals/fixture.ts';
import { problems, xmlProblems } from './schemas.ts';

let db: Db;
let api: Awaited<ReturnType<typeof startApi>>;

test.before(async () => {
  ({ db } = await migratedDb('open311_malformed'));
  await seedCity(db);
  api = await startApi(db);
});
test.after(() => api.close());

let seed = 1580;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
const NASTY = ['', ' ', '%', '%E0%A4%A', '\u0007', '<x>&amp;', '"\'', '../..', 'null', '-1', '1e309', 'NaN', '٣', '0x10', '9'.repeat(40),
  'x'.repeat(5000), '2026-02-30T25:61:00Z', 'open,closed,', ',,,', 'roof_leak', '48.92', '-200', 'true', '[]', '{}', '\uD800'];
const PARAMS = ['service_code', 'lat', 'long', 'address_string', 'address_id', 'attribute[apartment]', 'attribute[object_id]', 'attribute[', 'description',
  'email', 'phone', 'media_url', 'service_request_id', 'start_date', 'end_date', 'status', 'page', 'page_size', 'jurisdiction_id', 'api_key', 'lang'];
const PATHS = ['discovery', 'services', 'services/roof_leak', 'services/%', 'services/..%2F', 'requests', 'requests/1', 'requests/-1', 'requests/%E0',
  'tokens/x', 'tokens/', 'servicerequestupdates', 'servicerequestupdates/1', '', 'requests/1/2'];

const fields = () => Object.fromEntries(Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => [pick(PARAMS), pick(NASTY)]));

test('500 malformed requests: no 5xx, every error in the specification\'s shape and the asked format', async () => {
  const before = await db.one('SELECT count(*)::int n FROM appeal');
  for (let i = 0; i < 500; i++) {
    const fmt = pick(['xml', 'json', 'csv', ''] as const);
    const path = pick(PATHS);
    const post = rnd() < 0.4;
    const query = new URLSearchParams(fields()).toString();
    const url = `${api.url}/open311/v2/${path}${fmt ? `.${fmt}` : ''}${post ? '' : `?${query}`}`;
    const type = pick(['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data']);
    const body = type === 'application/json' ? pick([JSON.stringify(fields()), '{', '[1]', 'null']) : new URLSearchParams(fields()).toString();
    const res = await fetch(url, post ? { method: 'POST', headers: { 'content-type': type }, body } : {});
    const text = await res.text();
    const label = `#${i} ${post ? 'POST' : 'GET'} ${url.slice(0, 200)}`;
    assert.ok(res.status < 500, `${label}: ${res.status} ${text.slice(0, 200)}`);
    if (res.status >= 400) {
      const json = fmt === 'json';
      assert.is(res.headers.get('content-type'), json ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8', label);
      assert.is(json ? problems('errors', JSON.parse(text)) : xmlProblems('errors', text).problems, '', `${label}: ${text.slice(0, 200)}`);
    }
  }
  assert.is((await db.one('SELECT count(*)::int n FROM appeal')).n, before.n, 'nothing registered without a key');
});

test.run();
