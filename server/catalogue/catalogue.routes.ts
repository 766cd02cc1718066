import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { optional, pathId, query, id, lon, lat, z } from '../http/input.ts';
import type { CatalogueService } from './catalogue.service.ts';

const SuggestionQuery = z.object({
  categoryId: id,
  buildingId: optional(id),
  infraObjectId: optional(id),
  lon: optional(lon),
  lat: optional(lat),
});

export function catalogueRoutes(catalogue: CatalogueService) {
  const router = new Router();
  // The catalogue itself is not personal: every signed-in role may read it (analysts filter by it).
  const signedIn = requireRole('operator', 'admin', 'executor', 'analyst');

  router.get('/catalogue', signedIn, async (ctx) => { ctx.body = await catalogue.tree(); });

  router.get('/catalogue/suggestion', requireRole('operator', 'admin'), async (ctx) => {
    const q = query(ctx, SuggestionQuery);
    ctx.body = await catalogue.suggestion(q.categoryId, {
      buildingId: q.buildingId ?? null,
      infraObjectId: q.infraObjectId ?? null,
      point: q.lon !== undefined && q.lat !== undefined ? { lon: q.lon, lat: q.lat } : null,
    });
  });

  router.get('/executors', signedIn, async (ctx) => { ctx.body = await catalogue.executors(); });
  router.get('/executors/:id', signedIn, async (ctx) => { ctx.body = await catalogue.executor(pathId(ctx)); });
  return router;
}
