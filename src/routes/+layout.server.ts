import type { LayoutServerLoad } from './$types';

// `now` is the server's clock: the UI's "now" follows it ($lib/clock).
export const load: LayoutServerLoad = ({ locals }) => ({ user: locals.user, locale: locals.locale, now: locals.now.toISOString() });
