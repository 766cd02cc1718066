import Router from '@koa/router';
import { query, int, optional, text, z } from '../http/input.ts';
import { MAX_LIMIT, MAX_QUERY, type GeocodeService } from './geocode.service.ts';

const SearchQuery = z.object({ q: text(MAX_QUERY, 1), limit: optional(int(1, MAX_LIMIT)) });

export function geocodeRoutes(geocode: GeocodeService) {
  const router = new Router();
  router.get('/geocode', async (ctx) => {
    const q = query(ctx, SearchQuery);
    ctx.body = await geocode.search(q.q, q.limit);
    ctx.set('Cache-Control', 'public, max-age=60');
  });
  return router;
}
