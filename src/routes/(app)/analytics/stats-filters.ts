// The appeal statistics pages' period: the address's from/to, else the last twelve months up to today
// (Kyiv days); and the lists their filters offer.
import { addDays, isCalendarDay, kyivDay } from '$vocabulary/calendar';
import { api } from '$lib/api';

export function initialPeriod(today: Date, params: URLSearchParams, days = 365): { from: string; to: string } {
  const to = kyivDay(today);
  const asked = (k: string) => params.get(k) ?? '';
  return {
    from: isCalendarDay(asked('from')) ? asked('from') : addDays(to, 1 - days),
    to: isCalendarDay(asked('to')) ? asked('to') : to,
  };
}

export interface Option { id: number; name: string; nameEn?: string | null }
export const loadDistricts = () => api<Option[]>('/api/city/districts');
export const loadExecutors = () => api<Option[]>('/api/executors');
export const loadSpheres = () => api<Option[]>('/api/catalogue');

/** Query parameters without the empty ones. */
export function query(values: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  return q.toString();
}

export const PALETTE = ['#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#c62828', '#00838f', '#9e9d24', '#5d4037', '#ad1457', '#455a64'];
