// Everything under /buildings/:id — the building, and what the domains know about it: appeals
// (by role), residents (personal data), announcements affecting it (public).
import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { optional, parse, query, id, dateTime, z } from '../http/input.ts';
import { BuildingAppealsQuery } from '../appeals/appeals.input.ts';
import { InBuildingQuery } from '../residents/residents.input.ts';
import type { AppealsService } from '../appeals/appeals.service.ts';
import type { ResidentsService } from '../residents/residents.service.ts';
import type { AnnouncementsService } from '../announcements/announcements.service.ts';
import type { GeocodeService } from '../geocode/geocode.service.ts';

declare module 'koa' {
  interface DefaultState { buildingId?: number }
}

export function buildingsRoutes(s: { geocode: GeocodeService; appeals: AppealsService; residents: ResidentsService; announcements: AnnouncementsService }) {
  const router = new Router({ prefix: '/buildings' });
  router.param('id', (raw, ctx, next) => {
    ctx.state.buildingId = parse(z.object({ id }), { id: raw }).id;
    return next();
  });

  // The building as a GeoJSON feature (public: addresses and footprints are).
  router.get('/:id', async (ctx) => {
    ctx.body = await s.geocode.building(ctx.state.buildingId!);
    ctx.set('Cache-Control', 'public, max-age=60');
  });
  router.get('/:id/appeals', requireRole('operator', 'admin', 'executor', 'analyst'), async (ctx) => {
    ctx.body = await s.appeals.byBuilding(ctx.state.buildingId!, query(ctx, BuildingAppealsQuery), ctx.state.user!);
  });
  router.get('/:id/residents', requireRole('operator', 'admin'), async (ctx) => {
    ctx.body = await s.residents.inBuilding(ctx.state.buildingId!, query(ctx, InBuildingQuery).apartment);
  });
  router.get('/:id/announcements', async (ctx) => {
    ctx.body = await s.announcements.forBuilding(ctx.state.buildingId!, query(ctx, z.object({ at: optional(dateTime) })).at);
  });
  return router;
}
