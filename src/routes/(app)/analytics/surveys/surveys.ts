// The page's filters as query parameters of GET /api/stats/surveys.
import { addDays, isCalendarDay, kyivDay } from '$vocabulary/calendar';

export interface Filters { from: string; to: string; by: 'executor' | 'category' }

/** The last 30 Kyiv days up to today unless the address says otherwise. */
export const DEFAULT_DAYS = 30;

export function initialFilters(today: Date, params: URLSearchParams): Filters {
  const to = kyivDay(today);
  const asked = (k: string) => params.get(k) ?? '';
  return {
    from: isCalendarDay(asked('from')) ? asked('from') : addDays(to, 1 - DEFAULT_DAYS),
    to: isCalendarDay(asked('to')) ? asked('to') : to,
    by: asked('by') === 'category' ? 'category' : 'executor',
  };
}

export const toQuery = (f: Filters) => new URLSearchParams({ from: f.from, to: f.to, by: f.by });

/** The outcome columns in the order the page, the chart and the CSV show them. */
export const OUTCOMES = ['answeredWithResult', 'answeredWithoutResult', 'noPickup', 'busy', 'invalidNumber', 'failed'] as const;
export const OUTCOME_COLORS: Record<(typeof OUTCOMES)[number], string> = {
  answeredWithResult: '#2e7d32', answeredWithoutResult: '#9ccc65', noPickup: '#f9a825', busy: '#ef6c00', invalidNumber: '#6d4c41', failed: '#c62828',
};
