import type { PageLoad } from './$types';
import { api } from '$lib/api';

export interface ReturnedAppeal {
  id: number; number: string; text: string; dueAt: string; overdue: boolean; returnedAt: string; returnReason: string | null;
  category: { id: number; name: string; nameEn: string }; executor: { id: number; name: string; nameEn: string | null };
  address: string | null; infraObject: { id: number; kind: string; name: string | null } | null;
}
export interface ExecutorOption { id: number; name: string; nameEn: string | null }

export const load: PageLoad = async ({ fetch }) => {
  const [appeals, executors] = await Promise.all([
    api<ReturnedAppeal[]>('/api/appeals/returned', { fetch }).catch((): ReturnedAppeal[] => []),
    api<ExecutorOption[]>('/api/executors', { fetch }).catch((): ExecutorOption[] => []),
  ]);
  return { appeals, executors };
};
