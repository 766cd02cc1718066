import Router from '@koa/router';
import { notFound } from '../http/errors.ts';
import { pathId } from '../http/input.ts';
import type { ObjectsRepo } from './objects.repo.ts';

export function objectsRoutes(repo: ObjectsRepo) {
  const router = new Router({ prefix: '/objects' });
  router.get('/:id', async (ctx) => {
    const id = pathId(ctx);
    const object = await repo.byId(id);
    if (!object) throw notFound(`No infrastructure object ${id}`);
    ctx.body = object;
    ctx.set('Cache-Control', 'public, max-age=30');
  });
  return router;
}
