// The parts of the product, in the order the shell and the landing page show them. Who may open
// each follows from its path ($vocabulary/roles: AREA_PATHS); public parts belong to no area.
import { areaOfPath, type Area } from '$vocabulary/roles';
import type { MessageKey } from '$lib/i18n';

export interface Section { path: string; title: MessageKey; blurb: MessageKey; area?: Area }

const section = (path: string, title: MessageKey, blurb: MessageKey): Section => ({ path, title, blurb, area: areaOfPath(path) });

export const SECTIONS: Section[] = [
  section('/karta', 'nav.karta', 'home.karta'),
  section('/announcements', 'nav.announcements', 'home.announcements'),
  section('/report', 'nav.report', 'home.report'),
  section('/desk', 'nav.desk', 'home.desk'),
  section('/executor', 'nav.executor', 'home.executor'),
  section('/utility/announcements', 'nav.utility', 'home.utility'),
  section('/analytics/announcements', 'nav.analyticsAnnouncements', 'home.analyticsAnnouncements'),
  section('/analytics/calls', 'nav.analyticsCalls', 'home.analyticsCalls'),
  section('/analytics/surveys', 'nav.analyticsSurveys', 'home.analyticsSurveys'),
  section('/analytics/map', 'nav.analyticsMap', 'home.analyticsMap'),
  section('/analytics/live', 'nav.analyticsLive', 'home.analyticsLive'),
  section('/analytics/appeals', 'nav.analyticsAppeals', 'home.analyticsAppeals'),
  section('/analytics/top', 'nav.analyticsTop', 'home.analyticsTop'),
  section('/analytics/ratings', 'nav.analyticsRatings', 'home.analyticsRatings'),
  section('/supervisor', 'nav.supervisor', 'home.supervisor'),
  section('/admin', 'nav.admin', 'home.admin'),
];

/** The analytics pages, each guarded by its own area: the tabs above every /analytics page. */
export const ANALYTICS = SECTIONS.filter((s) => s.path.startsWith('/analytics/'));
