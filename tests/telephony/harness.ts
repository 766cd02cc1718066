// A small city, operators on PJSIP/101 and PJSIP/102, the PBX simulator on a real TCP port, and the
// product's API connected to it through the real AMI client; plus an SSE reader for the desk stream.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratedDb } from '../helpers/db.ts';
import { serve, client } from '../helpers/http.ts';
import { readEventStream } from '../helpers/event-stream.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { runningClock, TEST_NOW, DAY, HOUR } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import { envelope } from '../helpers/geometry.ts';
import type { Services } from '../../server/services.ts';
import { createApp } from '../../server/app.ts';
import { config as baseConfig } from '../../server/config.ts';
import { AmiSimulator, type SimulatorOptions } from '../../server/telephony/simulator/ami-simulator.ts';
import type { Db } from '../../server/db/db.ts';

export const KNOWN_PHONE = '+380501112233';
export const KNOWN_NAME = 'Олена Коваль';

/** Executors 1 vodokanal, 2 zhek-1, 3 teplo; building 1 with resident 1 (two numbers), an open and a
 *  closed appeal of theirs, and a hot-water outage affecting the building now. */
export async function seedCity(db: Db) {
  const b = builder(db);
  const vodokanal = await b.executor({ id: 1, code: 'vodokanal', name: 'Водоканал', nameEn: null, utility: 'cold_water' });
  const zhek = await b.executor({ id: 2, code: 'zhek-1', name: 'ЖЕК №1', nameEn: null, kind: 'housing_office' });
  const teplo = await b.executor({ id: 3, code: 'teplo', name: 'Теплокомуненерго', nameEn: null, utility: 'heating' });
  const street = await b.street({ id: 1, name: 'Незалежності', line: { type: 'LineString', coordinates: [[24.71, 48.92], [24.72, 48.92]] } });
  const building = await b.building({ id: 1, street, house: '12', apartments: 60, housingOffice: zhek, footprint: envelope(24.711, 48.921, 24.7115, 48.9213) });
  const resident = await b.resident({ id: 1, fullName: KNOWN_NAME, building, apartment: '15', phones: [KNOWN_PHONE, '+380672223344'] });
  const sphere = await b.sphere({ id: 1, code: 'water', name: 'Водопостачання', nameEn: 'Water supply' });
  const category = await b.category({ id: 1, sphere, code: 'no-water', name: 'Відсутність води', nameEn: 'No water', rule: 'fixed', executor: vodokanal, deadlineHours: 24 });
  const appeal = { resident, building, category, executor: vodokanal, callerPhone: KNOWN_PHONE };
  await b.appeal({ ...appeal, number: '15-80/2026/000001', dueAt: new Date(TEST_NOW.getTime() + DAY), status: 'in_progress' });
  await b.appeal({ ...appeal, number: '15-80/2026/000002', dueAt: new Date(TEST_NOW.getTime() - DAY), status: 'closed' });
  await b.announcement({
    kind: 'outage', utility: 'hot_water', executor: teplo, title: 'Гаряча вода відсутня до 18:00',
    startsAt: new Date(TEST_NOW.getTime() - HOUR), endsAt: new Date(TEST_NOW.getTime() + 5 * HOUR),
    zone: envelope(24.70, 48.91, 24.73, 48.93), buildings: [building],
  });
}

export interface World {
  db: Db;
  sim: AmiSimulator;
  url: string;
  recordingsDir: string;
  services: Services;
  users: { op1: number; op2: number; analyst: number; admin: number; exec1: number; exec3: number };
  logs: string[];
  close(): Promise<void>;
}

interface WorldOptions { sim?: SimulatorOptions; secret?: string; pingMs?: number; pingTimeoutMs?: number; record?: 'dialplan' | 'ami' | 'off'; wrapupSeconds?: number }

export async function world(label: string, o: WorldOptions = {}): Promise<World> {
  const { db } = await migratedDb(label);
  await seedCity(db);
  const users = {
    op1: (await createUser(db, 'op1', 'operator', { sipInterface: 'PJSIP/101' })).id,
    op2: (await createUser(db, 'op2', 'operator', { sipInterface: 'PJSIP/102' })).id,
    analyst: (await createUser(db, 'analyst1', 'analyst')).id,
    admin: (await createUser(db, 'admin1', 'admin')).id,
    exec1: (await createUser(db, 'vodokanal', 'executor', { executorId: 1 })).id,
    exec3: (await createUser(db, 'teplo', 'executor', { executorId: 3 })).id,
  };
  const t = await telephonyOn(db, o);
  return { ...t, users };
}

/** The simulator and the product's API with telephony over an existing database (e.g. the demo city). */
export async function telephonyOn(db: Db, o: WorldOptions = {}) {
  const recordingsDir = mkdtempSync(join(tmpdir(), 'misto-rec-'));
  const sim = new AmiSimulator({ users: { misto: 'pbx-secret' }, recordingsDir, ...o.sim });
  await sim.start(0, '127.0.0.1');
  const config = {
    ...baseConfig, recordingsDir, sseHeartbeatMs: 150,
    ami: { ...baseConfig.ami, host: '127.0.0.1', port: sim.port, user: 'misto', secret: o.secret ?? 'pbx-secret', pingMs: o.pingMs ?? 400, record: o.record ?? 'dialplan', wrapupSeconds: o.wrapupSeconds ?? baseConfig.ami.wrapupSeconds },
  };
  const services = testServices(db, config, runningClock());
  const logs: string[] = [];
  await services.telephony.start({ log: (m) => logs.push(m), backoffMinMs: 50, backoffMaxMs: 400, pingTimeoutMs: o.pingTimeoutMs ?? 400 });
  const srv = await serve(createApp(services));
  return {
    db, sim, url: srv.url, recordingsDir, services, logs,
    async close() {
      await srv.close();
      await services.telephony.stop();
      await sim.stop();
    },
  };
}

export async function signedIn(url: string, login: string) {
  const c = client(url);
  const res = await c.signIn(login, PASSWORD);
  if (res.status !== 200) throw new Error(`sign-in of ${login} failed: ${res.status}`);
  return c;
}

export interface SseEvent { event: string; data: any; at: number }

/** Reads a text/event-stream over real HTTP and keeps every event. */
export async function sse(url: string, cookie: string, path = '/api/desk/events') {
  const ctrl = new AbortController();
  const res = await fetch(`${url}${path}`, { headers: { cookie }, signal: ctrl.signal });
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  const state = { ended: false };
  if (res.status === 200 && res.body) {
    void readEventStream(res.body, (event, data) => {
      events.push({ event, data: JSON.parse(data), at: performance.now() });
      for (const w of waiters.splice(0)) w();
    }).then(() => { state.ended = true; });
  }
  return {
    /** The server ended the stream (or it was aborted). */
    get ended() { return state.ended; },
    status: res.status,
    res,
    events,
    calls: () => events.filter((e) => e.event === 'call').map((e) => e.data),
    async next(pred: (e: SseEvent) => boolean, timeoutMs = 3000): Promise<SseEvent> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no matching SSE event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.data?.type]))}`);
        await new Promise<void>((r) => { const t = setTimeout(r, left); waiters.push(() => { clearTimeout(t); r(); }); });
      }
    },
    close: () => ctrl.abort(),
  };
}

export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 3000, what = 'condition'): Promise<NonNullable<Exclude<T, false | 0 | ''>>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<Exclude<T, false | 0 | ''>>;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
