import type { PageLoad } from './$types';
import type { Meta } from '$lib/announcements/types';
import { api } from '$lib/api';

// Only the filter choices load with the page; the announcements follow the filters in the browser.
export const load: PageLoad = async ({ fetch }) => {
  const meta = await api<Meta>('/api/announcements/meta', { fetch })
    .catch((): Meta => ({ utilities: [], kinds: [], districts: [], executors: [] }));
  return { meta };
};
