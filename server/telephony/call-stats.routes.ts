// GET /api/stats/calls: the contact centre's own statistics, for those who may open them
// (vocabulary/roles.ts, area callStats). Counts only: no caller's number or name.
import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { query } from '../http/input.ts';
import { AREA_ROLES } from '../../vocabulary/roles.ts';
import { CallStatsQuery } from './call-stats.input.ts';
import type { CallStatsService } from './call-stats.service.ts';

export function callStatsRoutes(s: CallStatsService) {
  const router = new Router();
  router.get('/stats/calls', requireRole(...AREA_ROLES.callStats), async (ctx) => {
    const q = query(ctx, CallStatsQuery);
    ctx.body = await s.stats({ from: q.from, to: q.to, queue: q.queue ?? null, operator: q.operator ?? null });
    ctx.set('Cache-Control', 'no-store');
  });
  return router;
}
