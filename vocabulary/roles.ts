// Roles, what each may see and which parts of the product each may open: one table for the API
// guards, the page guards and the navigation.
export const ROLES = ['admin', 'operator', 'executor', 'analyst', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: number;
  login: string;
  fullName: string;
  role: Role;
  executorId: number | null;
  sipInterface: string | null;
  /** An admin's grant to read appeals' free text (only asked of FREE_TEXT_GRANT_ROLES); absent is no grant. */
  seesAppealText?: boolean;
}

/** Roles that may read residents' personal data (names, phones, addresses of people). */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['admin', 'operator'];
export const canSeePersonalData = (user: User | null | undefined) => !!user && PERSONAL_DATA_ROLES.includes(user.role);

/**
 * Roles that read appeals without their free text (the resident's words, the executor's answer,
 * comments, reasons) unless an admin grants it; every other role sees the text its work needs.
 */
export const FREE_TEXT_GRANT_ROLES: readonly Role[] = ['analyst'];
export const canSeeFreeText = (user: User | null | undefined) =>
  !!user && (!FREE_TEXT_GRANT_ROLES.includes(user.role) || user.seesAppealText === true);

/** Which roles may open which part of the product (pages and their APIs). Admin may open all. */
export const AREA_ROLES = {
  desk: ['operator', 'admin'],
  executor: ['executor', 'admin'],
  utility: ['executor', 'admin'],
  analytics: ['analyst', 'admin'],
  /** The contact centre's statistics (/analytics/calls, /analytics/surveys): counts only, so the supervisor too. */
  callStats: ['analyst', 'supervisor', 'admin'],
  /** Planners' maps and the mayor's live dashboard (/analytics/map, /analytics/live): aggregates only. */
  planning: ['analyst', 'supervisor', 'admin'],
  /** Appeal statistics, top-10s and ratings (/analytics/appeals, /top, /ratings): aggregates only. */
  appealStats: ['analyst', 'supervisor', 'admin'],
  /** The contact centre live: queue, operators' states, today's service level (no personal data). */
  supervisor: ['supervisor', 'admin'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Area = keyof typeof AREA_ROLES;

export function mayEnter(user: User | null | undefined, area: Area): boolean {
  return !!user && (AREA_ROLES[area] as readonly Role[]).includes(user.role);
}

/** The paths of each guarded part of the product (pages and their links). */
export const AREA_PATHS: Readonly<Record<Area, readonly string[]>> = {
  desk: ['/desk'],
  executor: ['/executor'],
  utility: ['/utility'],
  analytics: ['/analytics'],
  callStats: ['/analytics/calls', '/analytics/surveys'],
  planning: ['/analytics/map', '/analytics/live'],
  appealStats: ['/analytics/appeals', '/analytics/top', '/analytics/ratings'],
  supervisor: ['/supervisor'],
  admin: ['/admin'],
};

/** Which guarded part a path belongs to, if any: the longest prefix wins (/analytics/calls is not /analytics). */
export function areaOfPath(path: string): Area | undefined {
  let best: { area: Area; length: number } | undefined;
  for (const [area, prefixes] of Object.entries(AREA_PATHS) as [Area, readonly string[]][]) {
    for (const p of prefixes) {
      if ((path === p || path.startsWith(p + '/')) && p.length > (best?.length ?? -1)) best = { area, length: p.length };
    }
  }
  return best?.area;
}
