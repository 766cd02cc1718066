// The fuzz run: over 10,000 random and malformed inputs — tile paths and layer names, TileJSON and
// style URLs, GeoJSON zones, forms and query strings, and AMI frames from a fake PBX over real TCP
// into the product's AMI client — with 0 process crashes (the server answers /api/health after each
// group), 0 answers ≥ 500, and every JSON error carrying a code listed in vocabulary/errors.ts.
//
// The HTTP targets are one table (TARGETS): a name, how many runs, who calls, and a fast-check
// arbitrary of requests. Another endpoint is a few lines:
//   { name: 'open311 requests', runs: 1000, as: null, request: fc.record({ ... }).map((b) => post('/open311/v2/requests.json', b)) },
// Open311 answers its errors in its own format (errors/error{code, description}), checked as such.
// The seed is fixed (FUZZ_SEED overrides it) and printed, so a failure replays exactly.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import net from 'node:net';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { config as baseConfig } from '../../server/config.ts';
import { createApp } from '../../server/app.ts';
import { BlockParser, formatBlock, header, type Headers } from '../../server/telephony/ami-wire.ts';
import { ERROR_CODES } from '../../vocabulary/errors.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
console.log(`fuzz seed: ${SEED} (FUZZ_SEED=${SEED} replays it)`);

interface Req { method: string; path: string; body?: string; type?: string }
const get = (path: string): Req => ({ method: 'GET', path });
const post = (path: string, body: unknown, method = 'POST'): Req => ({ method, path, body: typeof body === 'string' ? body : JSON.stringify(body) ?? 'null', type: 'application/json' });

// Building blocks: numbers people and attackers type, strings with NUL, unicode and path tricks.
const weirdNumber = fc.oneof(
  fc.integer({ min: -5, max: 30 }), fc.integer(), fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 1e308, -0, 2 ** 53 + 1),
);
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', '\u0000', 'a\u0000b', '..', '../../etc/passwd', '%', '%00', '%ff', '%E0%A4%A', '\uD800', 'NaN', '1e999', '-1', '0x10',
    '9'.repeat(400), 'Ω'.repeat(3000), '<script>', "' OR 1=1 --", '{}', '[]', 'null', 'Київ'),
);
const seg = fc.oneof(weirdNumber.map(String), weirdString);
const enc = (s: string) => { try { return encodeURIComponent(s); } catch { return '%ZZ'; } };
const rawSeg = fc.oneof(seg.map(enc), fc.constantFrom('%', '%zz', '%00', '%2F', '..', '.'));
const jsonValue = fc.oneof(fc.jsonValue({ maxDepth: 4 }), weirdNumber, weirdString, fc.constant(null));

const LAYERS = ['karta', 'announcements', 'misto', 'buildings', 'streets', 'appeals'];
const layer = fc.oneof(fc.constantFrom(...LAYERS), rawSeg);
const tiles = fc.oneof(
  fc.tuple(layer, fc.option(layer, { nil: undefined }), rawSeg, rawSeg, rawSeg).map(([m, l, z, x, y]) => get(`/maps/${m}/${l ? l + '/' : ''}${z}/${x}/${y}.pbf`)),
  fc.tuple(layer, fc.integer({ min: -2, max: 40 }), fc.integer({ min: -1, max: 2 ** 31 }), fc.integer({ min: -1, max: 2 ** 31 })).map(([m, z, x, y]) => get(`/maps/${m}/${z}/${x}/${y}.pbf`)),
  fc.tuple(layer, fc.constantFrom('style', 'legend', 'other')).map(([m, d]) => get(`/maps/${m}/${d}.json`)),
  layer.map((m) => get(`/capabilities/${m}.json`)),
  fc.tuple(rawSeg, rawSeg).map(([f, r]) => get(`/fonts/${f}/${r}.pbf`)),
  fc.tuple(rawSeg, rawSeg).map(([a, b]) => get(`/maps/${a}/${b}`)),
);

