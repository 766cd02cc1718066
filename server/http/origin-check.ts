// Cross-site request forgery: a state-changing request carries the session cookie wherever it comes
// from, so it is accepted only when the browser says it comes from one of our own origins. Browsers
// send Origin on every cross-origin POST and Sec-Fetch-Site on every request; a request with neither
// (nor a Referer) is not a browser's (curl, the PBX's integrations, the product's own SSR fetches).
import type { Context, Next } from 'koa';
import { AppError } from './errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Token-authenticated links a mail client calls from its own servers (RFC 8058 one-click). */
const EXEMPT = new Set(['/api/announcements/subscriptions/unsubscribe']);

const originOf = (url: string): string | undefined => {
  try { return new URL(url).origin; } catch { return undefined; }
};

/** The public URL's origin, the extra allowed origins and the in-process origin SSR fetches use. */
export function allowedOrigins(cfg: { publicUrl: string; allowedOrigins?: readonly string[] }): Set<string> {
  const list = [cfg.publicUrl, ...(cfg.allowedOrigins ?? []), process.env.MISTO_INTERNAL_ORIGIN ?? ''];
  return new Set(list.map(originOf).filter((o): o is string => !!o && o !== 'null'));
}

const refuse = (origin: string) =>
  new AppError(403, 'cross_origin', `Cross-site request refused (from ${origin.slice(0, 200)})`);

/** `cfg` is read on every request, so a test may set the public URL once its port is known. */
export function originCheck(cfg: { publicUrl: string; allowedOrigins?: readonly string[] }) {
  return async (ctx: Context, next: Next) => {
    if (SAFE.has(ctx.method) || EXEMPT.has(ctx.path)) return next();
    const site = ctx.get('Sec-Fetch-Site');
    // The browser's own word that the page making the request is ours (or the user typed it).
    if (site === 'same-origin' || site === 'none') return next();
    const origin = ctx.get('Origin');
    if (origin) {
      if (!allowedOrigins(cfg).has(origin)) throw refuse(origin);
      return next();
    }
    if (site) throw refuse(`a ${site} page`);
    const referer = ctx.get('Referer');
    if (referer) {
      const from = originOf(referer);
      if (!from || !allowedOrigins(cfg).has(from)) throw refuse(from ?? 'an unreadable Referer');
    }
    return next();
  };
}
