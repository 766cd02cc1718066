// npm run bench:screenpop [-- --database-url URL] [--slow-writes-ms 50] [--skip-slow] [--skip-restart]
// Screen-pop latency: from the AMI event leaving the PBX simulator to the pop arriving in the
// operator's SSE client, at 50 calls per second for 60 s, on the Kyiv preset (`misto_kyiv`,
// 3,000,000 phones) and the demo city (`misto`). Goal: ringing p99 ≤ 20 ms, measured from the
// AgentCalled that rings the operator and from the caller channel's first event (its Newchannel).
//
// Each database is run twice: as it is, and with every call-log write (INSERT/UPDATE on `call`)
// slowed by a trigger that sleeps `--slow-writes-ms` (a disk busy writing back, on purpose): pops
// must not wait behind writes. The trigger exists only while the bench runs and is dropped after.
// Then the PBX is restarted (`core stop now`, 2 s down) and killed (-9, 2 s down): the time from its
// port answering again to the product logged in, and to the first pop of a new call.
//
// Layout: this process runs the simulator (it timestamps each event as it hands it to the socket)
// and the operators' SSE clients (they timestamp each pop as it is parsed) on one clock; the product
// (the real API + telephony service over the real AMI client) runs in a child process, as in
// production. Calls are queued calls from residents' numbers (10 % unknown numbers), round-robin over
// a few operators, ringing 300 ms and talking 1.5 s, so ~90 calls are in progress at any moment.
//
// The databases are treated as read-only: the bench adds its operators and removes them, its calls
// and their rows afterwards. It refuses a database whose call log has calls still open (the
// product's reconciliation would close them).
//
// `--database-url` benches that database only; otherwise BENCH_DBS (default misto_kyiv,misto: names
// on the project's cluster, or postgres:// URLs). BENCH_RATE (50), BENCH_SECONDS (60),
// BENCH_OPERATORS (5).
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { config, projectCluster } from '../server/config.ts';
import { clusterUrl } from '../server/db/cluster.ts';
import { connect, connectForMaintenance, type Db } from '../server/db/db.ts';
import { hashPassword } from '../server/auth/passwords.ts';
import { AmiSimulator } from '../server/telephony/simulator/ami-simulator.ts';
import { readEventStream } from '../tests/helpers/event-stream.ts';

const AMI_PORT = Number(process.env.BENCH_AMI_PORT ?? 5150);
const HTTP_PORT = Number(process.env.BENCH_HTTP_PORT ?? 3550);
const SECRET = 'bench-secret';

// ----------------------------------------------------------------------------- child: the product
if (process.argv.includes('--serve')) {
  const { createServices } = await import('../server/services.ts');
  const { createApp } = await import('../server/app.ts');
  const db = connect(process.env.BENCH_DATABASE_URL!, 20);
  const services = createServices(db, {
    ...config, recordingsDir: mkdtempSync(join(tmpdir(), 'misto-bench-rec-')),
    ami: { ...config.ami, host: '127.0.0.1', port: AMI_PORT, user: 'misto', secret: SECRET, record: 'off' },
  });
  await services.telephony.start({ log: (m) => { if (!/reconciled|connected/.test(m)) console.error(`[product] ${m}`); } });
  const server = createApp(services).listen(HTTP_PORT, '127.0.0.1', () => process.send?.('ready'));
  let cpu = process.cpuUsage();
  process.on('message', async (m) => {
    if (m === 'measure') { cpu = process.cpuUsage(); return; }
    if (m === 'cpu') { const d = process.cpuUsage(cpu); process.send?.({ cpuMs: (d.user + d.system) / 1000 }); return; }
    if (m !== 'stop') return;
    server.closeAllConnections();
    server.close();
    await services.telephony.stop();
    await db.$pool.end();
    process.exit(0);
  });
  await new Promise(() => {});
}

// ----------------------------------------------------------------------------- parent: the bench
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const OPERATORS = Number(process.env.BENCH_OPERATORS ?? 5);
const WARMUP_SECONDS = 5;
const { values: args } = parseArgs({ options: {
  'database-url': { type: 'string' },
  'slow-writes-ms': { type: 'string', default: '50' },
  'skip-slow': { type: 'boolean', default: false },
  'skip-restart': { type: 'boolean', default: false },
} });
const dbs = args['database-url'] ? [args['database-url']] : (process.env.BENCH_DBS ?? 'misto_kyiv,misto').split(',').filter(Boolean);
const SLOW_MS = Number(args['slow-writes-ms']);
if (!(SLOW_MS >= 0)) throw new Error('--slow-writes-ms: a number of milliseconds');
const SLOW_TRIGGER = 'misto_bench_slow_call_write';
const PASSWORD = 'bench-password-1580';

