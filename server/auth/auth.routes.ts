import Router from '@koa/router';
import { body as readInput, optional, refuse, z } from '../http/input.ts';
import { AppError, databaseUnavailable, unauthorized } from '../http/errors.ts';
import { SESSION_COOKIE, type AuthService } from './auth.service.ts';

/** Only same-site relative paths: a sign-in link must not bounce the user elsewhere. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)/.test(next) ? next : '/');

/** A password never holds NUL: "secret\0" must not pass for "secret" in any layer below. */
const password = z.string().min(1).max(1024).superRefine((p, ctx) => {
  if (p.includes('\u0000')) ctx.addIssue(refuse('invalid_text', {}, 'The password contains a NUL character'));
});

const LoginBody = z.object({
  login: z.string().min(1).max(64),
  password,
  next: optional(z.string().max(2000)),
});

export function authRoutes(auth: AuthService, opts: { sessionDays: number; secureCookies: boolean }) {
  const router = new Router({ prefix: '/auth' });
  const isForm = (ctx: { is(t: string): string | false | null }) => !!ctx.is('application/x-www-form-urlencoded');

  router.post('/login', async (ctx) => {
    const { login, password, next } = await readInput(ctx, LoginBody, { form: true });
    const form = isForm(ctx);
    let result;
    try {
      result = await auth.signIn(login, password, ctx.ip);
    } catch (e) {
      if (e instanceof AppError && e.status === 429) {
        ctx.set('Retry-After', String(e.params?.seconds ?? 1));
        if (form) return ctx.redirect(`/login?error=throttled&next=${encodeURIComponent(safeNext(next))}`);
      }
      throw e;
    }
    if (!result) {
      if (form) return ctx.redirect(`/login?error=1&next=${encodeURIComponent(safeNext(next))}`);
      throw new AppError(401, 'wrong_credentials', 'Wrong login or password');
    }
    ctx.cookies.set(SESSION_COOKIE, result.token, {
      httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, overwrite: true,
      maxAge: opts.sessionDays * 24 * 3600 * 1000,
    });
    if (form) return ctx.redirect(safeNext(next));
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
