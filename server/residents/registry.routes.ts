import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { readBody } from '../http/body.ts';
import { badRequest } from '../http/errors.ts';
import type { ResidentRegistry } from './registry.service.ts';

const pathId = (v: string | undefined, name = 'id') => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw badRequest(`"${name}" must be a positive integer`);
  return n;
};

/** Residents are personal data: every route here is for operators and admins only. */
export function residentRegistryRoutes(residents: ResidentRegistry) {
  const router = new Router();
  const personal = requireRole('operator', 'admin');

  router.post('/residents', personal, async (ctx) => {
    ctx.body = await residents.create(await readBody(ctx));
    ctx.status = 201;
  });
  router.get('/residents/lookup', personal, async (ctx) => { ctx.body = await residents.byPhone(ctx.query.phone); });
  router.get('/residents/:id', personal, async (ctx) => { ctx.body = await residents.get(pathId(ctx.params.id)); });
  router.post('/residents/:id/phones', personal, async (ctx) => {
    ctx.body = await residents.addPhone(pathId(ctx.params.id), (await readBody(ctx)).phone);
    ctx.status = 201;
  });
  router.get('/buildings/:id/residents', personal, async (ctx) => {
    const apt = typeof ctx.query.apartment === 'string' && ctx.query.apartment.trim() ? ctx.query.apartment.trim() : null;
    ctx.body = await residents.inBuilding(pathId(ctx.params.id), apt);
  });
  return router;
}
