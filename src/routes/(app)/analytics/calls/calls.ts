// The page's filters as query parameters of GET /api/stats/calls, and how its figures are written.
import { t, locale } from '$lib/i18n';
import { addDays, isCalendarDay, kyivDay } from '$vocabulary/calendar';

export interface Filters { from: string; to: string; queue: string; operator: string }

/** How many Kyiv days the page shows unless told otherwise: the last week up to today. */
export const DEFAULT_DAYS = 7;

/** The filters in the address (a shared link), else the last DEFAULT_DAYS Kyiv days up to `today`. */
export function initialFilters(today: Date, params: URLSearchParams): Filters {
  const to = kyivDay(today);
  const asked = (k: string) => params.get(k) ?? '';
  const from = isCalendarDay(asked('from')) ? asked('from') : addDays(to, 1 - DEFAULT_DAYS);
  return {
    from,
    to: isCalendarDay(asked('to')) ? asked('to') : to,
    queue: asked('queue'),
    operator: /^\d{1,15}$/.test(asked('operator')) ? asked('operator') : '',
  };
}

export function toQuery(f: Filters): URLSearchParams {
  const q = new URLSearchParams({ from: f.from, to: f.to });
  if (f.queue) q.set('queue', f.queue);
  if (f.operator) q.set('operator', f.operator);
  return q;
}

const intl = () => (locale() === 'uk' ? 'uk-UA' : 'en-GB');

/** A fraction 0…1 as a percentage; a dash when there was nothing to divide. */
export function share(x: number | null): string {
  return x === null ? '—' : x.toLocaleString(intl(), { style: 'percent', maximumFractionDigits: 1 });
}

/** Seconds as "12,4 с" or "1 хв 22 с"; a dash when there was nothing to measure. */
export function seconds(x: number | null): string {
  if (x === null) return '—';
  if (x < 60) return t('calls.seconds', { n: (Math.round(x * 10) / 10).toLocaleString(intl()) });
  const whole = Math.round(x);
  return t('calls.minutes', { m: Math.floor(whole / 60), s: whole % 60 });
}

export const count = (n: number) => n.toLocaleString(intl());
