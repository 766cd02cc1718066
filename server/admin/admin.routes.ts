// Administration over HTTP: who has access, with which role, organisation and desk phone.
import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { badRequest } from '../http/errors.ts';
import { body, optional, pathId, refuse, z } from '../http/input.ts';
import { canonicalInterface, INTERFACE_EXAMPLES } from '../../vocabulary/telephony.ts';
import type { AdminService } from './admin.service.ts';

/** Any interface Asterisk can queue: "PJSIP/101", "SIP/op7", "IAX2/desk", "Local/101@operators/n". */
const phoneInterface = z.string().trim().max(80).transform((raw, ctx) => {
  if (canonicalInterface(raw)) return raw;
  ctx.addIssue(refuse('not_an_interface', { examples: INTERFACE_EXAMPLES.join(', ') },
    `"${raw}" is not a phone interface Asterisk can queue (e.g. ${INTERFACE_EXAMPLES.join(', ')})`));
  return z.NEVER;
});

const UserChange = z.object({
  sipInterface: z.preprocess((v) => (v === '' ? null : v), phoneInterface.nullable().optional()),
  disabled: optional(z.boolean()),
});

export function adminRoutes(admin: AdminService) {
  const router = new Router({ prefix: '/admin' });
  const adminOnly = requireRole('admin');
  router.get('/users', adminOnly, async (ctx) => { ctx.body = await admin.listUsers(); });
  // The desk phone links a queue member to the operator who gets its screen pops.
  router.patch('/users/:id', adminOnly, async (ctx) => {
    const id = pathId(ctx);
    const change = await body(ctx, UserChange);
    if (change.sipInterface === undefined && change.disabled === undefined) {
      throw badRequest('Nothing to change: send "sipInterface" and/or "disabled"', { code: 'nothing_to_change' });
    }
    ctx.body = await admin.updateUser(id, change);
  });
  // An analyst's sight of appeals' free text: granting and revoking are separate routes, so each
  // leaves its own audit row (vocabulary/access.ts).
  router.put('/users/:id/appeal-text', adminOnly, async (ctx) => { ctx.body = await admin.setAppealText(pathId(ctx), true); });
  router.delete('/users/:id/appeal-text', adminOnly, async (ctx) => { ctx.body = await admin.setAppealText(pathId(ctx), false); });
  return router;
}
