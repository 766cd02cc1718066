// THE authorisation matrix: for every endpoint (method + router path pattern, as registered in the
// Koa routers) and every page (SvelteKit route, groups dropped, [param] written :param), who may use
// it. Enforced from here alone: server/auth/access-guard.ts puts a guard in front of every route of
// every Koa router (401 anonymous, 403 wrong role, 403 `no_access_rule` for a route with no line:
// fail closed), and src/hooks.server.ts guards pages by the same table. tests/security/matrix.test.ts
// walks every registered route and every page with every role and fails on a route without a line
// or a line without a route.
//
// Adding a route: one line below, the key exactly as the router registers it, e.g.
//   'GET /api/stats/hotspots': only(AREA_ROLES.analytics),
//   'POST /open311/v2/requests.:format': PUBLIC,          // its own api_key check inside
//   'GET /report/track/:token': PUBLIC,                   // a private token is the credential
// Keys are `METHOD /path` (HEAD follows GET; `ALL` for router.all). The value is PUBLIC, SIGNED_IN or
// only(roles…). `scope` says where the service also restricts rows to the caller's organisation
// (checked there, with the data; the test walks it with an executor of another organisation).
// `audit` makes the guard write an audit row (server/audit): 'read' before the handler sends
// personal data, 'change' when the handler succeeded.
import { AREA_ROLES, ROLES, type Role } from './roles.ts';

export type Scope = 'organisation';
export type AuditKind = 'read' | 'change';
export interface Access {
  /** 'public': anyone; 'signed-in': any role; otherwise these roles. */
  readonly who: 'public' | 'signed-in' | readonly Role[];
  readonly scope?: Scope;
  readonly audit?: { kind: AuditKind; action: string; entity: string };
}

export const PUBLIC: Access = { who: 'public' };
export const SIGNED_IN: Access = { who: 'signed-in' };
export const only = (roles: readonly Role[], extra: Omit<Access, 'who'> = {}): Access => ({ who: roles, ...extra });
const read = (action: string, entity: string) => ({ audit: { kind: 'read' as const, action, entity } });
const change = (action: string, entity: string) => ({ audit: { kind: 'change' as const, action, entity } });

const STAFF: readonly Role[] = ['operator', 'admin', 'executor', 'analyst'];
const DESK = AREA_ROLES.desk;
const EDITORS = AREA_ROLES.utility;
const ORG = { scope: 'organisation' as const };

