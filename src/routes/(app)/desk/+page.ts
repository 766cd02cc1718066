import type { PageLoad } from './$types';
import type { Sphere, Executor } from './desk';

export interface TelephonyStatus { demo: boolean; connected: boolean; error?: string | null }

export const load: PageLoad = async ({ fetch }) => {
  const get = async <T>(path: string, fallback: T): Promise<T> => {
    const res = await fetch(path).catch(() => null);
    return res?.ok ? ((await res.json()) as T) : fallback;
  };
  const [tree, executors, telephony] = await Promise.all([
    get<Sphere[]>('/api/catalogue', []),
    get<Executor[]>('/api/executors', []),
    get<TelephonyStatus | null>('/api/telephony/status', null),
  ]);
  return { tree, executors, telephony };
};