const pct = (xs: number[], p: number) => { if (!xs.length) return NaN; const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const f = (n: number) => Number.isFinite(n) ? n.toFixed(2).padStart(7) : '      –';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sseClient(url: string, cookie: string, onPop: (pop: { uniqueid: string; type: string }, at: number) => void) {
  const ctrl = new AbortController();
  const res = await fetch(`${url}/api/desk/events`, { headers: { cookie }, signal: ctrl.signal });
  if (res.status !== 200) throw new Error(`SSE ${res.status}`);
  void readEventStream(res.body!, (event, data, at) => { if (event === 'call') onPop(JSON.parse(data), at); });
  return () => ctrl.abort();
}

interface Phase { sent: Map<string, number>; first: Map<string, number>; received: Map<string, number>; measured: Set<string> }

async function run(target: string) {
  const url = /^postgres(ql)?:\/\//.test(target) ? target : clusterUrl(projectCluster(target));
  const name = url.replace(/^.*\//, '').replace(/\?.*$/, '');
  // Its own statements have no timeout: removing its operators afterwards checks every history row
  // that could name them (20 million on the Kyiv preset).
  const db: Db = connectForMaintenance(url, 4);
  const logins = Array.from({ length: OPERATORS }, (_, i) => `bench-pop-${i + 1}`);
  const uniqueids: string[] = [];
  let child: ReturnType<typeof spawn> | null = null;
  let sim: AmiSimulator | null = null;
  try {
    const phones = await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM resident_phone`).catch(() => null);
    if (!phones?.n) { console.log(`\n${name}: no residents' phones (database missing or not seeded) — skipped`); return; }
    const hasOutcome = await db.oneOrNone(`SELECT 1 FROM information_schema.columns WHERE table_name = 'call' AND column_name = 'outcome'`);
    if (!hasOutcome) { console.log(`\n${name}: the call log's migrations are not applied (npm run migrate) — skipped`); return; }
    const open = await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM call WHERE hungup_at IS NULL`);
    if (open.n) { console.log(`\n${name}: ${open.n} calls are open in its log; the product would close them on connect — skipped (read-only)`); return; }
    await dropSlowWrites(db);

    // Known numbers spread over the whole table, plus unknown ones.
    const perPhase = RATE * (SECONDS + WARMUP_SECONDS);
    const total = perPhase * 2 + 10;
    const pct0 = Math.min(100, Math.max(0.01, (total * 3 * 100) / phones.n));
    const known = await db.map(`SELECT phone FROM resident_phone TABLESAMPLE SYSTEM ($1) LIMIT $2`, [pct0, total], (r: { phone: string }) => r.phone);
    const numbers = Array.from({ length: total }, (_, i) => i % 10 === 9 || !known.length
      ? `+38099${String(1_000_000 + i).padStart(7, '0')}` : known[i % known.length]);

    const hash = await hashPassword(PASSWORD);
    for (const [i, login] of logins.entries()) {
      await db.none(`INSERT INTO app_user (login, full_name, role, sip_interface, password_hash) VALUES ($1, $2, 'operator', $3, $4)
        ON CONFLICT (login) DO UPDATE SET sip_interface = EXCLUDED.sip_interface, password_hash = EXCLUDED.password_hash`,
        [login, `Bench operator ${i + 1}`, `PJSIP/bench${i + 1}`, hash]);
    }

    // A call is known by its Linkedid (the trunk channel, or the ;1 half of a Local pair); the queue
    // events of a Local call are on its ;2 half and carry the Linkedid.
    let phase: Phase = newPhase();
    let logins0 = 0;
    sim = new AmiSimulator({
      users: { misto: SECRET }, recordingsDir: null, dialplanRecording: false,
      queueMembers: logins.map((_, i) => `PJSIP/bench${i + 1}`),
      onSend: (event, h, at) => {
        const get = (k: string) => h.find(([key]) => key === k)?.[1] ?? '';
        if (event === 'AgentCalled') phase.sent.set(`${get('Linkedid')}|ringing`, at);
        else if (event === 'AgentConnect') phase.sent.set(`${get('Linkedid')}|answered`, at);
        else if (event === 'Hangup' && get('Uniqueid') === get('Linkedid')) phase.sent.set(`${get('Uniqueid')}|ended`, at);
        else if (event === 'Newchannel') {
          uniqueids.push(get('Uniqueid'));
          if (get('Uniqueid') === get('Linkedid')) phase.first.set(get('Uniqueid'), at);
        }
      },
    });
    await sim.start(AMI_PORT, '127.0.0.1');

    // BENCH_PROFILE=dir writes a CPU profile of the product process there.
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    child = spawn(process.execPath, [...profile, '--import', 'tsx', import.meta.filename, '--serve'], {
      env: { LOG_LEVEL: 'warn', ...process.env, BENCH_DATABASE_URL: url }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child!.once('message', () => resolve());
      child!.once('exit', (code) => reject(new Error(`product exited (${code})`)));
    });
    const base = `http://127.0.0.1:${HTTP_PORT}`;
    for (let i = 0; i < 100 && sim.connectedSessions === 0; i++) await sleep(50);
    const pbx = sim;

    const closers: (() => void)[] = [];
    for (const login of logins) {
      const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: PASSWORD }) });
      const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('misto_session='));
      if (!cookie) throw new Error(`sign-in of ${login} failed (${res.status})`);
      closers.push(await sseClient(base, cookie, (pop, at) => {
        const k = `${pop.uniqueid}|${pop.type}`;
        if (!phase.received.has(k)) phase.received.set(k, at);
      }));
    }
    await sleep(300);
    console.log(`\n${name}: ${phones.n.toLocaleString('en')} phones; ${RATE} calls/s for ${SECONDS} s (+${WARMUP_SECONDS} s warm-up), ${OPERATORS} operators, 10 % unknown numbers`);

    let next = 0;
    const call = (i: number) => pbx.scriptedCall({ phone: numbers[next++ % numbers.length], local: i % 2 === 0, iface: `PJSIP/bench${(i % OPERATORS) + 1}`, ringMs: 300, talkMs: 1500 });

    const load = async (label: string) => {
      phase = newPhase();
      const writes0 = await callWrites(db);
      child!.send('measure');
      const started = performance.now();
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < perPhase; i++) {
        const due = started + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        calls.push(call(i).then((c) => { if (i >= RATE * WARMUP_SECONDS) phase.measured.add(c.uniqueid); }));
      }
      const driftMs = performance.now() - started - ((perPhase - 1) * 1000) / RATE;
      await Promise.all(calls);
      await sleep(2000);
      const cpuMs = await new Promise<number>((resolve) => { child!.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs)); child!.send('cpu'); });
      const writes = (await callWrites(db)) - writes0;
      const ringingP99 = report(label, phase);
      console.log(`    call-log writes ≈ ${(writes / perPhase).toFixed(1)} per call (${Math.round(writes / ((performance.now() - started) / 1000))}/s); product CPU ${(cpuMs / perPhase).toFixed(2)} ms per call, ${((cpuMs / (performance.now() - started)) * 100).toFixed(0)} % of one core; load average ${(await import('node:os')).loadavg()[0].toFixed(1)}; load generator lag ${driftMs.toFixed(1)} ms`);
      console.log(`    goal ringing p99 ≤ 20 ms: ${ringingP99 <= 20 ? 'met' : 'NOT met'} (ratio ${(ringingP99 / 20).toFixed(2)})`);
    };

    await load('as it is');
    if (!args['skip-slow']) {
      await slowWrites(db, SLOW_MS);
      try { await load(`every call-log write slowed by ${SLOW_MS} ms`); } finally { await dropSlowWrites(db); }
      // The product catches up on the delayed writes before the next measurement.
      await sleep(3000);
    }

    if (!args['skip-restart']) {
      console.log('  PBX restart      back up → logged in   back up → first pop of a new call');
      for (const how of ['core stop now', 'kill -9'] as const) {
        logins0 = pbx.stats.logins;
        const opened = how === 'kill -9'
          ? await (async () => { await pbx.kill(); await sleep(2000); await pbx.start(); return performance.now(); })()
          : await (async () => { await pbx.restart({ downMs: 2000 }); return performance.now(); })();
        while (pbx.stats.logins === logins0 && performance.now() - opened < 30_000) await sleep(1);
        const loggedIn = performance.now() - opened;
        // The first call after the restart: the product must have its queue members and operators back.
        phase = newPhase();
        const c = await pbx.scriptedCall({ phone: numbers[next++ % numbers.length], local: true, iface: 'PJSIP/bench1', ringMs: 300, talkMs: 100 });
        await sleep(300);
        const popped = phase.received.get(`${c.uniqueid}|ringing`);
        console.log(`  ${how.padEnd(15)}  ${f(loggedIn)} ms            ${popped === undefined ? 'no pop' : `${f(popped - opened)} ms`}`);
      }
    }
    for (const c of closers) c();
  } finally {
    if (child && child.exitCode === null) {
      child.send('stop');
      await new Promise((r) => { child!.once('exit', r); setTimeout(r, 5000); });
      if (child.exitCode === null) child.kill();
    }
    await sim?.stop();
    await dropSlowWrites(db).catch(() => {});
    // Leave the database as it was.
    if (uniqueids.length) {
      for (let i = 0; i < uniqueids.length; i += 1000) await db.none(`DELETE FROM call WHERE uniqueid = ANY($1::text[])`, [uniqueids.slice(i, i + 1000)]);
    }
    await db.none(`DELETE FROM call WHERE operator_id IN (SELECT id FROM app_user WHERE login LIKE 'bench-pop-%')`).catch(() => {});
    await db.none(`DELETE FROM app_user WHERE login LIKE 'bench-pop-%'`).catch(() => {});
    await db.$pool.end();
  }
}

