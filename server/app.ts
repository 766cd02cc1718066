// The Koa application: error handling, sessions, the API under /api, domain routers that own
// their own paths (tiles), and finally the SvelteKit UI.
import Koa from 'koa';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { errorMiddleware } from './http/errors.ts';
import { queryGuard } from './http/body.ts';
import { originCheck } from './http/origin-check.ts';
import { securityHeaders } from './http/security-headers.ts';
import { sessionMiddleware } from './auth/guard.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { cityRoutes } from './city/city.routes.ts';
import { buildingsRoutes } from './city/buildings.routes.ts';
import { adminRoutes } from './admin/admin.routes.ts';
import { catalogueRoutes } from './catalogue/catalogue.routes.ts';
import { appealsRoutes } from './appeals/appeals.routes.ts';
import { geocodeRoutes } from './geocode/geocode.routes.ts';
import { objectsRoutes } from './objects/objects.routes.ts';
import { kartaRoutes } from './karta/karta.routes.ts';
import { announcementsRoutes } from './announcements/announcements.routes.ts';
import { tilesRoutes } from './tiles/tiles.routes.ts';
import { residentsRoutes } from './residents/residents.routes.ts';
import { telephonyRoutes } from './telephony/telephony.routes.ts';
import { callStatsRoutes } from './telephony/call-stats.routes.ts';
import { surveysRoutes } from './surveys/surveys.routes.ts';
import { intakeRoutes } from './intake/intake.routes.ts';
import { open311Routes } from './open311/open311.routes.ts';
import { apiKeysRoutes } from './open311/api-keys.routes.ts';
import { planningRoutes } from './planning/planning.routes.ts';
import { appealStatsRoutes } from './stats/appeal-stats.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { enforceAccess, popRead } from './auth/access-guard.ts';
import type { Services } from './services.ts';
import { lifecycle, type Lifecycle } from './http/lifecycle.ts';
import { logger } from './observe/log.ts';
import { metricsEndpoint, requestObserver } from './observe/http.ts';
import type { Logger } from 'pino';

export interface AppOptions {
  /** SvelteKit's handler (production build); absent in API-only mode and in API tests. */
  ui?: Middleware;
  /** Where request lines and errors go (the process's logger by default). */
  logger?: Logger;
  /** In-flight requests, event streams and draining (server/main.ts); a fresh one by default. */
  lifecycle?: Lifecycle;
}

export function createApp(s: Services, opts: AppOptions = {}) {
  const app = new Koa({ proxy: s.config.trustProxy });
  const life = opts.lifecycle ?? lifecycle({ trustRequestId: s.config.trustProxy });
  const httpLog = (opts.logger ?? logger).child({ component: 'http' });
  app.on('error', (err: Error) => httpLog.error({ err }, 'unexpected error'));
  app.use(life.middleware);
  app.use(requestObserver(s.metrics, httpLog));
  app.use(securityHeaders);
  app.use(errorMiddleware);
  app.use(metricsEndpoint(s.metrics, s.config.metricsToken));
  // Open311 GeoReport v2: its own error format, api_key instead of a session (so no origin check).
  app.use(open311Routes(s.open311, s.apiKeys, s.config));
  app.use(queryGuard);
  app.use(originCheck(s.config));
  // Tiles, styles, glyphs and sprites: public and hot, so before sessions.
  app.use(tilesRoutes(s.tiles, { tileUrl: s.config.tileUrl, publicUrl: () => s.config.publicUrl }));
  app.use(sessionMiddleware(s.auth, s.clock.now));

  const api = new Router({ prefix: '/api' });
  for (const router of [
    healthRoutes(s.repos.health, (m) => httpLog.warn(m)),
    authRoutes(s.auth, s.config),
    cityRoutes(s.city),
    buildingsRoutes(s),
    adminRoutes(s.admin),
    catalogueRoutes(s.catalogue),
    appealsRoutes(s.appeals),
    residentsRoutes(s.residents, s.appeals),
    telephonyRoutes(s.telephony, { auth: s.auth, lifecycle: life, popRead: (ctx, callId) => popRead(s.audit, ctx, callId, httpLog) }),
    geocodeRoutes(s.geocode),
    objectsRoutes(s.objects),
    kartaRoutes(s.config),
    announcementsRoutes(s.announcements),
    callStatsRoutes(s.callStats),
    surveysRoutes(s.surveys),
    intakeRoutes(s.intake),
    apiKeysRoutes(s.apiKeys),
    planningRoutes(s.planning, s.live, { lifecycle: life, heartbeatMs: s.config.sseHeartbeatMs }),
    appealStatsRoutes(s.appealStats),
    auditRoutes(s.audit),
  ]) {
    api.use(router.routes(), router.allowedMethods());
  }
  // Unknown API paths answer JSON 404 rather than falling through to the UI.
  api.all('/{*rest}', (ctx) => {
    ctx.status = 404;
    ctx.body = { error: 'not_found', message: `No API route ${ctx.method} ${ctx.path}` };
  });
  app.use(api.routes());
  // Every route of every router mounted so far answers to the one matrix (vocabulary/access.ts);
  // the UI after them guards its pages by the same table (src/hooks.server.ts).
  for (const m of app.middleware as { router?: Router }[]) if (m.router) enforceAccess(m.router, s.audit);

  if (opts.ui) {
    // The pages' CSP lets them fetch tiles from TILE_URL (src/hooks.server.ts).
    app.use((ctx, next) => { Object.assign(ctx.req, { mistoTileUrl: s.config.tileUrl }); return next(); });
    app.use(opts.ui);
  }
  // The configuration the app reads per request (its public URL), for whoever serves it.
  return Object.assign(app, { config: s.config });
}