// GeoJSON: wrong types, NaN/huge/nested coordinates, self-intersections, empty and enormous rings.
const coord = fc.oneof(
  fc.tuple(fc.double({ min: 24.69, max: 24.75, noNaN: true }), fc.double({ min: 48.90, max: 48.94, noNaN: true })),
  fc.tuple(weirdNumber, weirdNumber), fc.array(weirdNumber, { maxLength: 4 }), jsonValue,
);
const ring = fc.array(coord, { maxLength: 12 });
const bowtie = fc.constant([[[24.70, 48.91], [24.72, 48.93], [24.72, 48.91], [24.70, 48.93], [24.70, 48.91]]]);
const nested = fc.integer({ min: 1, max: 60 }).map((d) => { let v: unknown = [24.7, 48.92]; for (let i = 0; i < d; i++) v = [v]; return v; });
const geometry = fc.oneof(
  fc.record({ type: fc.constantFrom('Polygon', 'MultiPolygon', 'LineString', 'Point', 'GeometryCollection', 'polygon', ''), coordinates: fc.oneof(fc.array(ring, { maxLength: 3 }), bowtie, nested, jsonValue) }),
  fc.record({ type: weirdString, coordinates: jsonValue }),
  jsonValue,
);
const zone = fc.oneof(
  fc.record({ source: fc.constant('polygon'), geometry }),
  fc.record({ source: fc.constant('line'), geometry, widthM: weirdNumber }),
  fc.record({ source: fc.constant('buildings'), buildingIds: fc.oneof(fc.array(weirdNumber, { maxLength: 5 }), jsonValue) }),
  fc.record({ source: weirdString, geometry }), jsonValue,
);
const when = fc.oneof(fc.constantFrom('2026-11-20T10:00:00Z', '2026-11-21T10:00:00+02:00'), weirdString, weirdNumber);
const zones = fc.oneof(
  fc.record({ zone, limit: fc.option(weirdNumber) }).map((b) => post('/api/announcements/preview', b)),
  fc.record({ kind: fc.oneof(fc.constant('outage'), weirdString), utility: fc.oneof(fc.constant('cold_water'), weirdString), title: weirdString,
    startsAt: when, endsAt: when, zone }).map((b) => post('/api/announcements', b)),
  zone.map((z) => post('/api/announcements/preview', { zone: z })),
);

const forms = fc.oneof(
  fc.record({ categoryId: fc.oneof(fc.constant(CITY.noWater), weirdNumber, weirdString), buildingId: fc.oneof(fc.constant(CITY.buildingCentre), weirdNumber, jsonValue),
    text: fc.oneof(weirdString, jsonValue), callerPhone: fc.oneof(weirdString, weirdNumber), point: fc.oneof(coord, jsonValue), callId: fc.oneof(weirdNumber, weirdString) },
    { requiredKeys: [] }).map((b) => post('/api/appeals', b)),
  fc.record({ login: fc.oneof(weirdString, jsonValue), password: fc.oneof(weirdString, jsonValue) }, { requiredKeys: [] }).map((b) => post('/api/auth/login', b)),
  fc.record({ email: fc.oneof(weirdString, jsonValue), locale: weirdString, buildingId: weirdNumber, utilities: jsonValue }, { requiredKeys: [] }).map((b) => post('/api/announcements/subscriptions', b)),
  seg.map((p) => get(`/api/residents/lookup?phone=${enc(p)}`)),
  seg.map((p) => get(`/api/residents/card?phone=${enc(p)}`)),
  fc.tuple(fc.constantFrom('/api/appeals/', '/api/residents/', '/api/buildings/', '/api/objects/', '/api/announcements/', '/api/calls/', '/api/executors/'), rawSeg).map(([p, s]) => get(p + s)),
  fc.tuple(fc.constantFrom('/api/geocode?q=', '/api/announcements?at=', '/api/stats/calls?from=', '/api/executor/appeals?status=', '/api/announcements/subscriptions/confirm?token=', '/api/admin/audit?from='), rawSeg).map(([p, s]) => get(p + s)),
  fc.tuple(fc.constantFrom('/api/appeals', '/api/auth/login', '/api/announcements/preview'), fc.oneof(weirdString, fc.constantFrom('{', '{"a":', '[1,2', '\u0000', '{"__proto__":{"x":1}}', '['.repeat(5000)))).map(([p, b]) => post(p, b)),
  fc.tuple(rawSeg, weirdString).map(([id, answer]) => post(`/api/appeals/${id}`, { status: answer, answer }, 'PATCH')),
);

