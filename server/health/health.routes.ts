import Router from '@koa/router';
import type { Db } from '../db/db.ts';

/** 200 with the PostGIS version and applied migrations; 503 with the reason while the database is away. */
export function healthRoutes(db: Db) {
  const router = new Router();
  router.get('/health', async (ctx) => {
    try {
      const row = await db.one<{ postgis: string; migrations: number }>(
        `SELECT postgis_lib_version() AS postgis, (SELECT count(*)::int FROM schema_migration) AS migrations`);
      ctx.body = { status: 'ok', postgis: row.postgis, migrations: row.migrations };
    } catch (e) {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', reason: `database: ${(e as Error).message}` };
    }
  });
  return router;
}
