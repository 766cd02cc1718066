import type { PageLoad } from './$types';
import { api } from '$lib/api';

export interface AdminUser { id: number; login: string; fullName: string; role: string; sipInterface: string | null; executor: string | null; disabled: boolean }

export const load: PageLoad = async ({ fetch }) => {
  return { users: await api<AdminUser[]>('/api/admin/users', { fetch }).catch((): AdminUser[] => []) };
};
