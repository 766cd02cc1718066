import type { Kind, Utility } from '$vocabulary/announcements';

export interface UtilityAnnouncement {
  id: number; kind: Kind; utility: Utility; executorId: number; executor: string; title: string; description: string; contact: string;
  startsAt: string; endsAt: string; status: 'published' | 'cancelled' | 'closed'; sourceKind: string; bufferM: number | null;
  buildings: number; apartments: number; residents: number; closedAt: string | null;
}
export interface HistoryEvent { id: number; at: string; kind: 'published' | 'changed' | 'cancelled' | 'closed'; actor: string | null; data: Record<string, unknown> }
export type DrawMode = 'polygon' | 'line' | 'buildings';

/** `<input type="datetime-local">` value in the browser's time zone. */
export function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
