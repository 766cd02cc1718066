// The audit log: rows appended by the access guard (server/auth/access-guard.ts) as the matrix
// (vocabulary/access.ts) asks, searched and exported by an admin. Kept: there is no deletion path.
import type { Clock } from '../clock.ts';
import type { AuditFilter, AuditRepo, AuditRow } from './audit.repo.ts';

export function auditService(repo: AuditRepo, clock: Clock) {
  return {
    now: () => clock.now(),
    append: (row: AuditRow) => repo.append(row),
    search: (f: AuditFilter) => repo.search(f),
  };
}
export type AuditService = ReturnType<typeof auditService>;

const CSV_COLUMNS = ['id', 'at', 'userId', 'login', 'role', 'action', 'entity', 'entityId', 'requestId', 'client', 'method', 'route', 'status'] as const;
const cell = (v: unknown) => {
  const s = v == null ? '' : v instanceof Date ? v.toISOString() : String(v);
  // Quote always; a leading = + - @ is neutralised so a spreadsheet does not run it as a formula.
  return '"' + (/^[=+\-@]/.test(s) ? "'" + s : s).replace(/"/g, '""') + '"';
};
/** UTF-8 with a BOM (spreadsheets then read Cyrillic right), CRLF lines. */
export function auditCsv(rows: Record<string, unknown>[]): string {
  return '\uFEFF' + [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
