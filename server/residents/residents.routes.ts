import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import type { ResidentsService } from './residents.service.ts';

export function residentsRoutes(residents: ResidentsService) {
  const router = new Router();
  // The caller card by number (personal data: operators and admins only).
  router.get('/residents/card', requireRole('operator', 'admin'), async (ctx) => {
    ctx.body = await residents.cardFor(ctx.query.phone);
  });
  return router;
}
