// Telephony: the AMI connection, the call tracker, screen pops, the wallboard, the call log and
// recordings. With no AMI_HOST the product starts the PBX simulator in-process (demo mode) and
// talks to it over loopback TCP through exactly the same AMI client path it uses with Asterisk.
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Config } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { User } from '../../vocabulary/roles.ts';
import { canonicalInterface, type Board, type BoardToday, type CallOutcome } from '../../vocabulary/telephony.ts';
import { AppError, badRequest, conflict, forbidden, notFound, unavailable } from '../http/errors.ts';
import type { CallerCard } from '../residents/residents.service.ts';
import type { AppealsRepo } from '../appeals/appeals.repo.ts';
import { AmiConnection, type AmiEvent } from './ami-connection.ts';
import { callTracker } from './call-tracker.ts';
import { liveBoard } from './live-board.ts';
import { boardRelay } from './board-relay.ts';
import { operatorDirectory } from './operators.ts';
import { popHub } from './pops.ts';
import type { CallRow, PopPathRepo, TelephonyRepo } from './telephony.repo.ts';
import type { CallListFilter } from './telephony.input.ts';
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

export interface TelephonyDeps {
  repo: TelephonyRepo;
  /** The pop path's own pool: call ids, NOTIFY between instances. */
  popPath: PopPathRepo;
  /** The caller's card, looked up on the pop path's own pool. */
  card(phone: string | null): Promise<CallerCard>;
  appeals: Pick<AppealsRepo, 'ofCall' | 'ofCalls'>;
  /** The day's contact-centre figures for the wallboard. */
  today(now: Date): Promise<BoardToday>;
  config: Config;
  clock: Clock;
}

export type CallView = CallRow & { appeals: { id: number; number: string }[] };

