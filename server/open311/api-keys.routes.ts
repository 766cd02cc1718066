// The admin's API keys for Open311 clients: issue (the key is in this one answer only), list, revoke.
import Router from '@koa/router';
import type { Context } from 'koa';
import { requireRole } from '../auth/guard.ts';
import { body, pathId, text, z } from '../http/input.ts';
import type { ApiKeys } from './api-keys.ts';

const IssueBody = z.object({ name: text(200, 1) });

export function apiKeysRoutes(keys: ApiKeys) {
  const router = new Router({ prefix: '/admin/api-keys' });
  const adminOnly = requireRole('admin');
  router.get('/', adminOnly, async (ctx) => { ctx.body = await keys.list(); });
  router.post('/', adminOnly, async (ctx) => {
    const { name } = await body(ctx, IssueBody);
    ctx.status = 201;
    ctx.body = await keys.issue(name, ctx.state.user?.id ?? null);
  });
  const revoke = async (ctx: Context) => { ctx.body = await keys.revoke(pathId(ctx)); };
  router.delete('/:id', adminOnly, revoke);
  router.post('/:id/revoke', adminOnly, revoke);
  return router;
}
