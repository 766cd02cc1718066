import Router from '@koa/router';
import type { Db } from '../db/db.ts';
import { requireRole } from '../auth/guard.ts';
import { readBody } from '../http/body.ts';
import { badRequest, notFound } from '../http/errors.ts';

// Asterisk names a queue member "PJSIP/101", "SIP/op7", "Local/101@agents"…
const SIP_INTERFACE = /^[A-Za-z]+\/[\w.@-]{1,64}$/;

const USERS = `
  SELECT u.id, u.login, u.full_name AS "fullName", u.role, u.sip_interface AS "sipInterface",
         e.name AS executor, u.disabled, u.created_at AS "createdAt"
    FROM app_user u LEFT JOIN executor e ON e.id = u.executor_id`;

/** Administration: who has access, with which role, organisation and desk phone. */
export function adminRoutes(db: Db) {
  const router = new Router({ prefix: '/admin' });
  router.use(requireRole('admin'));
  router.get('/users', async (ctx) => {
    ctx.body = await db.any(`${USERS} ORDER BY u.role, u.login`);
  });
  // The desk phone links a queue member to the operator who gets its screen pops.
  router.patch('/users/:id', async (ctx) => {
    const id = Number(ctx.params.id);
    if (!Number.isSafeInteger(id)) throw badRequest('User id must be an integer');
    const body = await readBody(ctx);
    const sets: string[] = [];
    const values: unknown[] = [id];
    if ('sipInterface' in body) {
      const v = body.sipInterface === '' || body.sipInterface === null ? null : body.sipInterface;
      if (v !== null && (typeof v !== 'string' || !SIP_INTERFACE.test(v))) throw badRequest('"sipInterface" must look like PJSIP/101');
      values.push(v);
      sets.push(`sip_interface = $${values.length}`);
    }
    if ('disabled' in body) {
      if (typeof body.disabled !== 'boolean') throw badRequest('"disabled" must be true or false');
      values.push(body.disabled);
      sets.push(`disabled = $${values.length}`);
    }
    if (!sets.length) throw badRequest('Nothing to change: send "sipInterface" and/or "disabled"');
    const row = await db.tx(async (t) => {
      const updated = await t.oneOrNone(`UPDATE app_user SET ${sets.join(', ')} WHERE id = $1 RETURNING id`, values);
      // A disabled user is signed out everywhere at once.
      if (updated && body.disabled === true) await t.none('DELETE FROM user_session WHERE user_id = $1', [id]);
      return updated && t.one(`${USERS} WHERE u.id = $1`, [id]);
    });
    if (!row) throw notFound(`No user ${id}`);
    ctx.body = row;
  });
  return router;
}