function newPhase(): Phase { return { sent: new Map(), first: new Map(), received: new Map(), measured: new Set() }; }

/** Prints the phase's latencies; returns the ringing p99 from AgentCalled. */
function report(label: string, p: Phase) {
  console.log(`  ${label}`);
  console.log('    pop                      count   missing   p50 ms   p90 ms   p99 ms   max ms');
  let ringingP99 = NaN;
  const row = (what: string, from: (u: string) => number | undefined, type: string) => {
    const lat: number[] = [];
    let missing = 0;
    for (const u of p.measured) {
      const s = from(u), r = p.received.get(`${u}|${type}`);
      if (s === undefined) continue;
      if (r === undefined) { missing++; continue; }
      lat.push(r - s);
    }
    console.log(`    ${what.padEnd(23)} ${String(lat.length).padStart(6)}  ${String(missing).padStart(8)}  ${f(pct(lat, 50))}  ${f(pct(lat, 90))}  ${f(pct(lat, 99))}  ${f(Math.max(...lat))}`);
    return pct(lat, 99);
  };
  ringingP99 = row('ringing (AgentCalled)', (u) => p.sent.get(`${u}|ringing`), 'ringing');
  row('ringing (first event)', (u) => p.sent.has(`${u}|ringing`) ? p.first.get(u) : undefined, 'ringing');
  row('answered', (u) => p.sent.get(`${u}|answered`), 'answered');
  row('ended', (u) => p.sent.get(`${u}|ended`), 'ended');
  return ringingP99;
}

