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
import { runningClock, TEST_NOW } from '../helpers/clock.ts';

/** TEST_NOW as a SQL literal for the fixture's times. */
const T = `'${TEST_NOW.toISOString()}'`;
import type { Services } from '../../server/services.ts';
import { createApp } from '../../server/app.ts';
import { config as baseConfig } from '../../server/config.ts';
import { AmiSimulator, type SimulatorOptions } from '../../server/telephony/simulator/ami-simulator.ts';
import type { Db } from '../../server/db/db.ts';

export const KNOWN_PHONE = '+380501112233';
export const KNOWN_NAME = 'Олена Коваль';

export async function seedCity(db: Db) {
  await db.none(`
    INSERT INTO executor (id, code, name, kind, utility) VALUES
      (1, 'vodokanal', 'Водоканал', 'utility', 'cold_water'), (2, 'zhek-1', 'ЖЕК №1', 'housing_office', NULL),
      (3, 'teplo', 'Теплокомуненерго', 'utility', 'heating');
    INSERT INTO street (id, name, geom) VALUES (1, 'Незалежності', ST_GeomFromText('MULTILINESTRING((24.71 48.92, 24.72 48.92))', 4326));
    INSERT INTO building (id, street_id, house_number, address, apartments, housing_office_id, geom) VALUES
      (1, 1, '12', 'вул. Незалежності, 12', 60, 2, ST_Multi(ST_MakeEnvelope(24.711, 48.921, 24.7115, 48.9213, 4326)));
    INSERT INTO resident (id, full_name, building_id, apartment) VALUES (1, '${KNOWN_NAME}', 1, '15');
    INSERT INTO resident_phone (phone, resident_id) VALUES ('${KNOWN_PHONE}', 1), ('+380672223344', 1);
    INSERT INTO sphere (id, code, name, name_en) VALUES (1, 'water', 'Водопостачання', 'Water supply');
    INSERT INTO category (id, sphere_id, code, name, name_en, executor_rule, executor_id, deadline_hours) VALUES
      (1, 1, 'no-water', 'Відсутність води', 'No water', 'fixed', 1, 24);
    INSERT INTO appeal (number, resident_id, building_id, category_id, executor_id, due_at, caller_phone, status) VALUES
      ('15-80/2026/000001', 1, 1, 1, 1, ${T}::timestamptz + interval '1 day', '${KNOWN_PHONE}', 'in_progress'),
      ('15-80/2026/000002', 1, 1, 1, 1, ${T}::timestamptz - interval '1 day', '${KNOWN_PHONE}', 'closed');
    INSERT INTO announcement (kind, utility, executor_id, title, starts_at, ends_at, zone) VALUES
      ('outage', 'hot_water', 3, 'Гаряча вода відсутня до 18:00', ${T}::timestamptz - interval '1 hour', ${T}::timestamptz + interval '5 hours',
       ST_Multi(ST_MakeEnvelope(24.70, 48.91, 24.73, 48.93, 4326)));
    INSERT INTO announcement_building (announcement_id, building_id) SELECT id, 1 FROM announcement;
  `);
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

export async function world(label: string, o: { sim?: SimulatorOptions; secret?: string; pingMs?: number; pingTimeoutMs?: number; record?: 'dialplan' | 'ami' | 'off' } = {}): Promise<World> {
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
export async function telephonyOn(db: Db, o: { sim?: SimulatorOptions; secret?: string; pingMs?: number; pingTimeoutMs?: number; record?: 'dialplan' | 'ami' | 'off' } = {}) {
  const recordingsDir = mkdtempSync(join(tmpdir(), 'misto-rec-'));
  const sim = new AmiSimulator({ users: { misto: 'pbx-secret' }, recordingsDir, ...o.sim });
  await sim.start(0, '127.0.0.1');
  const config = {
    ...baseConfig, recordingsDir, sseHeartbeatMs: 150,
    ami: { ...baseConfig.ami, host: '127.0.0.1', port: sim.port, user: 'misto', secret: o.secret ?? 'pbx-secret', pingMs: o.pingMs ?? 400, record: o.record ?? 'dialplan' },
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
export async function sse(url: string, cookie: string) {
  const ctrl = new AbortController();
  const res = await fetch(`${url}/api/desk/events`, { headers: { cookie }, signal: ctrl.signal });
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
