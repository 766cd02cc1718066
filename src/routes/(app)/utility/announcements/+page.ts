import type { PageLoad } from './$types';
import type { Meta } from '$lib/announcements/types';
import type { UtilityAnnouncement } from './types';
import { api } from '$lib/api';

export const load: PageLoad = async ({ fetch }) => {
  const [meta, list] = await Promise.all([
    api<Meta>('/api/announcements/meta', { fetch }).catch((): Meta => ({ utilities: [], kinds: [], districts: [], executors: [] })),
    api<UtilityAnnouncement[]>('/api/utility/announcements', { fetch }).catch((): UtilityAnnouncement[] => []),
  ]);
  return { meta, list };
};
