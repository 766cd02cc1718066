// Every request observed once: its latency in the route's histogram and one log line. The route is
// the router's pattern (/api/appeals/:id), never the raw path, so ids do not explode the metric's
// labels; the line has the path but not the query string, which carries phones and addresses.
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';

declare module 'koa' {
  interface DefaultState { route?: string }
}

/** The label a request is counted under. */
export function routeOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: string })._matchedRoute;
  if (ctx.state.route) return ctx.state.route;
  if (typeof matched === 'string' && matched !== '/api/{*rest}') return matched;
  const p = ctx.path;
  if (p.startsWith('/maps/')) return p.endsWith('.pbf') ? '/maps/tile' : '/maps/doc';
  if (p.startsWith('/fonts/')) return '/fonts';
  if (p.startsWith('/sprites/')) return '/sprites';
  if (p.startsWith('/capabilities')) return '/capabilities';
  if (p.startsWith('/api/')) return 'unmatched';
  return p.startsWith('/_app/') ? 'ui-asset' : 'ui';
}

export function requestObserver(metrics: Metrics, log: Logger) {
  return async function observe(ctx: Context, next: Next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = routeOf(ctx);
      // A handler that took over the response (SvelteKit, SSE) wrote the status itself.
      const status = ctx.respond === false ? ctx.res.statusCode : ctx.status;
      metrics.httpDuration.observe({ method: ctx.method, route, status: String(status) }, seconds);
      // The error's stable code says which "not now" it was (database_unavailable, timeout, busy).
      const code = status >= 400 ? (ctx.body as { error?: unknown } | undefined)?.error : undefined;
      const line = { method: ctx.method, route, path: ctx.path, status, ms: Math.round(seconds * 1000), user: ctx.state.user?.id, ...(typeof code === 'string' ? { code } : {}) };
      // Tiles and assets are most of the traffic and tell little one by one.
      // 503 is the database or the process saying "not now" (it recovers by itself); 500 is a bug.
      if (status === 503) log.warn(line, 'request unavailable');
      else if (status >= 500) log.error(line, 'request failed');
      else if (route === '/maps/tile' || route === '/fonts' || route === 'ui-asset') log.debug(line, 'request');
      else log.info(line, 'request');
    }
  };
}

/** GET /metrics for Prometheus: with METRICS_TOKEN set, only with that bearer token; else loopback only. */
export function metricsEndpoint(metrics: Metrics, token: string) {
  return async function serveMetrics(ctx: Context, next: Next) {
    if (ctx.path !== '/metrics') return next();
    ctx.state.route = '/metrics';
    const allowed = token
      ? ctx.get('Authorization') === `Bearer ${token}`
      // The socket's own address: a forwarded header could claim anything.
      : ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(ctx.req.socket.remoteAddress ?? '');
    if (!allowed) {
      ctx.status = token ? 401 : 403;
      ctx.body = { error: 'forbidden', message: token ? 'A bearer token is required' : 'Metrics are served to this machine only (or set METRICS_TOKEN)' };
      return;
    }
    ctx.set('Content-Type', metrics.registry.contentType);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await metrics.registry.metrics();
  };
}
