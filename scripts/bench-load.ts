// npm run bench:load [-- --database-url URL] [--rates 100,200,300,400,500] [--step 30] [--instances 1]
// Open-loop load on the running product, as a city's traffic arrives: requests are sent at a fixed
// arrival rate (Poisson arrivals) whether or not earlier ones have been answered, and each latency is
// measured from the moment the request was due — so a slow server shows as latency, not as a slower
// load (no coordinated omission). The mix: vector tiles 40 %, geocoder 25 %, appeal registration 15 %,
// executor lists 20 %, on the demo city. The product runs as its own process (`server/main.ts`), the
// load generator here. For each step: p50/p95/p99 and errors per kind; then the capacity — the highest
// rate at which every kind keeps p95 ≤ 200 ms with no errors.
import { parseArgs } from 'node:util';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { connectForMaintenance } from '../server/db/db.ts';
import { databaseUrl, prepareDatabase } from '../server/db/provision.ts';
import { seedIfEmpty } from '../gis-data/seed-if-empty.ts';
import { lonLatToTile } from '../server/tiles/tile-math.ts';
import { freePort, startProductProcess, type ProductProcess } from '../tests/helpers/product-process.ts';
import { DEMO_PASSWORD } from '../tests/helpers/city.ts';

const { values: a } = parseArgs({ options: {
  'database-url': { type: 'string' },
  rates: { type: 'string', default: '100,200,300,400,500,600' },
  step: { type: 'string', default: '30' },
  instances: { type: 'string', default: '1' },
  warmup: { type: 'string', default: '20' },
  /** Writes a V8 CPU profile of each product process into this folder (open it in Chrome's DevTools). */
  profile: { type: 'string' },
} });
const rates = a.rates!.split(',').map(Number);
const stepSeconds = Number(a.step);
const GOAL_P95_MS = 200;
const MIX = { tile: 0.40, geocode: 0.25, register: 0.15, executor: 0.20 } as const;
type Kind = keyof typeof MIX;
const KINDS = Object.keys(MIX) as Kind[];

// Without --database-url: the project cluster's demo city, copied first so the benchmark's
// registrations do not stay in it (appeal history is append-only: they could not be removed).
let url = a['database-url'] ?? '';
let scratch: string | null = null;
if (!url) {
  const demo = databaseUrl(() => {});
  await prepareDatabase(demo, () => {}, (db) => seedIfEmpty(db, 'default', (m) => console.error(m)));
  const admin = connectForMaintenance(demo.replace(/\/[^/]*$/, '/postgres'), 1);
  scratch = 'misto_bench_load';
  await admin.none('DROP DATABASE IF EXISTS $1:name WITH (FORCE)', [scratch]);
  try {
    await admin.none('CREATE DATABASE $1:name TEMPLATE misto', [scratch]);
    url = demo.replace(/\/[^/]*$/, `/${scratch}`);
  } catch (e) {
    console.error(`(could not copy the demo city — is the product running on it? ${(e as Error).message}; using it directly)`);
    scratch = null;
    url = demo;
  }
  await admin.$pool.end();
}
const db = connectForMaintenance(url, 2);
// A fresh copy is written out and its statistics are current before anything is timed.
await db.none('VACUUM ANALYZE');
await db.none('CHECKPOINT');

// ---- what the traffic asks for, drawn from the data
const residents = await db.map(`SELECT r.id FROM resident r WHERE r.building_id IS NOT NULL ORDER BY random() LIMIT 2000`, [], (r: { id: number }) => r.id);
// Categories the catalogue can always route (a fallback executor), so a registration never needs an override.
const categories = await db.map(`SELECT id FROM category WHERE active AND executor_id IS NOT NULL ORDER BY id`, [], (r: { id: number }) => r.id);
const streets = await db.map(`SELECT name FROM street ORDER BY random() LIMIT 300`, [], (r: { name: string }) => r.name);
const executors = await db.map(`SELECT login FROM app_user WHERE role = 'executor' AND NOT disabled ORDER BY login`, [], (r: { login: string }) => r.login);
const operators = await db.map(`SELECT login FROM app_user WHERE role = 'operator' AND NOT disabled ORDER BY login`, [], (r: { login: string }) => r.login);
const spots = await db.any<{ lon: number; lat: number }>(`SELECT ST_X(centroid) AS lon, ST_Y(centroid) AS lat FROM building ORDER BY random() LIMIT 400`);
// People look at where the buildings are, at the zooms the karta opens at (z13–z17).
const tiles = spots.flatMap((p) => [13, 14, 15, 16, 17].map((z) => { const t = lonLatToTile(p.lon, p.lat, z); return `/maps/karta/${z}/${t.x}/${t.y}.pbf`; }));
const tileSet = [...new Set(tiles)];
await db.$pool.end();
if (!residents.length || !categories.length || !executors.length || !operators.length) throw new Error('the database holds no demo city');

// ---- the product as its own process(es)
const instances: ProductProcess[] = [];
// However this script ends, the product processes it started end with it.
process.on('exit', () => { for (const p of instances) p.child.kill('SIGKILL'); });
for (let i = 0; i < Number(a.instances); i++) {
  instances.push(await startProductProcess(url, await freePort(), {
    LOG_LEVEL: 'warn', SEED_PRESET: 'none', AMI_HOST: 'none',
  }, a.profile ? ['--cpu-prof', `--cpu-prof-dir=${a.profile}`] : []));
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
let turn = 0;
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];

