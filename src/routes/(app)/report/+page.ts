import type { PageLoad } from './$types';
import { api } from '$lib/api';

export interface ReportForm {
  spheres: { id: number; name: string; nameEn: string | null; categories: { id: number; name: string; nameEn: string | null; infraKind: string | null }[] }[];
  photoMaxBytes: number;
}

export const load: PageLoad = async ({ fetch }) => {
  try {
    return { form: await api<ReportForm>('/api/report/form', { fetch }), loadError: null };
  } catch (e) {
    return { form: null, loadError: (e as Error).message };
  }
};
