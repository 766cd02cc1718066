// The audit log's SQL: append and search (there is no update or delete: migrations/115_audit_log.sql).
import type { Db } from '../db/db.ts';

export interface AuditRow {
  at: Date; userId: number | null; role: string | null; action: string; entity: string; entityId: string | null;
  requestId: string | null; client: string | null; method: string; route: string; status: number | null;
}
export interface AuditFilter { user?: number; entity?: string; entityId?: string; action?: string; from?: Date; to?: Date; limit: number; offset: number }

export function auditRepo(db: Db) {
  return {
    append: (r: AuditRow) => db.none(
      `INSERT INTO audit_log (at, user_id, role, action, entity, entity_id, request_id, client, method, route, status)
       VALUES ($(at), $(userId), $(role), $(action), $(entity), $(entityId), $(requestId), $(client), $(method), $(route), $(status))`, r),
    async search(f: AuditFilter) {
      const where = `WHERE ($(user)::int IS NULL OR a.user_id = $(user)) AND ($(entity)::text IS NULL OR a.entity = $(entity))
        AND ($(entityId)::text IS NULL OR a.entity_id = $(entityId)) AND ($(action)::text IS NULL OR a.action = $(action))
        AND ($(from)::timestamptz IS NULL OR a.at >= $(from)) AND ($(to)::timestamptz IS NULL OR a.at < $(to))`;
      const p = { user: f.user ?? null, entity: f.entity ?? null, entityId: f.entityId ?? null, action: f.action ?? null,
        from: f.from ?? null, to: f.to ?? null, limit: f.limit, offset: f.offset };
      const [rows, total] = await Promise.all([
        db.any<AuditRow & { id: string; login: string | null }>(
          `SELECT a.id, a.at, a.user_id AS "userId", u.login, a.role, a.action, a.entity, a.entity_id AS "entityId",
                  a.request_id AS "requestId", a.client, a.method, a.route, a.status
             FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id ${where}
            ORDER BY a.at DESC, a.id DESC LIMIT $(limit) OFFSET $(offset)`, p),
        db.one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log a ${where}`, p).then((r) => r.n),
      ]);
      return { rows, total };
    },
  };
}
export type AuditRepo = ReturnType<typeof auditRepo>;
