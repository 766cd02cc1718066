// Everything under /residents: personal data, for operators and admins only.
import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { body, pathId, query } from '../http/input.ts';
import type { AppealsService } from '../appeals/appeals.service.ts';
import type { ResidentsService } from './residents.service.ts';
import { CreateResidentBody, PhoneBody, PhoneQuery } from './residents.input.ts';

export function residentsRoutes(residents: ResidentsService, appeals: AppealsService) {
  const router = new Router({ prefix: '/residents' });
  const personal = requireRole('operator', 'admin');

  router.post('/', personal, async (ctx) => {
    ctx.body = await residents.create(await body(ctx, CreateResidentBody));
    ctx.status = 201;
  });
  // The caller card by number, as the screen pop shows it.
  router.get('/card', personal, async (ctx) => { ctx.body = await residents.callerCard(query(ctx, PhoneQuery).phone); });
  router.get('/lookup', personal, async (ctx) => { ctx.body = await residents.byPhone(query(ctx, PhoneQuery).phone); });
  router.get('/:id', personal, async (ctx) => { ctx.body = await residents.get(pathId(ctx)); });
  router.post('/:id/phones', personal, async (ctx) => {
    ctx.body = await residents.addPhone(pathId(ctx), (await body(ctx, PhoneBody)).phone);
    ctx.status = 201;
  });
  router.get('/:id/appeals', personal, async (ctx) => { ctx.body = await appeals.byResident(pathId(ctx)); });
  return router;
}
