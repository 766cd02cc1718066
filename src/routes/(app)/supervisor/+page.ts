import type { PageLoad } from './$types';
import { api } from '$lib/api';
import type { Board } from '$vocabulary/telephony';

// The first board comes with the page (rendered on the server); the stream keeps it current.
export const load: PageLoad = async ({ fetch }) => ({
  board: await api<Board>('/api/supervisor/board', { fetch }).catch(() => null),
});
