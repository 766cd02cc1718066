import Router from '@koa/router';
import type { Db } from '../db/db.ts';
import { requireRole } from '../auth/guard.ts';

/** Administration: who has access, with which role and organisation. */
export function adminRoutes(db: Db) {
  const router = new Router({ prefix: '/admin' });
  router.use(requireRole('admin'));
  router.get('/users', async (ctx) => {
    ctx.body = await db.any(`
      SELECT u.id, u.login, u.full_name AS "fullName", u.role, u.sip_interface AS "sipInterface",
             e.name AS executor, u.disabled, u.created_at AS "createdAt"
        FROM app_user u LEFT JOIN executor e ON e.id = u.executor_id
       ORDER BY u.role, u.login`);
  });
  return router;
}