/** Rows inserted and updated in the call log so far (the statistics collector's count). */
async function callWrites(db: Db) {
  await db.any(`SELECT pg_stat_clear_snapshot()`);
  const r = await db.one<{ n: string }>(`SELECT n_tup_ins + n_tup_upd AS n FROM pg_stat_user_tables WHERE relname = 'call'`);
  return Number(r.n);
}

/** A busy disk, on purpose: every INSERT and UPDATE of a call-log row sleeps `ms` first. */
async function slowWrites(db: Db, ms: number) {
  await db.none(`CREATE OR REPLACE FUNCTION ${SLOW_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(${ms / 1000}); RETURN NEW; END $$`);
  await db.none(`CREATE TRIGGER ${SLOW_TRIGGER} BEFORE INSERT OR UPDATE ON call FOR EACH ROW EXECUTE FUNCTION ${SLOW_TRIGGER}()`);
}

async function dropSlowWrites(db: Db) {
  await db.none(`DROP TRIGGER IF EXISTS ${SLOW_TRIGGER} ON call`);
  await db.none(`DROP FUNCTION IF EXISTS ${SLOW_TRIGGER}()`);
}

for (const target of dbs) {
  const name = /^postgres(ql)?:\/\//.test(target) ? new URL(target).pathname.slice(1) : target;
  try { await run(target); } catch (e) { console.log(`\n${name}: failed — ${(e as Error).message}`); process.exitCode = 1; }
}
