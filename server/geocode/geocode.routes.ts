import Router from '@koa/router';
import { badRequest } from '../http/errors.ts';
import type { GeocodeService } from './geocode.service.ts';

function intParam(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) throw badRequest(`"${name}" must be a positive integer`);
  return Number(raw);
}

export function geocodeRoutes(geocode: GeocodeService) {
  const router = new Router();
  router.get('/geocode', async (ctx) => {
    const q = ctx.query.q;
    if (Array.isArray(q)) throw badRequest('"q" must be given once');
    ctx.body = await geocode.search(q, intParam(ctx.query.limit, 'limit'));
    ctx.set('Cache-Control', 'public, max-age=60');
  });
  router.get('/geocode/buildings/:id', async (ctx) => {
    ctx.body = await geocode.building(intParam(ctx.params.id, 'id')!);
    ctx.set('Cache-Control', 'public, max-age=60');
  });
  return router;
}
