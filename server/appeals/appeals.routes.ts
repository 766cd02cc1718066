// Appeals over HTTP: registration (idempotent with the client's request id), detail, the executor's
// changes and lists. The building's and the resident's appeals live with those resources
// (server/city/buildings.routes.ts, server/residents/residents.routes.ts).
import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { readBody } from '../http/body.ts';
import { body, parse, pathId, query, optional, requestId, z } from '../http/input.ts';
import { BulkBody, ConfirmationBody, ListQuery, ReassignBody, RegisterBody, UpdateBody } from './appeals.input.ts';
import type { AppealsService } from './appeals.service.ts';

const RequestId = z.object({ key: optional(requestId) });

export function appealsRoutes(appeals: AppealsService) {
  const router = new Router();

  // Idempotent with the client's request id (Idempotency-Key header, or "requestId" in the body):
  // 201 for the appeal made now, 200 with the same appeal for a retry.
  router.post('/appeals', requireRole('operator', 'admin'), async (ctx) => {
    const raw = await readBody(ctx);
    const { key } = parse(RequestId, { key: ctx.get('Idempotency-Key') || raw.requestId });
    const result = await appeals.register(parse(RegisterBody, raw), ctx.state.user!, key ?? null);
    ctx.status = 'replayed' in result ? 200 : 201;
    ctx.body = result;
  });

  // The contact centre's queue of appeals returned as "not our competence" (before /appeals/:id).
  router.get('/appeals/returned', requireRole('operator', 'supervisor', 'admin'), async (ctx) => {
    ctx.body = await appeals.returned(ctx.state.user!);
  });

  router.get('/appeals/:id', requireRole('operator', 'admin', 'executor', 'analyst'), async (ctx) => {
    ctx.body = await appeals.get(pathId(ctx), ctx.state.user!);
  });

  router.patch('/appeals/:id', requireRole('executor', 'admin'), async (ctx) => {
    ctx.body = await appeals.update(pathId(ctx), ctx.state.user!, await body(ctx, UpdateBody));
  });

  router.get('/appeals/:id/templates', requireRole('executor', 'admin'), async (ctx) => {
    ctx.body = await appeals.templates(pathId(ctx), ctx.state.user!);
  });

  router.post('/appeals/:id/reassign', requireRole('operator', 'supervisor', 'admin'), async (ctx) => {
    ctx.body = await appeals.reassign(pathId(ctx), ctx.state.user!, await body(ctx, ReassignBody));
  });

  // A confirmation taken by hand; the survey call's result reaches the same service without HTTP.
  router.post('/appeals/:id/confirmation', requireRole('operator', 'supervisor', 'admin'), async (ctx) => {
    const id = pathId(ctx);
    await appeals.confirmation(id, await body(ctx, ConfirmationBody), { user: ctx.state.user! });
    ctx.body = await appeals.get(id, ctx.state.user!);
  });

  router.post('/executor/appeals/bulk', requireRole('executor', 'admin'), async (ctx) => {
    ctx.body = await appeals.bulk(ctx.state.user!, await body(ctx, BulkBody));
  });

  router.get('/executor/appeals', requireRole('executor', 'admin'), async (ctx) => {
    ctx.body = await appeals.list(ctx.state.user!, query(ctx, ListQuery));
  });
  return router;
}
