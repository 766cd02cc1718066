import Router from '@koa/router';
import { readBody, field } from '../http/body.ts';
import { databaseUnavailable, unauthorized } from '../http/errors.ts';
import { SESSION_COOKIE, type AuthService } from './auth.service.ts';

/** Only same-site relative paths: a sign-in link must not bounce the user elsewhere. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)/.test(next) ? next : '/');

export function authRoutes(auth: AuthService, opts: { sessionDays: number; secureCookies: boolean }) {
  const router = new Router({ prefix: '/auth' });
  const isForm = (ctx: { is(t: string): string | false | null }) => !!ctx.is('application/x-www-form-urlencoded');

  router.post('/login', async (ctx) => {
    const body = await readBody(ctx);
    const form = isForm(ctx);
    const login = field.string(body, 'login', { max: 64 })!;
    const password = field.string(body, 'password', { max: 1024 })!;
    const result = await auth.signIn(login, password);
    if (!result) {
      if (form) return ctx.redirect(`/login?error=1&next=${encodeURIComponent(safeNext(body.next))}`);
      throw unauthorized('Wrong login or password');
    }
    ctx.cookies.set(SESSION_COOKIE, result.token, {
      httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, overwrite: true,
      maxAge: opts.sessionDays * 24 * 3600 * 1000,
    });
    if (form) return ctx.redirect(safeNext(body.next));
    ctx.body = { user: result.user };
  });

  router.post('/logout', async (ctx) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) await auth.signOut(token);
    ctx.cookies.set(SESSION_COOKIE, null, { httpOnly: true, sameSite: 'lax' });
    if (isForm(ctx)) return ctx.redirect('/');
    ctx.status = 204;
  });

  router.get('/me', (ctx) => {
    if (!ctx.state.user && ctx.state.sessionUnknown) throw databaseUnavailable();
    if (!ctx.state.user) throw unauthorized();
    ctx.body = { user: ctx.state.user };
  });
  return router;
}
