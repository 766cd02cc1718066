import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { badRequest } from '../http/errors.ts';
import type { CatalogueService } from './catalogue.service.ts';
import type { Place } from './catalogue.repo.ts';

const optInt = (v: unknown, name: string) => {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw badRequest(`"${name}" must be a positive integer`);
  return n;
};
const optCoord = (v: unknown, name: string, limit: number) => {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  if (!Number.isFinite(n) || Math.abs(n) > limit) throw badRequest(`"${name}" must be a number within ±${limit}`);
  return n;
};

export function catalogueRoutes(catalogue: CatalogueService) {
  const router = new Router();
  // The catalogue itself is not personal: every signed-in role may read it (analysts filter by it).
  const signedIn = requireRole('operator', 'admin', 'executor', 'analyst');

  router.get('/catalogue', signedIn, async (ctx) => { ctx.body = await catalogue.tree(); });

  router.get('/catalogue/suggestion', requireRole('operator', 'admin'), async (ctx) => {
    const q = ctx.query;
    const categoryId = optInt(q.categoryId, 'categoryId');
    if (!categoryId) throw badRequest('"categoryId" is required');
    const lon = optCoord(q.lon, 'lon', 180), lat = optCoord(q.lat, 'lat', 90);
    const place: Place = {
      buildingId: optInt(q.buildingId, 'buildingId'),
      infraObjectId: optInt(q.infraObjectId, 'infraObjectId'),
      point: lon !== null && lat !== null ? { lon, lat } : null,
    };
    ctx.body = await catalogue.suggestion(categoryId, place);
  });

  router.get('/executors', signedIn, async (ctx) => { ctx.body = await catalogue.executors(); });
  router.get('/executors/:id', signedIn, async (ctx) => { ctx.body = await catalogue.executor(optInt(ctx.params.id, 'id')!); });
  return router;
}
