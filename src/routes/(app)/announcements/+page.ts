import type { PageLoad } from './$types';
import type { Meta } from '$lib/announcements/types';

// Only the filter choices load with the page; the announcements follow the filters in the browser.
export const load: PageLoad = async ({ fetch }) => {
  const res = await fetch('/api/announcements/meta');
  const meta: Meta = res.ok ? await res.json() : { utilities: [], kinds: [], districts: [], executors: [] };
  return { meta };
};
