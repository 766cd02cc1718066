// Administration: who has access, with which role, organisation and desk phone.
import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { body, optional, pathId, z } from '../http/input.ts';
import type { AuthRepo } from '../auth/auth.repo.ts';

// Asterisk names a queue member "PJSIP/101", "SIP/op7", "Local/101@agents"…
const SIP_INTERFACE = /^[A-Za-z]+\/[\w.@-]{1,64}$/;

const UserChange = z.object({
  sipInterface: z.preprocess((v) => (v === '' ? null : v), z.string().max(80).regex(SIP_INTERFACE).nullable().optional()),
  disabled: optional(z.boolean()),
});

export function adminRoutes(users: AuthRepo) {
  const router = new Router({ prefix: '/admin' });
  const admin = requireRole('admin');
  router.get('/users', admin, async (ctx) => { ctx.body = await users.listUsers(); });
  // The desk phone links a queue member to the operator who gets its screen pops.
  router.patch('/users/:id', admin, async (ctx) => {
    const id = pathId(ctx);
    const change = await body(ctx, UserChange);
    if (change.sipInterface === undefined && change.disabled === undefined) {
      throw badRequest('Nothing to change: send "sipInterface" and/or "disabled"', { code: 'nothing_to_change' });
    }
    const row = await users.updateUser(id, change);
    if (!row) throw notFound(`No user ${id}`);
    ctx.body = row;
  });
  return router;
}
