import type { PageLoad } from './$types';
import type { Meta } from '$lib/announcements/types';
import type { UtilityAnnouncement } from './types';

export const load: PageLoad = async ({ fetch }) => {
  const [m, l] = await Promise.all([fetch('/api/announcements/meta'), fetch('/api/utility/announcements')]);
  const meta: Meta = m.ok ? await m.json() : { utilities: [], kinds: [], districts: [], executors: [] };
  const list: UtilityAnnouncement[] = l.ok ? await l.json() : [];
  return { meta, list };
};
