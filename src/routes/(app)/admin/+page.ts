import type { PageLoad } from './$types';
import { api } from '$lib/api';

export interface AdminUser { id: number; login: string; fullName: string; role: string; sipInterface: string | null; executor: string | null; disabled: boolean; seesAppealText: boolean }
/** An Open311 client's key as listed: never the key itself. */
export interface ApiKey { id: number; name: string; prefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }

export const load: PageLoad = async ({ fetch }) => {
  const [users, apiKeys] = await Promise.all([
    api<AdminUser[]>('/api/admin/users', { fetch }).catch((): AdminUser[] => []),
    api<ApiKey[]>('/api/admin/api-keys', { fetch }).catch((): ApiKey[] => []),
  ]);
  return { users, apiKeys };
};
