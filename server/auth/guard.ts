// Koa middleware: who is asking (ctx.state.user) and whether their role may.
import type { Context, Next } from 'koa';
import { SESSION_COOKIE, type AuthService } from './auth.service.ts';
import type { Role, User } from './roles.ts';
import { forbidden, unauthorized } from '../http/errors.ts';

declare module 'koa' {
  interface DefaultState { user?: User | null }
}

export function sessionMiddleware(auth: AuthService, now: () => Date) {
  return async (ctx: Context, next: Next) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    // A database outage must not make public pages fail: treat the visitor as anonymous.
    ctx.state.user = token ? await auth.userForToken(token).catch(() => null) : null;
    // SvelteKit (adapter-node) sees the raw request as event.platform.req, with the product's clock.
    Object.assign(ctx.req, { mistoUser: ctx.state.user, mistoNow: now() });
    await next();
  };
}

export function requireRole(...roles: Role[]) {
  return async (ctx: Context, next: Next) => {
    const user = ctx.state.user;
    if (!user) throw unauthorized();
    if (!roles.includes(user.role)) throw forbidden(`This needs one of the roles: ${roles.join(', ')}`);
    await next();
  };
}