interface Reply { status: number; ms: number }
function request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  const base = new URL(instances[turn++ % instances.length].url);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: base.hostname, port: base.port, method, path, agent, headers: { ...headers, 'accept-encoding': 'gzip, br' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.setTimeout(30_000, () => req.destroy());
    req.end(body);
  });
}

async function signIn(login: string): Promise<string> {
  const res = await fetch(`${instances[0].url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: DEMO_PASSWORD }) });
  if (res.status !== 200) throw new Error(`sign-in of ${login} failed: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}
const operatorCookies = await Promise.all(operators.map(signIn));
const executorCookies = await Promise.all(executors.map(signIn));

const FILTERS = ['', '&overdue=1', '&status=new', '&status=in_progress', '&status=new,in_progress,planned,control', `&q=${encodeURIComponent('вода')}`];
const send: Record<Kind, () => Promise<Reply>> = {
  tile: () => request('GET', pick(tileSet), {}),
  geocode: () => {
    const s = pick(streets);
    const q = `${s.slice(0, 3 + Math.floor(Math.random() * Math.max(1, s.length - 3)))} ${1 + Math.floor(Math.random() * 40)}`;
    return request('GET', `/api/geocode?q=${encodeURIComponent(q)}&limit=8`, {});
  },
  register: () => request('POST', '/api/appeals', {
    cookie: pick(operatorCookies), 'content-type': 'application/json', 'idempotency-key': randomUUID(),
  }, JSON.stringify({ categoryId: pick(categories), residentId: pick(residents), text: 'Навантажувальний тест: тече кран у підвалі' })),
  executor: () => request('GET', `/api/executor/appeals?limit=25&offset=${pick([0, 0, 0, 25, 50])}${pick(FILTERS)}`, { cookie: pick(executorCookies) }),
};

function chooseKind(): Kind {
  let r = Math.random();
  for (const k of KINDS) { r -= MIX[k]; if (r < 0) return k; }
  return 'tile';
}

const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

/** One step: `rate` requests per second for `seconds`, Poisson arrivals; latencies from the due time. */
async function step(rate: number, seconds: number) {
  const lat: Record<Kind, number[]> = { tile: [], geocode: [], register: [], executor: [] };
  const errors: Record<Kind, number> = { tile: 0, geocode: 0, register: 0, executor: 0 };
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  let due = start;
  let sent = 0;
  while (due < end) {
    due += -Math.log(1 - Math.random()) * (1000 / rate);
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const kind = chooseKind();
    const scheduled = due;
    sent++;
    inflight.push(send[kind]().then((r) => {
      const ms = performance.now() - scheduled;
      if (r.status >= 200 && r.status < 400) lat[kind].push(ms); else errors[kind]++;
    }));
  }
  await Promise.all(inflight);
  const wall = (performance.now() - start) / 1000;
  for (const k of KINDS) lat[k].sort((x, y) => x - y);
  return { rate, sent, achieved: sent / wall, lat, errors };
}

console.log(`bench:load on ${new URL(url).pathname.slice(1)} — ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ` +
  `${instances.length} instance(s); ${tileSet.length} tiles, ${streets.length} streets, ${residents.length} residents, ${executors.length} executors; ${stepSeconds} s per step`);
console.log(`mix: ${KINDS.map((k) => `${k} ${MIX[k] * 100} %`).join(', ')}; goal: p95 ≤ ${GOAL_P95_MS} ms for every kind, 0 errors, at ≥ 300 req/s`);
await step(150, Number(a.warmup)); // warm caches, connections and the JIT; not reported

const rows: { rate: number; ok: boolean }[] = [];
console.log(`\n${'rate'.padStart(6)} ${'sent/s'.padStart(7)}  ${KINDS.map((k) => `${k.padEnd(8)} p50/p95/p99 ms   err`).join('  ')}`);
for (const rate of rates) {
  const r = await step(rate, stepSeconds);
  const ok = KINDS.every((k) => r.errors[k] === 0 && pct(r.lat[k], 95) <= GOAL_P95_MS);
  rows.push({ rate, ok });
  const cell = (k: Kind) => `${k.padEnd(8)} ${[50, 95, 99].map((p) => pct(r.lat[k], p).toFixed(0)).join('/').padStart(14)} ${String(r.errors[k]).padStart(5)}`;
  console.log(`${String(rate).padStart(6)} ${r.achieved.toFixed(0).padStart(7)}  ${KINDS.map(cell).join('  ')}  ${ok ? 'ok' : 'over'}`);
  if (!ok && rows.filter((x) => !x.ok).length >= 2) break; // two steps past the knee tell enough
}
let capacity = 0;
for (const r of rows) { if (!r.ok) break; capacity = r.rate; }
console.log(`\ncapacity: ${capacity} req/s (highest step with every kind at p95 ≤ ${GOAL_P95_MS} ms and 0 errors; goal ≥ 300: ${capacity >= 300 ? 'met' : 'NOT met'})`);

for (const p of instances) { p.child.kill('SIGTERM'); await p.exited; }
agent.destroy();
if (scratch) {
  const admin = connectForMaintenance(url.replace(/\/[^/]*$/, '/postgres'), 1);
  await admin.none('DROP DATABASE IF EXISTS $1:name WITH (FORCE)', [scratch]);
  await admin.$pool.end();
} else console.log('(the registrations made by the benchmark stay in the database: their text says "Навантажувальний тест")');
