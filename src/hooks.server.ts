// Who is asking and in which language; pages guarded by role on the server. Every page lives
// under routes/(app), whose layout turns `forbidden` into a 403 page.
// In production Koa has already resolved the session (platform.req.mistoUser); under `npm run dev`
// the API runs beside Vite, so the user is asked of it.
import { redirect, type Handle, type HandleFetch } from '@sveltejs/kit';
import type { User } from '$vocabulary/roles';
import { judge, pageAccess } from '$vocabulary/access';
import { isLocale, DEFAULT_LOCALE } from '$lib/i18n';

/** Where Koa answers inside this machine: the same process in production, the API beside Vite in dev. */
const apiOrigin = () => process.env.MISTO_INTERNAL_ORIGIN ?? `http://127.0.0.1:${process.env.API_PORT ?? 3001}`;
const KOA_PATHS = /^\/(api|maps|capabilities|fonts|sprites)(\/|$)/;

/** A tile server of its own (TILE_URL) is the one other origin pages fetch from (kit.csp knows only 'self'). */
const originOf = (url: string | undefined) => {
  try { return url ? new URL(url).origin : ''; } catch { return ''; }
};

async function userFromApi(cookie: string | null): Promise<User | null> {
  if (!cookie) return null;
  const res = await fetch(`${apiOrigin()}/api/auth/me`, { headers: { cookie } }).catch(() => null);
  return res?.ok ? ((await res.json()) as { user: User }).user : null;
}

export const handle: Handle = async ({ event, resolve }) => {
  const req = event.platform?.req;
  event.locals.user = req && 'mistoUser' in req ? (req.mistoUser ?? null) : await userFromApi(event.request.headers.get('cookie'));
  // The product's clock (server/clock.ts); beside Vite in development the API runs on the system's.
  event.locals.now = req?.mistoNow ?? new Date();

  const asked = event.url.searchParams.get('lang');
  if (isLocale(asked)) event.cookies.set('lang', asked, { path: '/', httpOnly: false, sameSite: 'lax', maxAge: 365 * 24 * 3600 });
  const cookieLang = event.cookies.get('lang');
  event.locals.locale = isLocale(asked) ? asked : isLocale(cookieLang) ? cookieLang : DEFAULT_LOCALE;

  // Pages answer to the one matrix (vocabulary/access.ts); a page it does not name is refused.
  const verdict = event.route.id ? judge(pageAccess(event.route.id), event.locals.user?.role ?? null) : 'allowed';
  const guarded = verdict !== 'allowed';
  if (guarded && verdict === 'anonymous' && req?.mistoSessionUnknown) {
    event.locals.unavailable = true; // the database is down: a 503 page, not the login form
  } else if (guarded) {
    if (!event.locals.user) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
    event.locals.forbidden = true; // rendered as 403 by routes/(app)/+layout.server.ts, inside the shell
  }
  const response = await resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.locale) });
  const csp = response.headers.get('content-security-policy');
  const tileOrigin = originOf(req?.mistoTileUrl ?? process.env.TILE_URL);
  if (tileOrigin && csp) response.headers.set('content-security-policy', csp.replace(/connect-src ([^;]*)/, `connect-src $1 ${tileOrigin}`));
  return response;
};

// SvelteKit answers same-origin fetches itself during SSR; the API's paths belong to Koa.
export const handleFetch: HandleFetch = async ({ event, request, fetch }) => {
  const url = new URL(request.url);
  if (url.origin !== event.url.origin || !KOA_PATHS.test(url.pathname)) return fetch(request);
  const headers = new Headers(request.headers);
  const cookie = event.request.headers.get('cookie');
  if (cookie) headers.set('cookie', cookie);
  headers.set('accept-language', event.locals.locale);
  return fetch(new Request(new URL(url.pathname + url.search, apiOrigin()), {
    method: request.method, headers, body: request.body, duplex: 'half',
  } as RequestInit));
};
