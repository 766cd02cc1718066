// Telephony: the AMI connection, the call tracker, screen pops, the call log and recordings.
// With no AMI_HOST the product starts the PBX simulator in-process (demo mode) and talks to it over
// loopback TCP through exactly the same AMI client path it uses with Asterisk.
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Db } from '../db/db.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { User } from '../../vocabulary/roles.ts';
import { normalizePhone } from '../../vocabulary/phone.ts';
import { AppError, badRequest, conflict, forbidden, notFound, unavailable } from '../http/errors.ts';
import type { ResidentsService } from '../residents/residents.service.ts';
import { AmiConnection, type AmiEvent } from './ami-connection.ts';
import { callTracker } from './call-tracker.ts';
import { popHub } from './pops.ts';
import { telephonyRepo } from './telephony.repo.ts';
import { AmiSimulator, type SimulatorOptions } from './simulator/ami-simulator.ts';

export interface TelephonyStatus {
  connected: boolean;
  demo: boolean;
  host: string | null;
  error: string | null;
  activeCalls: number;
  since: string | null;
}

export interface StartOptions {
  log?: (m: string) => void;
  /** Settings for the in-process simulator of demo mode (tests pass a recordings folder, etc.). */
  simulator?: SimulatorOptions;
  pingTimeoutMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export function telephonyService(db: Db, config: Config, residents: ResidentsService, clock: Clock) {
  const repo = telephonyRepo(db);
  let log: (m: string) => void = (m) => console.log(`[telephony] ${m}`);
  const hub = popHub(db, { log: (m) => log(m) });
  const statusEvents = new EventEmitter();
  /** Every AMI event, for other domains (survey calls listen for OriginateResponse/UserEvent). */
  const amiEvents = new EventEmitter();
  amiEvents.setMaxListeners(50);
  let conn: AmiConnection | null = null;
  let simulator: AmiSimulator | null = null;
  let demo = false;

  const tracker = callTracker({
    repo,
    card: (phone) => residents.callerCard(phone),
    publish: (userId, pop) => hub.publish(userId, pop),
    action: (msg) => conn ? conn.action(msg) : Promise.reject(new Error('AMI is not connected')),
    recordingsDir: config.recordingsDir,
    record: config.ami.record,
    inboundContexts: config.ami.inboundContexts,
    clock,
    log: (m) => log(m),
  });

  function status(): TelephonyStatus {
    return {
      connected: !!conn?.connected,
      demo,
      host: conn ? conn.target : null,
      error: conn?.lastError ?? (conn ? null : 'Telephony is not started on this instance'),
      activeCalls: tracker.activeCount(),
      since: conn?.connectedAt?.toISOString() ?? null,
    };
  }

  function requireAmi() {
    if (!conn?.connected) throw unavailable('The PBX is not connected');
    return conn;
  }

  async function callFor(user: User, id: number) {
    await tracker.written(id);
    const call = await repo.call(id);
    if (!call) throw notFound(`Call ${id} does not exist`);
    if (user.role !== 'admin' && call.operatorId !== user.id) throw forbidden('This call was answered by another operator');
    return call;
  }

  return {
    hub,
    tracker,
    /** For the metrics: whether the PBX link is up and how often it had to be re-opened. */
    link: () => ({ connected: !!conn?.connected, reconnects: Math.max(0, (conn?.logins ?? 0) - 1) }),
    amiEvents,
    status,
    heartbeatMs: config.sseHeartbeatMs,
    get simulator() { return simulator; },

    /** Connects to the PBX (or starts the demo simulator) and listens for pops of other instances. */
    async start(opts: StartOptions = {}) {
      if (opts.log) log = opts.log;
      hub.start();
      const a = config.ami;
      if (a.host === 'none') {
        log('AMI_HOST=none: this instance only delivers screen pops published by the instance connected to the PBX');
        return;
      }
      let host = a.host, port = a.port;
      if (!host) {
        simulator = new AmiSimulator({
          users: { [a.user]: a.secret }, recordingsDir: config.recordingsDir, log: (m) => log(`[pbx-sim] ${m}`), ...opts.simulator,
        });
        port = await simulator.start(a.simPort, '127.0.0.1');
        host = '127.0.0.1';
        demo = true;
        log(`No AMI_HOST set: DEMO MODE — the built-in PBX simulator answers AMI on ${host}:${port}; set AMI_HOST to use Asterisk`);
      }
      const c = new AmiConnection({
        host, port, user: a.user, secret: a.secret, pingIntervalMs: a.pingMs, log: (m) => log(m),
        ...(opts.pingTimeoutMs ? { pingTimeoutMs: opts.pingTimeoutMs } : {}),
        ...(opts.backoffMinMs ? { backoffMinMs: opts.backoffMinMs } : {}),
        ...(opts.backoffMaxMs ? { backoffMaxMs: opts.backoffMaxMs } : {}),
      });
      conn = c;
      c.on('event', (e: AmiEvent) => {
        try { tracker.handle(e); } catch (err) { log(`event ${e.Event}: ${(err as Error).message}`); }
        amiEvents.emit('event', e);
      });
      c.on('connected', async () => {
        statusEvents.emit('status', status());
        const before = tracker.trackedCalls();
        try {
          const items = await c.list({ Action: 'CoreShowChannels' });
          const r = await tracker.reconcile(items, before);
          log(`reconciled with the PBX: ${r.live} live channels, ${r.adopted} calls logged late, ${r.ended} calls marked ended`);
        } catch (e) {
          log(`reconciliation failed: ${(e as Error).message}`);
        }
        statusEvents.emit('reconciled');
      });
      c.on('disconnected', () => statusEvents.emit('status', status()));
      c.start();
    },

    async stop() {
      await conn?.stop();
      conn = null;
      await tracker.settle();
      await hub.stop();
      await simulator?.stop();
      simulator = null;
    },

    onStatus(fn: (s: TelephonyStatus) => void) {
      statusEvents.on('status', fn);
      return () => { statusEvents.off('status', fn); };
    },
    /** Resolves after the next reconciliation with the PBX (tests, the benchmark). */
    reconciled: () => new Promise<void>((r) => statusEvents.once('reconciled', () => r())),

    /** What the operator's desk should show right now (a stream opened during a call). */
    current: (userId: number) => tracker.current(userId),

    /** Sends an AMI action (survey calls use Originate through this). */
    action: (msg: Record<string, string>, timeoutMs?: number) => requireAmi().action(msg, timeoutMs),

    /** Demo mode: ring the signed-in operator's phone from a resident's (or the given) number. */
    async simulateCall(user: User, body: Record<string, unknown>) {
      if (!demo) throw conflict('Simulated calls exist only in demo mode; this desk is connected to a real PBX');
      if (!user.sipInterface) throw badRequest('Your user has no phone interface (sip_interface): ask an administrator to set one');
      let phone: string | null;
      if (body.phone !== undefined && body.phone !== null && body.phone !== '') {
        if (typeof body.phone !== 'string') throw badRequest('"phone" must be a string');
        phone = normalizePhone(body.phone);
        if (!phone) throw badRequest(`"${body.phone}" is not a phone number`);
      } else {
        phone = await repo.randomResidentPhone() ?? `+38067${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      }
      const r = await requireAmi().action({
        Action: 'Originate', Channel: 'Local/1580@misto-incoming', Context: 'misto-incoming', Exten: '1580', Priority: '1',
        CallerID: `<${phone}>`, Variable: `MISTO_RING=${user.sipInterface}`, Async: 'true', Timeout: '30000',
      });
      if (r.Response !== 'Success') throw new AppError(502, 'pbx_error', `The PBX refused the call: ${r.Message ?? r.Response}`);
      return { phone, interface: user.sipInterface };
    },

    /** Hangs up a call in progress through AMI (the operator's own call; admins any). */
    async hangup(user: User, id: number) {
      const call = await callFor(user, id);
      if (call.hungupAt) throw conflict('The call has already ended');
      const channel = tracker.channelOf(call.uniqueid) ?? call.channel;
      if (!channel) throw conflict('The PBX channel of this call is not known');
      const r = await requireAmi().action({ Action: 'Hangup', Channel: channel, Cause: '16' });
      if (r.Response !== 'Success') throw conflict(`The PBX could not hang up: ${r.Message ?? r.Response}`);
      return { ok: true };
    },

    /** The call was answered and settled without a new appeal ("hot water is off until 18:00"). */
    async consultation(user: User, id: number, body: Record<string, unknown>) {
      await tracker.written(id);
      const row = await repo.call(id);
      if (!row) throw notFound(`Call ${id} does not exist`);
      if (!row.answeredAt) throw conflict('The call has not been answered');
      const call = await callFor(user, id);
      const note = typeof body.note === 'string' && body.note.trim() ? body.note.trim().slice(0, 2000) : null;
      if (call.appeals.length) throw conflict(`An appeal was registered during this call (${call.appeals[0].number})`);
      if (!(await repo.markConsultation(id, note))) throw conflict('The call cannot be marked as a consultation');
      return (await repo.call(id))!;
    },

    async call(user: User, id: number) {
      await tracker.written(id);
      const call = await repo.call(id);
      if (!call) throw notFound(`Call ${id} does not exist`);
      return call;
    },

    /** The call log: operators see their own calls, admins everyone's (or one operator's). */
    list(user: User, q: Record<string, unknown>) {
      const limit = Math.min(Math.max(Number(q.limit ?? 50) || 50, 1), 500);
      const date = (v: unknown, name: string) => {
        if (v === undefined || v === '') return undefined;
        const d = new Date(String(v));
        if (Number.isNaN(d.getTime())) throw badRequest(`"${name}" is not a date`);
        return d;
      };
      const operatorId = user.role === 'admin' ? (q.operator ? Number(q.operator) : undefined) : user.id;
      if (operatorId !== undefined && !Number.isSafeInteger(operatorId)) throw badRequest('"operator" must be a user id');
      const before = q.before ? Number(q.before) : undefined;
      if (before !== undefined && !Number.isSafeInteger(before)) throw badRequest('"before" must be a call id');
      return repo.list({ operatorId, from: date(q.from, 'from'), to: date(q.to, 'to'), limit, before });
    },

    /**
     * A recording's file for a user allowed to hear it: operators and admins, and executors when an
     * appeal registered during the call is assigned to their organisation.
     */
    async recordingFile(user: User, id: number) {
      const rec = await repo.recording(id);
      if (!rec) throw notFound(`Recording ${id} does not exist`);
      const allowed = user.role === 'operator' || user.role === 'admin'
        || (user.role === 'executor' && user.executorId !== null && await repo.callHasAppealOf(rec.callId, user.executorId));
      if (!allowed) throw forbidden('This recording belongs to an appeal of another organisation');
      const dir = resolve(config.recordingsDir);
      const path = resolve(dir, rec.path);
      if (!path.startsWith(dir + sep)) throw notFound('Recording file is outside the recordings folder');
      let size: number;
      try { size = statSync(path).size; } catch { throw notFound('The recording file is not available (yet)'); }
      return { path, size, name: rec.path.split('/').pop()! };
    },
  };
}
export type TelephonyService = ReturnType<typeof telephonyService>;
