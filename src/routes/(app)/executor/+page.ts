import type { PageLoad } from './$types';
import { api } from '$lib/api';
import { PAGE_SIZE, OPEN, type CategoryOption, type ExecutorList } from './executor';

export const load: PageLoad = async ({ fetch, url }) => {
  const status = url.searchParams.get('status') ?? '';
  const overdue = url.searchParams.get('overdue') === '1';
  const offset = Math.max(0, Number(url.searchParams.get('offset')) || 0);
  const q = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if (status !== 'all') q.set('status', status || OPEN);
  if (overdue) q.set('overdue', '1');
  const dueSoon = url.searchParams.get('dueSoon') === '1';
  if (dueSoon) q.set('dueSoon', '1');
  const categoryId = Number(url.searchParams.get('categoryId')) || null;
  if (categoryId) q.set('categoryId', String(categoryId));
  const districtId = Number(url.searchParams.get('districtId')) || null;
  if (districtId) q.set('districtId', String(districtId));
  const search = url.searchParams.get('q')?.trim() ?? '';
  if (search) q.set('q', search);
  const list = await api<ExecutorList>(`/api/executor/appeals?${q}`, { fetch })
    .catch((): ExecutorList => ({ total: 0, more: false, limit: PAGE_SIZE, offset: 0, counts: [], appeals: [] }));
  const selected = Number(url.searchParams.get('appeal')) || null;
  const [categories, districts] = await Promise.all([
    api<{ categories: CategoryOption[] }[]>('/api/catalogue', { fetch })
      .then((spheres) => spheres.flatMap((s) => s.categories))
      .catch((): CategoryOption[] => []),
    api<CategoryOption[]>('/api/city/districts', { fetch }).catch((): CategoryOption[] => []),
  ]);
  return { list, status, overdue, dueSoon, categoryId, districtId, offset, selected, search, categories, districts };
};