/** Every endpoint of the Koa routers. */
export const ENDPOINTS: Readonly<Record<string, Access>> = {
  'GET /api/health': PUBLIC,
  'POST /api/auth/login': PUBLIC,
  'POST /api/auth/logout': PUBLIC,
  'GET /api/auth/me': SIGNED_IN,
  'GET /api/city/summary': PUBLIC,
  'GET /api/city/districts': PUBLIC,
  'GET /api/buildings/:id': PUBLIC,
  'GET /api/buildings/:id/appeals': only(STAFF, ORG),
  'GET /api/buildings/:id/residents': only(DESK, read('building.residents', 'building')),
  'GET /api/buildings/:id/announcements': PUBLIC,
  'GET /api/admin/users': only(AREA_ROLES.admin),
  'PATCH /api/admin/users/:id': only(AREA_ROLES.admin, change('user.update', 'user')),
  'PUT /api/admin/users/:id/appeal-text': only(AREA_ROLES.admin, change('user.grant_appeal_text', 'user')),
  'DELETE /api/admin/users/:id/appeal-text': only(AREA_ROLES.admin, change('user.revoke_appeal_text', 'user')),
  'GET /api/admin/audit': only(AREA_ROLES.admin),
  'GET /api/catalogue': only(STAFF),
  'GET /api/catalogue/suggestion': only(DESK),
  'GET /api/executors': only(STAFF),
  'GET /api/executors/:id': only(STAFF),
  'POST /api/appeals': only(DESK, change('appeal.register', 'appeal')),
  'GET /api/appeals/returned': only(['operator', 'supervisor', 'admin']),
  'GET /api/appeals/:id': only(STAFF, { ...ORG, ...read('appeal.read', 'appeal') }),
  'PATCH /api/appeals/:id': only(AREA_ROLES.executor, { ...ORG, ...change('appeal.move', 'appeal') }),
  'GET /api/appeals/:id/templates': only(AREA_ROLES.executor, ORG),
  'POST /api/appeals/:id/reassign': only(['operator', 'supervisor', 'admin'], change('appeal.reassign', 'appeal')),
  'POST /api/appeals/:id/confirmation': only(['operator', 'supervisor', 'admin'], change('appeal.confirmation', 'appeal')),
  'POST /api/executor/appeals/bulk': only(AREA_ROLES.executor, { ...ORG, ...change('appeal.bulk_move', 'appeal') }),
  'GET /api/executor/appeals': only(AREA_ROLES.executor, ORG),
  'POST /api/residents': only(DESK, change('resident.create', 'resident')),
  'GET /api/residents/card': only(DESK, read('resident.card', 'resident')),
  'GET /api/residents/lookup': only(DESK, read('resident.lookup', 'resident')),
  'GET /api/residents/:id': only(DESK, read('resident.read', 'resident')),
  'POST /api/residents/:id/phones': only(DESK, change('resident.add_phone', 'resident')),
  'GET /api/residents/:id/appeals': only(DESK, read('resident.appeals', 'resident')),
  'GET /api/desk/events': only(DESK, read('desk.screen_pop', 'call')),
  'GET /api/telephony/status': only(DESK),
  'POST /api/desk/simulate-call': only(DESK),
  'GET /api/calls': only(DESK, read('call.list', 'call')),
  'GET /api/calls/:id': only(DESK, read('call.read', 'call')),
  'POST /api/calls/:id/consultation': only(DESK, change('call.consultation', 'call')),
  'POST /api/calls/:id/hangup': only(DESK, change('call.hangup', 'call')),
  'GET /api/supervisor/board': only(AREA_ROLES.supervisor),
  'GET /api/supervisor/events': only(AREA_ROLES.supervisor),
  'GET /api/recordings/:id': only(['operator', 'admin', 'executor'], { ...ORG, ...read('recording.stream', 'recording') }),
  'GET /api/geocode': PUBLIC,
  'GET /api/objects/:id': PUBLIC,
  'GET /api/map/config': PUBLIC,
  'GET /api/announcements': PUBLIC,
  'GET /api/announcements/meta': PUBLIC,
  'POST /api/announcements/subscriptions': PUBLIC,
  'GET /api/announcements/subscriptions/confirm': PUBLIC,
  'GET /api/announcements/subscriptions/unsubscribe': PUBLIC,
  'POST /api/announcements/subscriptions/unsubscribe': PUBLIC,
  'POST /api/announcements/preview': only(EDITORS, ORG),
  'GET /api/announcements/building-at': only(EDITORS),
  'POST /api/announcements': only(EDITORS, { ...ORG, ...change('announcement.create', 'announcement') }),
  'GET /api/utility/announcements': only(EDITORS, ORG),
  'GET /api/announcements/:id/history': only(EDITORS, ORG),
  'PUT /api/announcements/:id': only(EDITORS, { ...ORG, ...change('announcement.edit', 'announcement') }),
  'POST /api/announcements/:id/cancel': only(EDITORS, { ...ORG, ...change('announcement.cancel', 'announcement') }),
  'POST /api/announcements/:id/close': only(EDITORS, { ...ORG, ...change('announcement.close', 'announcement') }),
  'GET /api/announcements/:id': PUBLIC,
  'GET /api/stats/announcements': only(AREA_ROLES.analytics),
  'GET /api/stats/calls': only(AREA_ROLES.callStats),
  'GET /api/stats/surveys': only(AREA_ROLES.callStats),
  'GET /api/stats/appeals': only(AREA_ROLES.appealStats),
  'GET /api/stats/top': only(AREA_ROLES.appealStats),
  'GET /api/stats/ratings': only(AREA_ROLES.appealStats),
  'GET /api/stats/hexagons': only(AREA_ROLES.planning),
  'GET /api/stats/hexagons/cell': only(AREA_ROLES.planning),
  'GET /api/stats/districts': only(AREA_ROLES.planning),
  'GET /api/stats/hotspots': only(AREA_ROLES.planning),
  'GET /api/stats/announcement-calls': only(AREA_ROLES.planning),
  'GET /api/stats/live': only(AREA_ROLES.planning),
  'GET /api/stats/live/events': only(AREA_ROLES.planning),
  // The web intake: residents file and follow their own appeals; the private link's token is the credential.
  'GET /api/report/form': PUBLIC,
  'GET /api/report/nearby': PUBLIC,
  'POST /api/report': { ...PUBLIC, ...change('appeal.web_register', 'appeal') },
  'GET /api/report/track/:token': PUBLIC,
  'POST /api/report/track/:token/confirmation': { ...PUBLIC, ...change('appeal.resident_confirmation', 'appeal') },
  // Residents' photos may show people and homes: who may read the appeal, and each read is recorded.
  'GET /api/appeals/:id/photos': only(['operator', 'admin', 'executor'], { ...ORG, ...read('appeal.photos', 'appeal') }),
  'GET /api/appeals/:id/photos/:photoId': only(['operator', 'admin', 'executor'], { ...ORG, ...read('appeal.photo', 'appeal') }),
  'GET /api/admin/api-keys': only(AREA_ROLES.admin),
  'POST /api/admin/api-keys': only(AREA_ROLES.admin, change('api_key.issue', 'api_key')),
  'DELETE /api/admin/api-keys/:id': only(AREA_ROLES.admin, change('api_key.revoke', 'api_key')),
  'POST /api/admin/api-keys/:id/revoke': only(AREA_ROLES.admin, change('api_key.revoke', 'api_key')),
  /** Unknown API paths: a JSON 404 for anyone. */
  'ALL /api/{*rest}': PUBLIC,
};

