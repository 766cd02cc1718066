// Koa middleware: who is asking (ctx.state.user) and whether their role may.
import type { Context, Next } from 'koa';
import { SESSION_COOKIE, type AuthService } from './auth.service.ts';
import type { Role, User } from '../../vocabulary/roles.ts';
import { classify, databaseUnavailable, forbidden, unauthorized } from '../http/errors.ts';

declare module 'koa' {
  interface DefaultState {
    user?: User | null;
    /** The visitor has a session but the database could not say whose (it is down). */
    sessionUnknown?: boolean;
  }
}

export function sessionMiddleware(auth: AuthService, now: () => Date) {
  return async (ctx: Context, next: Next) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    let user: User | null = null;
    let unknown = false;
    if (token) {
      try {
        user = await auth.userForToken(token);
      } catch (e) {
        // The database is away: the visitor is not "signed out" (that would send an operator to the
        // login page mid-call). Public pages still render; whatever needs the user answers 503.
        if (classify(e)?.status !== 503) throw e;
        unknown = true;
      }
    }
    ctx.state.user = user;
    ctx.state.sessionUnknown = unknown;
    // SvelteKit (adapter-node) sees the raw request as event.platform.req, with the product's clock.
    Object.assign(ctx.req, { mistoUser: user, mistoSessionUnknown: unknown, mistoNow: now() });
    await next();
  };
}

export function requireRole(...roles: Role[]) {
  return async (ctx: Context, next: Next) => {
    const user = ctx.state.user;
    if (!user && ctx.state.sessionUnknown) throw databaseUnavailable();
    if (!user) throw unauthorized();
    if (!roles.includes(user.role)) throw forbidden(`This needs one of the roles: ${roles.join(', ')}`);
    await next();
  };
}