// Open311 GeoReport v2: every resource in both formats with weird arguments, and service requests
// posted as forms and as JSON — with the valid key of the run, a wrong one, or none.
let apiKey = '';
const form = (o: Record<string, unknown>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])).toString();
const format = fc.constantFrom('json', 'xml', 'html', '');
const O311_ARGS = ['service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'page', 'page_size', 'jurisdiction_id', 'lang', 'updated_after'];
const open311 = fc.oneof(
  fc.tuple(fc.constantFrom('discovery', 'services', 'requests', 'servicerequestupdates', 'services/roof_leak', 'requests/1', 'tokens/x'), format,
    fc.array(fc.tuple(fc.constantFrom(...O311_ARGS), seg), { maxLength: 4 }))
    .map(([r, f, args]) => get(`/open311/v2/${r}${f ? '.' + f : ''}?${args.map(([k, v]) => `${k}=${enc(v)}`).join('&')}`)),
  fc.tuple(fc.constantFrom('requests', 'services', 'tokens'), rawSeg, format).map(([r, id, f]) => get(`/open311/v2/${r}/${id}${f ? '.' + f : ''}`)),
  fc.tuple(
    fc.record({
      api_key: fc.oneof(fc.constant(null).map(() => apiKey), weirdString), service_code: fc.oneof(fc.constantFrom('roof_leak', 'garbage', 'no_water'), weirdString),
      lat: fc.oneof(fc.constant(48.9205), weirdNumber, weirdString), long: fc.oneof(fc.constant(24.7105), weirdNumber, weirdString),
      address_string: weirdString, address_id: fc.oneof(fc.constant(CITY.buildingCentre), weirdNumber, weirdString),
      description: fc.oneof(weirdString, fc.constant('Тече дах над під’їздом')), email: weirdString, phone: fc.oneof(weirdString, weirdNumber),
      first_name: weirdString, 'attribute[apartment]': weirdString, 'attribute[object_id]': fc.oneof(weirdNumber, weirdString), media_url: weirdString,
      jurisdiction_id: weirdString,
    }, { requiredKeys: [] }),
    fc.constantFrom('json', 'xml'), fc.boolean(),
  ).map(([b, f, asJson]): Req => (asJson
    ? post(`/open311/v2/requests.${f}`, b)
    : { method: 'POST', path: `/open311/v2/requests.${f}`, body: form(b), type: 'application/x-www-form-urlencoded' })),
);

// The web intake: its multipart form with weird fields, parts and boundaries, the duplicate search, the private link.
const part = (name: string, value: string, file?: { filename: string; type: string }) =>
  `--FUZZ\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file.filename}"\r\nContent-Type: ${file.type}` : ''}\r\n\r\n${value}\r\n`;
const intake = fc.oneof(
  fc.record({
    requestId: fc.oneof(fc.uuid(), weirdString), categoryId: fc.oneof(fc.constant(String(CITY.roofLeak)), seg), text: fc.oneof(fc.constant('Тече дах над під’їздом'), weirdString),
    lon: seg, lat: seg, infraObjectId: seg, name: weirdString, email: fc.oneof(fc.constant('r@example.com'), weirdString), phone: seg,
  }, { requiredKeys: [] }).chain((f) => fc.tuple(fc.constant(f), fc.option(fc.tuple(weirdString, fc.constantFrom('image/jpeg', 'image/png', 'text/plain', ''), fc.string({ unit: 'binary', maxLength: 300 })), { nil: undefined })))
    .map(([f, photo]): Req => ({
      method: 'POST', path: '/api/report', type: 'multipart/form-data; boundary=FUZZ',
      body: Object.entries(f).map(([k, v]) => part(k, String(v))).join('') + (photo ? part('photo', photo[2], { filename: photo[0].replace(/["\r\n]/g, ''), type: photo[1] }) : '') + '--FUZZ--\r\n',
    })),
  fc.tuple(fc.string({ unit: 'binary', maxLength: 400 }), fc.constantFrom('multipart/form-data; boundary=FUZZ', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/json')).map(([b, type]): Req => ({ method: 'POST', path: '/api/report', body: b, type })),
  fc.tuple(seg, seg, seg).map(([c, x, y]) => get(`/api/report/nearby?categoryId=${enc(c)}&lon=${enc(x)}&lat=${enc(y)}`)),
  rawSeg.map((t) => get(`/api/report/track/${t}`)),
  fc.tuple(rawSeg, jsonValue).map(([t, b]) => post(`/api/report/track/${t}/confirmation`, b)),
);

/** The targets: name, runs, who calls (a login; null: anonymous), the requests. */
const TARGETS: { name: string; runs: number; as: string | null; request: fc.Arbitrary<Req> }[] = [
  { name: 'tiles, TileJSON and styles', runs: 2500, as: null, request: tiles },
  { name: 'GeoJSON zones', runs: 2000, as: 'vodokanal', request: zones },
  { name: 'forms as an operator', runs: 2000, as: 'operator1', request: forms },
  { name: 'forms anonymously', runs: 1000, as: null, request: forms },
  { name: 'forms as an admin', runs: 500, as: 'admin1', request: forms },
  { name: 'Open311 GeoReport v2', runs: 1500, as: null, request: open311 },
  { name: 'the web intake', runs: 1000, as: null, request: intake },
];
const AMI_FRAMES = 2500;

const KNOWN = new Set<string>(ERROR_CODES);
let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;
let services: ReturnType<typeof testServices>;
let pbx: Awaited<ReturnType<typeof fakePbx>>;
let total = 0;
const sessions = new Map<string, ReturnType<typeof client>>();

test.before(async () => {
  ({ db } = await migratedDb('sec_fuzz'));
  await seedCity(db);
  pbx = await fakePbx();
  services = testServices(db, {
    ami: { ...baseConfig.ami, host: '127.0.0.1', port: pbx.port, user: 'misto', secret: 'misto' },
    // The key's rate limit would answer most of the fuzz with 429 before it reaches the parsing.
    open311: { ...baseConfig.open311, ratePerMinute: 1_000_000 },
    intake: { ...baseConfig.intake, perEmail: { max: 1_000_000, windowS: 60 }, perClient: { max: 1_000_000, windowS: 60 } },
  });
  srv = await serve(createApp(services));
  apiKey = (await services.apiKeys.issue('fuzz', null)).key;
  // Signed in before the login form is fuzzed: its throttle then holds this address back.
  for (const login of new Set(TARGETS.flatMap((t) => (t.as ? [t.as] : [])).concat('operator1'))) {
    const c = client(srv.url);
    assert.is((await c.signIn(login, PASSWORD)).status, 200, login);
    sessions.set(login, c);
  }
});
test.after(async () => {
  await services.telephony.stop();
  await srv.close();
  await pbx.close();
  console.log(`fuzz: ${total} inputs in all`);
});

const healthy = async () => {
  const res = await fetch(`${srv.url}/api/health`);
  assert.is(res.status, 200, 'the server still answers /api/health');
};

for (const t of TARGETS) {
  test(`fuzz: ${t.name} (${t.runs} inputs): no 5xx, stable error codes`, async () => {
    const c = t.as ? sessions.get(t.as)! : client(srv.url);
    await fc.assert(fc.asyncProperty(t.request, async (r) => {
      total++;
      let res: Response;
      try {
        res = await c.fetch(r.path, { method: r.method, ...(r.body !== undefined ? { body: r.body, headers: { 'content-type': r.type ?? 'application/json' } } : {}) });
      } catch (e) {
        // fetch itself refuses some URLs (it never reached the server): not the product's fault.
        if (e instanceof TypeError && !/fetch failed/.test(e.message)) return;
        throw e;
      }
      const text = await res.text();
      if (res.status >= 500) throw new Error(`${r.method} ${r.path} → ${res.status}: ${text.slice(0, 300)}`);
      if (res.status >= 400 && r.path.startsWith('/open311/') && (res.headers.get('content-type') ?? '').includes('json')) {
        const errors = JSON.parse(text) as { code?: unknown; description?: unknown }[];
        if (!Array.isArray(errors) || !errors.length || !errors.every((e) => String(e.code) === String(res.status) && typeof e.description === 'string')) {
          throw new Error(`${r.method} ${r.path} → ${res.status} not as Open311 errors: ${text.slice(0, 300)}`);
        }
      } else if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json')) {
        const code = (JSON.parse(text) as { error?: string }).error;
        if (!code || !KNOWN.has(code)) throw new Error(`${r.method} ${r.path} → ${res.status} with code ${code}, not in vocabulary/errors.ts`);
      }
    }), { numRuns: t.runs, seed: SEED, endOnFailure: true });
    await healthy();
  });
}

// AMI: a fake PBX that logs the product in, then sends random, malformed, oversized and out-of-order frames.
const amiValue = fc.oneof(weirdString.map((s) => s.replace(/[\r\n]/g, ' ')), weirdNumber.map(String), fc.constantFrom('PJSIP/101-00000001', '1796164887.5', '+380501112233', 'Up', 'Ringing', '6', 'Success'));
const EVENTS = ['Newchannel', 'Newstate', 'Hangup', 'DialBegin', 'DialEnd', 'AgentCalled', 'AgentConnect', 'AgentComplete', 'QueueCallerJoin', 'QueueCallerLeave', 'BridgeEnter', 'BridgeLeave', 'VarSet', 'QueueMemberStatus', 'MixMonitorStart', 'Cdr', 'FullyBooted', 'Shutdown'];
const HEADER_NAMES = ['Channel', 'Uniqueid', 'Linkedid', 'CallerIDNum', 'ChannelState', 'Queue', 'Interface', 'MemberName', 'DestChannel', 'DestUniqueid', 'Cause', 'Position', 'Status', 'Variable', 'Value', 'ActionID', 'Response', 'EventList'];
const amiFrame = fc.oneof(
  fc.tuple(fc.constantFrom(...EVENTS), fc.array(fc.tuple(fc.constantFrom(...HEADER_NAMES), amiValue), { maxLength: 12 })).map(([e, hs]) => formatBlock([['Event', e], ...hs] as Headers)),
  fc.array(fc.tuple(weirdString.map((s) => s.replace(/[\r\n:]/g, '') || 'X'), amiValue), { maxLength: 6 }).map((hs) => formatBlock(hs as Headers)),
  fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('\r\n\r\n', 'Event\r\n\r\n', ':\r\n\r\n', 'Response: Follows\r\n', '--END COMMAND--\r\n\r\n', 'Event: Hangup\r\nUniqueid: ' + '9'.repeat(70_000) + '\r\n\r\n')),
  fc.integer({ min: 1, max: 200 }).map((n) => formatBlock([['Event', 'VarSet'], ...Array.from({ length: n }, (_, i) => [`H${i}`, 'x'.repeat(50)] as [string, string])])),
);

async function fakePbx() {
  const sockets = new Set<net.Socket>();
  let logged: ((s: net.Socket) => void) | null = null;
  const loggedIn = new Promise<net.Socket>((r) => { logged = r; });
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write('Asterisk Call Manager/11.0.0\r\n');
    const parser = new BlockParser();
    socket.on('data', (chunk) => {
      for (const h of parser.push(chunk.toString('utf8'))) {
        const action = header(h, 'Action');
        const id = header(h, 'ActionID') ?? '';
        if (!action) continue;
        if (/^(CoreShowChannels|QueueStatus)$/i.test(action)) {
          socket.write(formatBlock([['Response', 'Success'], ['ActionID', id], ['EventList', 'start'], ['Message', 'Will follow']]));
          socket.write(formatBlock([['Event', `${action}Complete`], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '0']]));
        } else {
          socket.write(formatBlock([['Response', action.toLowerCase() === 'ping' ? 'Success' : 'Success'], ['ActionID', id], ['Message', action.toLowerCase() === 'login' ? 'Authentication accepted' : 'OK'], ...(action.toLowerCase() === 'ping' ? [['Ping', 'Pong']] as Headers : [])]));
          if (action.toLowerCase() === 'login') logged?.(socket);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    loggedIn,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

test(`fuzz: ${AMI_FRAMES} AMI frames from a fake PBX over TCP: the product keeps running and answering`, async () => {
  await services.telephony.start({ log: () => {} });
  const socket = await pbx.loggedIn;
  const frames = fc.sample(amiFrame, { numRuns: AMI_FRAMES, seed: SEED });
  // Out of order and in odd chunks: frames are shuffled by the generator and cut at random places.
  const cuts = fc.sample(fc.integer({ min: 1, max: 4096 }), { numRuns: AMI_FRAMES, seed: SEED + 1 });
  let buffer = frames.join('');
  let i = 0;
  while (buffer.length && !socket.destroyed) {
    const n = cuts[i++ % cuts.length];
    socket.write(buffer.slice(0, n));
    buffer = buffer.slice(n);
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  total += frames.length;
  await new Promise((r) => setTimeout(r, 300));
  await healthy();
  assert.is((await fetch(`${srv.url}/api/telephony/status`)).status, 401);
  const op = sessions.get('operator1')!;
  const status = await op.get('/api/telephony/status');
  assert.is(status.status, 200);
});

test('in all, at least 10,000 inputs', () => {
  assert.ok(total >= 10_000, `${total}`);
});

test.run();