/** Every page (SvelteKit route id without groups). */
export const PAGES: Readonly<Record<string, Access>> = {
  '/': PUBLIC,
  '/login': PUBLIC,
  '/karta': PUBLIC,
  '/announcements': PUBLIC,
  '/desk': only(AREA_ROLES.desk),
  '/desk/returned': only(['operator', 'supervisor', 'admin']),
  '/executor': only(AREA_ROLES.executor, ORG),
  '/utility/announcements': only(AREA_ROLES.utility, ORG),
  '/analytics/announcements': only(AREA_ROLES.analytics),
  '/analytics/calls': only(AREA_ROLES.callStats),
  '/analytics/surveys': only(AREA_ROLES.callStats),
  '/supervisor': only(AREA_ROLES.supervisor),
  '/admin': only(AREA_ROLES.admin),
  '/admin/audit': only(AREA_ROLES.admin),
  '/analytics/appeals': only(AREA_ROLES.appealStats),
  '/analytics/top': only(AREA_ROLES.appealStats),
  '/analytics/ratings': only(AREA_ROLES.appealStats),
  '/analytics/map': only(AREA_ROLES.planning),
  '/analytics/live': only(AREA_ROLES.planning),
  '/report': PUBLIC,
  '/report/track/:token': PUBLIC,
};

export type Verdict = 'allowed' | 'anonymous' | 'forbidden' | 'no_rule';

/** What the matrix says of `role` (null: anonymous) on an entry (undefined: none — refused). */
export function judge(entry: Access | undefined, role: Role | null): Verdict {
  if (!entry) return 'no_rule';
  if (entry.who === 'public') return 'allowed';
  if (!role) return 'anonymous';
  if (entry.who === 'signed-in') return ROLES.includes(role) ? 'allowed' : 'forbidden';
  return entry.who.includes(role) ? 'allowed' : 'forbidden';
}

/** The entry for a method on a registered path (HEAD is GET; ALL covers every method). */
export function endpointAccess(method: string, path: string): Access | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return ENDPOINTS[`${m} ${path}`] ?? ENDPOINTS[`ALL ${path}`];
}

/** A SvelteKit route id ('/(app)/desk/[id]') as a matrix page key ('/desk/:id'). */
export function pageKey(routeId: string): string {
  const key = routeId.split('/').filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => s.replace(/^\[\.\.\.(\w+)\]$/, '*$1').replace(/^\[(\w+)\]$/, ':$1')).join('/');
  return '/' + key;
}
export const pageAccess = (routeId: string): Access | undefined => PAGES[pageKey(routeId)];
