// The public map's time filter as query parameters of GET /api/announcements.
import { now as clockNow } from '$lib/clock';

export type Period = 'now' | 'today' | 'week' | 'past';
export interface Filters { period: Period; from: string; to: string; utility: string; kind: string; district: string }

const day = 86400e3;
export const dateInput = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function defaultFilters(today = clockNow()): Filters {
  return { period: 'now', from: dateInput(new Date(today.getTime() - 30 * day)), to: dateInput(today), utility: '', kind: '', district: '' };
}

export function toQuery(f: Filters, now = clockNow()): URLSearchParams {
  const q = new URLSearchParams();
  if (f.period === 'now') q.set('at', now.toISOString());
  else if (f.period === 'today') {
    const start = new Date(now); start.setHours(0, 0, 0, 0);
    q.set('from', start.toISOString());
    q.set('to', new Date(start.getTime() + day).toISOString());
  } else if (f.period === 'week') {
    q.set('from', now.toISOString());
    q.set('to', new Date(now.getTime() + 7 * day).toISOString());
  } else {
    const from = new Date(`${f.from}T00:00`), to = new Date(`${f.to}T00:00`);
    if (!Number.isNaN(from.getTime())) q.set('from', from.toISOString());
    if (!Number.isNaN(to.getTime())) q.set('to', new Date(to.getTime() + day).toISOString());
  }
  if (f.utility) q.set('utility', f.utility);
  if (f.kind) q.set('kind', f.kind);
  if (f.district) q.set('district', f.district);
  return q;
}
