// What a city's IT team watches: Prometheus metrics (protected), and JSON log lines with a request
// id on each, carrying no personal data even when requests do.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import { createLogger } from '../../server/observe/log.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let db: Db;
const lines: string[] = [];
let srv: Awaited<ReturnType<typeof serve>>;

test.before(async () => {
  ({ db } = await migratedDb('observe'));
  await seedCity(db);
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => lines.push(l) } });
  srv = await serve(createApp(testServices(db), { logger }));
});
test.after(() => srv?.close());

test('GET /metrics from this machine: request latency by route, tiles, pool, PBX link, outbox, jobs', async () => {
  await fetch(`${srv.url}/api/health`);
  await fetch(`${srv.url}/api/appeals/12`); // 401, by its route pattern
  const res = await fetch(`${srv.url}/metrics`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type')!, /text\/plain/);
  const text = await res.text();
  assert.match(text, /misto_http_request_duration_seconds_count\{method="GET",route="\/api\/health",status="200"\} 1/);
  assert.match(text, /misto_http_request_duration_seconds_count\{method="GET",route="\/api\/appeals\/:id",status="401"\} 1/);
  for (const name of ['misto_tile_cache_hits_total', 'misto_tile_cache_bytes', 'misto_db_pool_max 10', 'misto_ami_connected 0',
    'misto_ami_reconnects_total', 'misto_calls_active 0', 'misto_calls_ended_total{outcome="lost"} 0', 'misto_mail_sent_total', 'misto_process_cpu_seconds_total', 'misto_nodejs_eventloop_lag_seconds']) {
    assert.ok(text.includes(name), name);
  }
});

test('with METRICS_TOKEN, /metrics needs the bearer token', async () => {
  const guarded = await serve(createApp(testServices(db, { metricsToken: 's3cret-token' })));
  try {
    assert.is((await fetch(`${guarded.url}/metrics`)).status, 401);
    assert.is((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.is((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } })).status, 200);
  } finally { await guarded.close(); }
});

test('every request is one JSON line with its request id; phones, names and query strings stay out', async () => {
  lines.length = 0;
  const op = client(srv.url);
  await op.signIn('operator1', PASSWORD);
  const lookup = await op.get('/api/residents/lookup?phone=0501112233');
  assert.is(lookup.status, 200);
  const id = lookup.headers.get('x-request-id');
  assert.match(id!, /^[0-9a-f-]{36}$/);
  await op.get(`/api/geocode?q=${encodeURIComponent('Коваленко Олена')}`);
  await op.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: CITY.resident, phone: '+380501112233', text: 'Коваленко Олена: тече дах' });
  // A refusal's line names its stable code, so an operator reading the log knows which it was.
  await op.get('/api/appeals/0');
  assert.ok(lines.length >= 5);
  const parsed = lines.map((l) => JSON.parse(l));
  const refused = parsed.find((l) => l.path === '/api/appeals/0');
  assert.equal([refused?.status, refused?.code], [400, 'too_small']);
  assert.ok(parsed.every((l) => typeof l.level === 'string' && typeof l.time === 'string'));
  const mine = parsed.find((l) => l.requestId === id);
  assert.ok(mine, 'the line of the lookup carries its request id');
  assert.is(mine.route, '/api/residents/lookup');
  assert.is(mine.status, 200);
  const all = lines.join('\n');
  for (const secret of ['0501112233', '501112233', 'Коваленко', PASSWORD, 'phone=']) assert.not.ok(all.includes(secret), secret);
  // A phone that slips into a message is masked.
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => lines.push(l) } });
  logger.info('call from +380501112233 ended');
  assert.match(lines.at(-1)!, /call from \+380•+33 ended/);
});

test('a request id from the proxy in front is kept only when the proxy is trusted', async () => {
  const trusted = await serve(createApp(testServices(db, { trustProxy: true })));
  try {
    const r = await fetch(`${trusted.url}/api/health`, { headers: { 'x-request-id': 'nginx-0123456789abcdef' } });
    assert.is(r.headers.get('x-request-id'), 'nginx-0123456789abcdef');
  } finally { await trusted.close(); }
  const r = await fetch(`${srv.url}/api/health`, { headers: { 'x-request-id': 'nginx-0123456789abcdef' } });
  assert.is.not(r.headers.get('x-request-id'), 'nginx-0123456789abcdef');
});

test.run();
