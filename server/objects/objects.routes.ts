import Router from '@koa/router';
import { badRequest, notFound } from '../http/errors.ts';
import type { ObjectsRepo } from './objects.repo.ts';

export function objectsRoutes(repo: ObjectsRepo) {
  const router = new Router({ prefix: '/objects' });
  router.get('/:id', async (ctx) => {
    if (!/^\d{1,9}$/.test(ctx.params.id)) throw badRequest('The object id must be a positive integer');
    const object = await repo.byId(Number(ctx.params.id));
    if (!object) throw notFound(`No infrastructure object ${ctx.params.id}`);
    ctx.body = object;
    ctx.set('Cache-Control', 'public, max-age=30');
  });
  return router;
}
