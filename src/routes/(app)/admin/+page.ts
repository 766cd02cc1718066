import type { PageLoad } from './$types';

export interface AdminUser { id: number; login: string; fullName: string; role: string; sipInterface: string | null; executor: string | null; disabled: boolean }

export const load: PageLoad = async ({ fetch }) => {
  const res = await fetch('/api/admin/users');
  return { users: res.ok ? ((await res.json()) as AdminUser[]) : [] };
};
