import type { PageLoad } from './$types';
import { api } from '$lib/api';

export interface AuditEntry {
  id: string; at: string; userId: number | null; login: string | null; role: string | null; action: string;
  entity: string; entityId: string | null; requestId: string | null; client: string | null; method: string; route: string; status: number | null;
}
const PAGE_SIZE = 50;
const FILTERS = ['user', 'entity', 'entityId', 'action', 'from', 'to'] as const;

/** The filters are the page's query string, so a search can be linked and paged. */
export const load: PageLoad = async ({ fetch, url }) => {
  const q = new URLSearchParams();
  for (const f of FILTERS) { const v = url.searchParams.get(f); if (v) q.set(f, v); }
  const offset = Math.max(0, Number(url.searchParams.get('offset')) || 0);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, url.searchParams.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const found = await api<{ rows: AuditEntry[]; total: number }>(`/api/admin/audit?${q}&limit=${PAGE_SIZE}&offset=${offset}`, { fetch })
    .catch(() => ({ rows: [] as AuditEntry[], total: 0 }));
  return { ...found, filters, offset, pageSize: PAGE_SIZE, csv: `/api/admin/audit?${q}&format=csv` };
};
