import Router from '@koa/router';
import type { HealthRepo } from './health.repo.ts';

/**
 * 200 with the PostGIS version and applied migrations; 503 while the database is away. The reason
 * goes to the log, not to the caller: a load balancer needs only the status, and the driver's error
 * names internal addresses.
 */
export function healthRoutes(repo: HealthRepo, log: (m: string) => void) {
  const router = new Router();
  router.get('/health', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      const row = await repo.probe();
      ctx.body = { status: 'ok', postgis: row.postgis, migrations: row.migrations };
    } catch (e) {
      log(`health: database: ${(e as Error).message}`);
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = { status: 'unavailable', reason: 'database' };
    }
  });
  return router;
}
