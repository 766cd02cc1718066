// Headers every response carries. Pages get their Content-Security-Policy from SvelteKit (kit.csp
// in svelte.config.js, with a nonce per page); what Koa answers itself (JSON, tiles, recordings)
// gets a policy that lets nothing run or frame it. The UI's scripts get none: a worker script runs
// under the policy of its own response, and MapLibre's worker must fetch tiles.
import type { Context, Next } from 'koa';

const BASELINE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** What Koa answers itself; every other path is SvelteKit's (pages and their assets). */
const KOA_PATHS = /^\/(api|maps|capabilities|fonts|sprites|metrics)(\/|$)/;
/** Half a year: long enough to matter, short enough to recover from a certificate mistake. */
const HSTS = 'max-age=15552000';

export async function securityHeaders(ctx: Context, next: Next) {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  if (KOA_PATHS.test(ctx.path)) ctx.set('Content-Security-Policy', BASELINE_CSP);
  // ctx.secure follows X-Forwarded-Proto only when TRUST_PROXY is set.
  if (ctx.secure) ctx.set('Strict-Transport-Security', HSTS);
  try {
    await next();
  } finally {
    // API answers are about the signed-in user (caller cards, residents, calls, appeals, users):
    // no browser or proxy keeps them unless the route says it is public.
    if ((ctx.path === '/api' || ctx.path.startsWith('/api/')) && !ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
  }
}
