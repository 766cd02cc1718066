// The audit log for an admin: GET /api/admin/audit?user=&entity=&entityId=&action=&from=&to=&limit=&offset=
// (&format=csv for a spreadsheet). Who may is the matrix's business (vocabulary/access.ts).
import Router from '@koa/router';
import { dateTime, id, int, optional, query, z } from '../http/input.ts';
import { auditCsv, type AuditService } from './audit.service.ts';

const Search = z.object({
  user: optional(id),
  entity: optional(z.string().max(40)),
  entityId: optional(z.string().max(64)),
  action: optional(z.string().max(60)),
  from: optional(dateTime),
  to: optional(dateTime),
  limit: optional(int(1, 10_000)),
  offset: optional(int(0, 10_000_000)),
  format: optional(z.enum(['json', 'csv'])),
});

export function auditRoutes(audit: AuditService) {
  const router = new Router();
  router.get('/admin/audit', async (ctx) => {
    const q = query(ctx, Search);
    const csv = q.format === 'csv';
    const found = await audit.search({ ...q, limit: q.limit ?? (csv ? 10_000 : 50), offset: q.offset ?? 0 });
    ctx.set('Cache-Control', 'no-store');
    if (csv) {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.attachment('audit.csv');
      ctx.body = auditCsv(found.rows as unknown as Record<string, unknown>[]);
      return;
    }
    ctx.body = found;
  });
  return router;
}
