import type { PageLoad } from './$types';
import { api } from '$lib/api';

export interface CitySummary { buildings: number; residents: number; objects: number; appeals: number }

export const load: PageLoad = async ({ fetch }) => ({
  summary: await api<CitySummary>('/api/city/summary', { fetch }).catch(() => null),
});
