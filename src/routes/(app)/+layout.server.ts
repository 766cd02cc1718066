import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

// hooks.server.ts decides (the matrix, vocabulary/access.ts); failing here renders +error.svelte inside the shell.
export const load: LayoutServerLoad = ({ locals }) => {
  if (locals.unavailable) error(503, { message: 'unavailable' });
  if (locals.forbidden) error(403, { message: 'forbidden' });
};
