import type { AppealSummary } from '../desk/desk';
import { OPEN_STATUSES } from '$vocabulary/appeals';

export interface ExecutorList {
  total: number; more?: boolean; limit: number; offset: number;
  counts: { status: string; n: number; overdue: number; soon?: number }[];
  appeals: (AppealSummary & { infraObject: { id: number; kind: string; name: string | null } | null; callId: number | null; controlCount: number; lon: number | null; lat: number | null })[];
}

export interface AppealDetail extends AppealSummary {
  channel: string; answer: string | null; doneAt: string | null; callerPhone: string | null; callId: number | null;
  infraObject: { id: number; kind: string; name: string | null } | null; lon: number | null; lat: number | null;
  plannedAt: string | null; planReason: string | null; controlCount: number; returnedAt: string | null;
  executorOverrideReason: string | null; dueOverrideReason: string | null; operatorName: string | null;
  events: { id: number; at: string; kind: string; data: Record<string, unknown>; actorName: string | null; textHidden?: true }[];
  recordings: { id: number; startedAt: string; endedAt: string | null; bytes: number | null; url: string }[];
}

export interface CategoryOption { id: number; name: string; nameEn: string | null }

export const PAGE_SIZE = 50;
/** Without a filter the portal shows the work still to do. */
export const OPEN = OPEN_STATUSES.join(',');
