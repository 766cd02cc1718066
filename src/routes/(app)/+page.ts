import type { PageLoad } from './$types';

export interface CitySummary { buildings: number; residents: number; objects: number; appeals: number }

export const load: PageLoad = async ({ fetch }) => {
  const res = await fetch('/api/city/summary').catch(() => null);
  return { summary: res?.ok ? ((await res.json()) as CitySummary) : null };
};
