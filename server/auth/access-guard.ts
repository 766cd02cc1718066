// Enforces vocabulary/access.ts: a guard in front of every route of a Koa router, chosen by the
// route's own registered path (so the guard judges the route that will actually answer), refusing
// before the handler: 401 anonymous, 403 wrong role, 403 `no_access_rule` for a route the matrix
// does not name (fail closed). It also writes the audit rows the matrix asks for.
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { endpointAccess, judge, type Access } from '../../vocabulary/access.ts';
import { AppError, databaseUnavailable, forbidden, unauthorized } from '../http/errors.ts';
import { requestContext } from '../observe/log.ts';
import type { AuditService } from '../audit/audit.service.ts';

const GUARDED = Symbol('access-guard');

function guard(path: string, audit: AuditService | undefined) {
  const fn = async (ctx: Context, next: Next) => {
    const entry: Access | undefined = endpointAccess(ctx.method, path);
    const user = ctx.state.user ?? null;
    const verdict = judge(entry, user?.role ?? null);
    if (verdict === 'no_rule') throw new AppError(403, 'no_access_rule', `No access rule for ${ctx.method} ${path}`);
    if (verdict === 'anonymous') {
      if (ctx.state.sessionUnknown) throw databaseUnavailable();
      throw unauthorized();
    }
    if (verdict === 'forbidden') throw forbidden(`Not for the role ${user!.role}`);
    const a = entry!.audit;
    if (!a || !audit) return next();
    const row = () => ({
      at: audit.now(), userId: user?.id ?? null, role: user?.role ?? null, action: a.action, entity: a.entity,
      entityId: entityId(ctx), requestId: requestContext.getStore()?.requestId ?? null, client: ctx.ip || null,
      method: ctx.method, route: path, status: null as number | null,
    });
    // A read is recorded before the handler sends anything; a change once it has succeeded.
    if (a.kind === 'read') {
      await audit.append(row());
      return next();
    }
    await next();
    if (ctx.status < 400) await audit.append({ ...row(), status: ctx.status });
  };
  return Object.assign(fn, { [GUARDED]: true });
}

/** The entity's id: the path's :id, else the created object's id in the answer. Never personal data. */
function entityId(ctx: Context): string | null {
  // Only a plain token is written: a path segment could hold anything (a NUL byte PostgreSQL refuses).
  const plain = (v: unknown) => ((typeof v === 'number' || typeof v === 'string') && /^[\w.:-]{1,64}$/.test(String(v)) ? String(v) : null);
  const p = (ctx.params ?? {}) as Record<string, string>;
  if (p.id !== undefined) return plain(p.id);
  const body = ctx.body as { id?: unknown } | null | undefined;
  return body && typeof body === 'object' ? plain(body.id) : null;
}

interface LayerLike { path: string; methods: string[]; stack: ((ctx: Context, next: Next) => unknown)[] }

/** Puts the guard first on every route layer of `router` (idempotent). */
export function enforceAccess(router: Router, audit?: AuditService) {
  for (const layer of router.stack as unknown as LayerLike[]) {
    if (!layer.methods.length) continue;
    if ((layer.stack[0] as unknown as Record<symbol, boolean>)?.[GUARDED]) continue;
    layer.stack.unshift(guard(layer.path, audit));
  }
}

/** Every route layer of the routers mounted on a Koa app (for the walking test and the startup check). */
export function registeredRoutes(middleware: unknown[]): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const m of middleware) {
    const router = (m as { router?: Router }).router;
    if (!router) continue;
    for (const layer of router.stack as unknown as LayerLike[]) {
      for (const method of layer.methods) if (method !== 'HEAD') out.push({ method, path: layer.path });
    }
  }
  return out;
}

/**
 * A screen pop showed a caller card: recorded as it is sent, without holding the pop up for the
 * database (a pop is latency-critical); a failed write is logged.
 */
export function popRead(audit: AuditService, ctx: Context, callId: number, log: { warn(o: object, m: string): void }) {
  const user = ctx.state.user;
  audit.append({
    at: audit.now(), userId: user?.id ?? null, role: user?.role ?? null, action: 'desk.caller_card', entity: 'call',
    entityId: String(callId), requestId: requestContext.getStore()?.requestId ?? null, client: ctx.ip || null,
    method: ctx.method, route: '/api/desk/events', status: null,
  }).catch((err) => log.warn({ err }, 'audit row of a screen pop not written'));
}
