// Telephony over HTTP: the operator's screen-pop stream (SSE), PBX status, the demo call button,
// the call log, consultations, hang-up, and recordings streamed with Range support.
import Router from '@koa/router';
import { createReadStream } from 'node:fs';
import type { Context } from 'koa';
import { requireRole } from '../auth/guard.ts';
import { body, pathId, query } from '../http/input.ts';
import type { TelephonyService } from './telephony.service.ts';
import { CallListQuery, ConsultationBody, SimulateCallBody } from './telephony.input.ts';
import { SESSION_COOKIE, type AuthService } from '../auth/auth.service.ts';
import { openEventStream, type EventStream } from '../http/sse.ts';
import type { Lifecycle } from '../http/lifecycle.ts';

const desk = requireRole('operator', 'admin');
const wallboard = requireRole('supervisor', 'admin');

/** One byte range (RFC 9110): "a-b", "a-", "-n". Anything else (incl. multiple ranges) serves the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Infinity : Number(m[2]);
  if (end < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

export function telephonyRoutes(telephony: TelephonyService, opts: {
  auth?: AuthService; lifecycle?: Lifecycle;
  /** Each caller card a pop shows is a read of personal data (the audit log, server/audit). */
  popRead?: (ctx: Context, callId: number) => void;
} = {}) {
  const router = new Router();

  /** A stream flows while its session lasts (sign-out, expiry, a disabled user end it). */
  function whileSignedIn(ctx: Context) {
    const user = ctx.state.user!;
    const token = ctx.cookies.get(SESSION_COOKIE);
    return async () => {
      if (!opts.auth) return true;
      const still = await opts.auth.userForToken(token, { touch: false }).catch(() => undefined);
      return !(still === null || (still && still.id !== user.id));
    };
  }

  /**
   * Sign-out and disabling end the stream at once, on whichever instance they happen (the
   * heartbeat's check stays for expiry and idleness). Checked once more after the watch is in
   * place, so an end between the request's session check and the watch is not missed.
   */
  async function endWithSession(ctx: Context, stream: EventStream, stillWanted: () => Promise<boolean>) {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (!opts.auth || !token) return;
    const stop = await opts.auth.watchSession(token, ctx.state.user!.id, () => stream.end());
    stream.onEnd(stop);
    if (!(await stillWanted().catch(() => true))) stream.end();
  }

  // The signed-in operator's own calls only: the stream is keyed by the session's user id.
  router.get('/desk/events', desk, async (ctx: Context) => {
    const user = ctx.state.user!;
    const stillWanted = whileSignedIn(ctx);
    const stream = openEventStream(ctx, { lifecycle: opts.lifecycle, heartbeatMs: telephony.heartbeatMs, stillWanted });
    // Subscribed before anything is awaited: the client counts on pops from the moment the stream opens.
    const shown = (pop: { type: string; callId: number }) => { if (pop.type !== 'ended') opts.popRead?.(ctx, pop.callId); };
    const unsubscribe = telephony.hub.subscribe(user.id, (pop) => { shown(pop); stream.send('call', pop); });
    const unstatus = telephony.onStatus((s) => stream.send('status', s));
    stream.onEnd(() => { unsubscribe(); unstatus(); });
    stream.send('status', telephony.status());
    for (const pop of await telephony.current(user.id).catch(() => [])) { shown(pop); stream.send('call', pop); }
    await endWithSession(ctx, stream, stillWanted);
  });

  router.get('/telephony/status', desk, (ctx) => { ctx.body = telephony.status(); });

  router.post('/desk/simulate-call', desk, async (ctx) => {
    ctx.body = await telephony.simulateCall(ctx.state.user!, await body(ctx, SimulateCallBody));
  });

  router.get('/calls', desk, async (ctx) => { ctx.body = await telephony.list(ctx.state.user!, query(ctx, CallListQuery)); });
  router.get('/calls/:id', desk, async (ctx) => { ctx.body = await telephony.call(ctx.state.user!, pathId(ctx)); });
  router.post('/calls/:id/consultation', desk, async (ctx) => {
    ctx.body = await telephony.consultation(ctx.state.user!, pathId(ctx), await body(ctx, ConsultationBody));
  });
  router.post('/calls/:id/hangup', desk, async (ctx) => {
    ctx.body = await telephony.hangup(ctx.state.user!, pathId(ctx));
  });

  // The wallboard: queue lengths, operators' states and the day's figures, no caller's data.
  router.get('/supervisor/board', wallboard, (ctx) => { ctx.body = telephony.board(); });
  router.get('/supervisor/events', wallboard, async (ctx: Context) => {
    const stillWanted = whileSignedIn(ctx);
    const stream = openEventStream(ctx, { lifecycle: opts.lifecycle, heartbeatMs: telephony.heartbeatMs, stillWanted });
    const off = telephony.onBoard((b) => stream.send('board', b));
    stream.onEnd(off);
    stream.send('board', telephony.board());
    await endWithSession(ctx, stream, stillWanted);
  });

  router.get('/recordings/:id', requireRole('operator', 'admin', 'executor'), async (ctx) => {
    const file = await telephony.recordingFile(ctx.state.user!, pathId(ctx));
    ctx.set('Accept-Ranges', 'bytes');
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('Content-Disposition', `inline; filename="${file.name.replace(/"/g, '')}"`);
    const range = parseRange(ctx.get('Range'), file.size);
    if (range === 'unsatisfiable') {
      ctx.status = 416;
      ctx.set('Content-Range', `bytes */${file.size}`);
      ctx.body = { error: 'range_not_satisfiable', message: `The recording has ${file.size} bytes` };
      return;
    }
    ctx.type = 'audio/wav';
    if (!range) {
      ctx.body = createReadStream(file.path);
      ctx.length = file.size;
      return;
    }
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    ctx.body = createReadStream(file.path, { start: range.start, end: range.end });
    ctx.length = range.end - range.start + 1;
  });

  return router;
}
