import type { PageLoad } from './$types';
import { api, ApiError } from '$lib/api';

export interface Tracked {
  number: string; status: string; createdAt: string; dueAt: string; doneAt: string | null; closedAt: string | null;
  category: string; categoryEn: string | null; executor: string; executorEn: string | null; text: string; answer: string | null;
  confirmation: string | null; canConfirm: boolean;
  history: ({ at: string; kind: 'created' } | { at: string; kind: 'status'; to: string } | { at: string; kind: 'answer'; text: string })[];
}

export const load: PageLoad = async ({ fetch, params }) => {
  try {
    return { token: params.token, appeal: await api<Tracked>(`/api/report/track/${encodeURIComponent(params.token)}`, { fetch }), error: null };
  } catch (e) {
    return { token: params.token, appeal: null, error: e instanceof ApiError && (e.status === 404 || e.status === 400) ? 'not_found' : (e as Error).message };
  }
};
