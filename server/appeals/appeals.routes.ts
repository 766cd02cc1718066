import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { readBody } from '../http/body.ts';
import { badRequest } from '../http/errors.ts';
import type { AppealsService } from './appeals.service.ts';

const pathId = (v: string | undefined, name = 'id') => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw badRequest(`"${name}" must be a positive integer`);
  return n;
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function appealsRoutes(appeals: AppealsService) {
  const router = new Router();

  // Idempotent with the client's request id (Idempotency-Key header, or "requestId" in the body):
  // 201 for the appeal made now, 200 with the same appeal for a retry.
  router.post('/appeals', requireRole('operator', 'admin'), async (ctx) => {
    const body = await readBody(ctx);
    const raw = ctx.get('Idempotency-Key') || body.requestId;
    if (raw !== undefined && raw !== '' && (typeof raw !== 'string' || !UUID.test(raw))) {
      throw badRequest('The request id (Idempotency-Key) must be a UUID', { field: 'requestId' }, 'invalid_request_id');
    }
    const result = await appeals.register(body, ctx.state.user!, (raw as string | undefined)?.toLowerCase() || null);
    ctx.status = 'replayed' in result ? 200 : 201;
    ctx.body = result;
  });

  router.get('/appeals/:id', requireRole('operator', 'admin', 'executor', 'analyst'), async (ctx) => {
    ctx.body = await appeals.get(pathId(ctx.params.id), ctx.state.user!);
  });

  router.patch('/appeals/:id', requireRole('executor', 'admin'), async (ctx) => {
    const body = await readBody(ctx);
    ctx.body = await appeals.update(pathId(ctx.params.id), ctx.state.user!, body);
  });

  router.get('/executor/appeals', requireRole('executor', 'admin'), async (ctx) => {
    const q = ctx.query;
    ctx.body = await appeals.list(ctx.state.user!, {
      status: str(q.status), overdue: str(q.overdue), q: str(q.q), executorId: str(q.executorId), limit: str(q.limit), offset: str(q.offset),
    });
  });

  router.get('/residents/:id/appeals', requireRole('operator', 'admin'), async (ctx) => {
    ctx.body = await appeals.byResident(pathId(ctx.params.id));
  });

  router.get('/buildings/:id/appeals', requireRole('operator', 'admin', 'executor', 'analyst'), async (ctx) => {
    const days = ctx.query.days === undefined ? 90 : Number(ctx.query.days);
    const exclude = str(ctx.query.excludeResident);
    ctx.body = await appeals.byBuilding(pathId(ctx.params.id), days, ctx.state.user!, exclude ? pathId(exclude, 'excludeResident') : null);
  });
  return router;
}
