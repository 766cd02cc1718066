import type { PageLoad } from './$types';
import { api } from '$lib/api';
import type { Sphere, Executor, TelephonyStatus } from './desk';

// The desk opens even when a part is missing: an empty catalogue shows as "no such category",
// an unknown telephony status is filled in by the event stream.
export const load: PageLoad = async ({ fetch }) => {
  const get = <T>(path: string, fallback: T) => api<T>(path, { fetch }).catch(() => fallback);
  const [tree, executors, telephony] = await Promise.all([
    get<Sphere[]>('/api/catalogue', []),
    get<Executor[]>('/api/executors', []),
    get<TelephonyStatus | null>('/api/telephony/status', null),
  ]);
  return { tree, executors, telephony };
};
