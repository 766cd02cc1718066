import Router from '@koa/router';
import type { CityRepo } from './city.repo.ts';

export function cityRoutes(repo: CityRepo) {
  const router = new Router({ prefix: '/city' });
  router.get('/summary', async (ctx) => {
    ctx.body = await repo.summary();
    ctx.set('Cache-Control', 'public, max-age=60');
  });
  router.get('/districts', async (ctx) => {
    ctx.body = await repo.districts();
    ctx.set('Cache-Control', 'public, max-age=60');
  });
  return router;
}