export function telephonyService(d: TelephonyDeps) {
  const { repo, config, clock } = d;
  let log: (m: string) => void = (m) => console.log(`[telephony] ${m}`);
  const hub = popHub(d.popPath, { clock, log: (m) => log(m) });
  const operators = operatorDirectory(repo, { clock, log: (m) => log(m) });
  const statusEvents = new EventEmitter();
  /** Every AMI event, for other domains (survey calls listen for OriginateResponse/UserEvent). */
  /** Calls this process saw end, by outcome (the metrics; the call log has the truth). */
  const endedByOutcome: Partial<Record<CallOutcome, number>> = {};
  const amiEvents = new EventEmitter();
  amiEvents.setMaxListeners(50);
  let conn: AmiConnection | null = null;
  let simulator: AmiSimulator | null = null;
  let demo = false;
  const startedAt = clock.now();

  const tracker = callTracker({
    repo,
    reserveCallIds: d.popPath.reserveCallIds,
    card: d.card,
    operators,
    publish: (userId, pop) => hub.publish(userId, pop),
    ended: (c) => { board.callEnded(c.operatorInterface, c.at); endedByOutcome[c.outcome] = (endedByOutcome[c.outcome] ?? 0) + 1; },
    action: (msg) => conn ? conn.action(msg) : Promise.reject(new Error('AMI is not connected')),
    recordingsDir: config.recordingsDir,
    record: config.ami.record,
    inboundContexts: config.ami.inboundContexts,
    clock,
    log: (m) => log(m),
  });

  const board = liveBoard({
    clock, operators, calls: () => tracker.liveCalls(), today: d.today, connected: () => !!conn?.connected,
    wrapupSeconds: config.ami.wrapupSeconds, log: (m) => log(m),
  });

  const relay = boardRelay(repo, { clock, log: (m) => log(m) });
  let unshare: (() => void) | null = null;
  /** This instance does not hear the PBX: its wallboard is the connected instance's. */
  let following = false;

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
    if (!conn?.connected) throw unavailable('The PBX is not connected', { code: 'pbx_unavailable' });
    return conn;
  }

  async function view(row: CallRow): Promise<CallView> {
    const appeals = await d.appeals.ofCall(row.id);
    return { ...row, appeals: appeals.map(({ id, number }) => ({ id, number })) };
  }

  async function callFor(user: User, id: number) {
    await tracker.written(id);
    const call = await repo.call(id);
    if (!call) throw notFound(`Call ${id} does not exist`);
    if (user.role !== 'admin' && call.operatorId !== user.id) throw forbidden('This call was answered by another operator', { code: 'call_taken' });
    return call;
  }

  /** One AMI event, as it arrives (replays of captured transcripts hand them over the same way). */
  function ingest(e: AmiEvent) {
    try { tracker.handle(e); board.handle(e); } catch (err) { log(`event ${e.Event}: ${(err as Error).message}`); }
    amiEvents.emit('event', e);
  }

  /** After each login: what the PBX has now — its channels (reconciliation) and its queues (the wallboard). */
  let reconciliations = 0;
  async function resynchronise(c: AmiConnection) {
    const seq = ++reconciliations;
    const first = c.logins === 1;
    const before = tracker.trackedCalls();
    try {
      const items = await c.list({ Action: 'CoreShowChannels' });
      const r = await tracker.reconcile(items, {
        before,
        lostAt: first ? null : c.lostAt,
        // Rows a previous process left open ended no later than this process began.
        orphansAt: first ? startedAt : c.lostAt ?? clock.now(),
      });
      log(`reconciled with the PBX: ${r.live} live channels in ${r.calls} calls, ${r.adopted} calls logged late, ${r.ended} ended while the link was down, ${r.closedOrphans} left open by a previous process closed`);
    } catch (e) {
      log(`reconciliation failed: ${(e as Error).message}`);
    }
    try {
      board.load(await c.list({ Action: 'QueueStatus' }));
    } catch (e) {
      log(`queue status not read: ${(e as Error).message}`);
    }
    statusEvents.emit('reconciled', seq);
  }

  return {
    hub,
    tracker,
    operators,
    ingest,
    /** A QueueStatus list: the queues' members as the PBX has them now. */
    ingestQueueStatus: (items: Record<string, string>[]) => board.load(items),
    /** For the metrics: whether the PBX link is up and how often it had to be re-opened. */
    link: () => ({
      connected: !!conn?.connected, reconnects: Math.max(0, (conn?.logins ?? 0) - 1),
      activeCalls: tracker.activeCount(), endedByOutcome: { ...endedByOutcome },
    }),
    amiEvents,
    status,
    heartbeatMs: config.sseHeartbeatMs,
    get simulator() { return simulator; },

    /** Connects to the PBX (or starts the demo simulator) and listens for pops of other instances. */
    async start(opts: StartOptions = {}) {
      if (opts.log) log = opts.log;
      hub.start();
      await operators.start();
      const a = config.ami;
      if (a.host === 'none') {
        log('AMI_HOST=none: this instance only delivers screen pops and the wallboard of the instance connected to the PBX');
        following = true;
        relay.follow();
        return;
      }
      unshare = board.subscribe((b) => relay.publish(b));
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
        host, port, user: a.user, secret: a.secret, pingIntervalMs: a.pingMs, probeMs: a.probeMs, clock, log: (m) => log(m),
        ...(opts.pingTimeoutMs ? { pingTimeoutMs: opts.pingTimeoutMs } : {}),
        ...(opts.backoffMinMs ? { backoffMinMs: opts.backoffMinMs } : {}),
        ...(opts.backoffMaxMs ? { backoffMaxMs: opts.backoffMaxMs } : {}),
      });
      conn = c;
      c.on('event', ingest);
      c.on('connected', () => {
        statusEvents.emit('status', status());
        board.changed();
        void resynchronise(c);
      });
      c.on('disconnected', () => { statusEvents.emit('status', status()); board.changed(); });
      c.start();
    },

    async stop() {
      await conn?.stop();
      conn = null;
      await tracker.settle();
      unshare?.();
      board.stop();
      await relay.stop();
      await operators.stop();
      await hub.stop();
      await simulator?.stop();
      simulator = null;
    },

    onStatus(fn: (s: TelephonyStatus) => void) {
      statusEvents.on('status', fn);
      return () => { statusEvents.off('status', fn); };
    },
    /** Resolves after a reconciliation with the PBX that begins after this call, not one already
     * under way, which may have read the call log before the caller's latest write (tests, the benchmark). */
    reconciled: () => {
      const after = reconciliations;
      return new Promise<void>((resolve) => {
        const done = (seq: number) => { if (seq > after) { statusEvents.off('reconciled', done); resolve(); } };
        statusEvents.on('reconciled', done);
      });
    },

    /** What an operator's desk should show right now (a stream opened during a call). */
    current: (userId: number) => tracker.current(userId),

    /** The wallboard now, and every change of it. */
    board: (): Board => (following ? relay.relayed() : null) ?? board.snapshot(),
    onBoard: (fn: (b: Board) => void) => (following ? relay.subscribe(fn) : board.subscribe(fn)),

    /**
     * Whether a queue member has this phone interface (compared canonically): null when the PBX's
     * queues are not known here (not connected, or no queue read yet).
     */
    inQueue(raw: string): boolean | null {
      if (!conn?.connected) return null;
      const key = canonicalInterface(raw);
      const b = board.snapshot();
      if (!b.queues.length) return null;
      return b.operators.some((o) => o.queues.length > 0 && canonicalInterface(o.interface) === key);
    },

    /** Sends an AMI action (survey calls use Originate through this). */
    action: (msg: Record<string, string>, timeoutMs?: number) => requireAmi().action(msg, timeoutMs),

    /**
     * Demo mode: ring the signed-in operator's phone from a resident's (or the given) number. The
     * resident's half of the Local channel only waits (Application Wait); the other half runs the
     * inbound context, records and dials the operator, exactly once.
     */
    async simulateCall(user: User, body: { phone?: string }) {
      if (!demo) throw conflict('Simulated calls exist only in demo mode; this desk is connected to a real PBX', { code: 'not_demo' });
      if (!user.sipInterface) throw badRequest('Your user has no phone interface (sip_interface): ask an administrator to set one', { code: 'no_phone_interface' });
      const phone = body.phone ?? await repo.randomResidentPhone() ?? `+38067${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      const r = await requireAmi().action({
        Action: 'Originate', Channel: 'Local/1580@misto-incoming', Application: 'Wait', Data: '600',
        CallerID: `<${phone}>`, Variable: `MISTO_RING=${user.sipInterface}`, Async: 'true', Timeout: '30000',
      });
      if (r.Response !== 'Success') throw new AppError(502, 'pbx_error', `The PBX refused the call: ${r.Message ?? r.Response}`);
      return { phone, interface: user.sipInterface };
    },

    /** Hangs up a call in progress through AMI (the operator's own call; admins any). */
    async hangup(user: User, id: number) {
      const call = await callFor(user, id);
      if (call.hungupAt) throw conflict('The call has already ended', { code: 'call_ended' });
      const channel = tracker.channelOf(call.uniqueid) ?? call.channel;
      if (!channel) throw conflict('The PBX channel of this call is not known', { code: 'channel_unknown' });
      const r = await requireAmi().action({ Action: 'Hangup', Channel: channel, Cause: '16' });
      if (r.Response !== 'Success') throw conflict(`The PBX could not hang up: ${r.Message ?? r.Response}`, { code: 'pbx_refused' });
      return { ok: true };
    },

    /** The call was answered and settled without a new appeal ("hot water is off until 18:00"). */
    async consultation(user: User, id: number, body: { note?: string }) {
      await tracker.written(id);
      const row = await repo.call(id);
      if (!row) throw notFound(`Call ${id} does not exist`);
      if (!row.answeredAt) throw conflict('The call has not been answered', { code: 'call_not_answered' });
      const call = await callFor(user, id);
      await repo.transaction('call-consultation', async (t) => {
        // The row lock orders this against an appeal registered during the call (it notes the resident on it).
        const locked = await repo.lockCall(t, id);
        if (!locked?.answeredAt) throw conflict('The call has not been answered', { code: 'call_not_answered' });
        const appeals = await d.appeals.ofCall(id, t);
        if (appeals.length) throw conflict(`An appeal was registered during this call (${appeals[0].number})`, { code: 'call_has_appeal', params: { number: appeals[0].number } });
        await repo.markConsultation(t, id, body.note ?? null);
      });
      return view((await repo.call(call.id))!);
    },

    /** One call with its caller and recordings: for the operator who took it, and admins. */
    async call(user: User, id: number) {
      return view(await callFor(user, id));
    },

    /** The call log: operators see their own calls, admins everyone's (or one operator's). */
    async list(user: User, q: CallListFilter): Promise<CallView[]> {
      const operatorId = user.role === 'admin' ? q.operator : user.id;
      const rows = await repo.list({ operatorId, from: q.from, to: q.to, limit: q.limit, before: q.before });
      const appeals = rows.length ? await d.appeals.ofCalls(rows.map((r) => r.id)) : [];
      return rows.map((r) => ({ ...r, appeals: appeals.filter((a) => a.callId === r.id).map(({ id, number }) => ({ id, number })) }));
    },

    /**
     * A recording's file for a user allowed to hear it: operators and admins, and executors when an
     * appeal registered during the call is assigned to their organisation.
     */
    async recordingFile(user: User, id: number) {
      const rec = await repo.recording(id);
      if (!rec) throw notFound(`Recording ${id} does not exist`);
      const allowed = user.role === 'operator' || user.role === 'admin'
        || (user.role === 'executor' && user.executorId !== null && (await d.appeals.ofCall(rec.callId)).some((a) => a.executorId === user.executorId));
      if (!allowed) throw forbidden('This recording belongs to an appeal of another organisation', { code: 'not_your_recording' });
      const dir = resolve(config.recordingsDir);
      const path = resolve(dir, rec.path);
      if (!path.startsWith(dir + sep)) throw notFound('Recording file is outside the recordings folder');
      let size: number;
      try { size = statSync(path).size; } catch { throw notFound('The recording file is not available (yet)', { code: 'recording_missing' }); }
      return { path, size, name: rec.path.split('/').pop()! };
    },
  };
}
export type TelephonyService = ReturnType<typeof telephonyService>;
