// The parts of the product, in the order the shell and the landing page show them.
// `area` names who may open it (see server/auth/roles.ts); public parts have none.
import type { Area } from '$server/auth/roles.ts';
import type { MessageKey } from '$lib/i18n';

export interface Section { path: string; title: MessageKey; blurb: MessageKey; area?: Area }

export const SECTIONS: Section[] = [
  { path: '/karta', title: 'nav.karta', blurb: 'home.karta' },
  { path: '/announcements', title: 'nav.announcements', blurb: 'home.announcements' },
  { path: '/desk', title: 'nav.desk', blurb: 'home.desk', area: 'desk' },
  { path: '/executor', title: 'nav.executor', blurb: 'home.executor', area: 'executor' },
  { path: '/utility/announcements', title: 'nav.utility', blurb: 'home.utility', area: 'utility' },
  { path: '/analytics/announcements', title: 'nav.analyticsAnnouncements', blurb: 'home.analyticsAnnouncements', area: 'analytics' },
  { path: '/admin', title: 'nav.admin', blurb: 'home.admin', area: 'admin' },
];
