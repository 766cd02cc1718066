// Thin HTTP layer over the announcements service: public map data, the utility's editing API,
// subscriptions (links from mail), statistics with CSV. A building's announcements are under
// /buildings/:id (server/city/buildings.routes.ts).
import Router from '@koa/router';
import type { Context } from 'koa';
import { requireRole } from '../auth/guard.ts';
import { GEOMETRY_BODY_LIMIT } from '../http/body.ts';
import { badRequest } from '../http/errors.ts';
import { body, pathId, query } from '../http/input.ts';
import type { AnnouncementsService } from './announcements.service.ts';
import {
  BuildingAtQuery, EditBody, EndBody, PreviewBody, PublishBody, StatsQuery, SubscribeBody, TokenQuery, listQuery,
} from './announcements.input.ts';
import { toCsv } from './csv.ts';
import { translate, type MessageKey } from '../../vocabulary/i18n/translate.ts';

const EDITORS = ['executor', 'admin'] as const;
const DAY = 86400e3;
const PublicList = listQuery(5000);
const UtilityList = listQuery(1000);

export function announcementsRoutes(s: AnnouncementsService) {
  const router = new Router();

  // ---- public ----
  router.get('/announcements', async (ctx) => {
    ctx.body = await s.featureCollection(query(ctx, PublicList));
    ctx.set('Cache-Control', 'no-cache');
  });
  router.get('/announcements/meta', async (ctx) => { ctx.body = await s.meta(); });

  // ---- subscriptions: the links in the mail land here and go on to the public page ----
  router.post('/announcements/subscriptions', async (ctx) => {
    ctx.status = 202;
    ctx.body = await s.subscribe(await body(ctx, SubscribeBody), ctx.ip);
  });
  const tokenRoute = (action: 'confirm' | 'unsubscribe') => async (ctx: Context) => {
    if (!TokenQuery.safeParse(ctx.query).success) throw badRequest('The link is incomplete: no token', { field: 'token' });
    const token = String(ctx.query.token);
    const done = action === 'confirm' ? await s.confirm(token) : await s.unsubscribe(token);
    const outcome = done ? (action === 'confirm' ? 'confirmed' : 'unsubscribed') : 'invalid';
    if (ctx.method === 'POST' || ctx.accepts('html', 'json') === 'json') {
      ctx.status = done ? 200 : 404;
      ctx.body = { subscription: outcome };
      return;
    }
    const building = done && 'buildingId' in done ? `&building=${done.buildingId}` : '';
    ctx.redirect(`/announcements?subscription=${outcome}${building}`);
  };
  router.get('/announcements/subscriptions/confirm', tokenRoute('confirm'));
  router.get('/announcements/subscriptions/unsubscribe', tokenRoute('unsubscribe'));
  // RFC 8058 one-click unsubscribe from the mail client.
  router.post('/announcements/subscriptions/unsubscribe', tokenRoute('unsubscribe'));

  // ---- utilities ----
  router.post('/announcements/preview', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.preview(await body(ctx, PreviewBody, { limit: GEOMETRY_BODY_LIMIT }));
  });
  router.get('/announcements/building-at', requireRole(...EDITORS), async (ctx) => {
    const q = query(ctx, BuildingAtQuery);
    ctx.body = (await s.repo.buildingAt(q.lon, q.lat)) ?? null;
  });
  router.post('/announcements', requireRole(...EDITORS), async (ctx) => {
    ctx.status = 201;
    ctx.body = await s.publish(ctx.state.user!, await body(ctx, PublishBody, { limit: GEOMETRY_BODY_LIMIT }));
  });
  router.get('/utility/announcements', requireRole(...EDITORS), async (ctx) => {
    const user = ctx.state.user!;
    const f = query(ctx, UtilityList);
    ctx.body = await s.list({ ...f, includeInactive: true, executorId: user.role === 'executor' ? user.executorId! : f.executorId });
  });
  router.get('/announcements/:id/history', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.history(ctx.state.user!, pathId(ctx));
  });
  router.put('/announcements/:id', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.edit(ctx.state.user!, pathId(ctx), await body(ctx, EditBody, { limit: GEOMETRY_BODY_LIMIT }));
  });
  router.post('/announcements/:id/cancel', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.end(ctx.state.user!, pathId(ctx), 'cancelled', (await body(ctx, EndBody)).reason);
  });
  router.post('/announcements/:id/close', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.end(ctx.state.user!, pathId(ctx), 'closed', (await body(ctx, EndBody)).reason);
  });
  router.get('/announcements/:id', async (ctx) => {
    ctx.body = await s.detail(pathId(ctx));
  });

  // ---- statistics (report 1) ----
  router.get('/stats/announcements', requireRole('analyst', 'admin'), async (ctx) => {
    const q = query(ctx, StatsQuery);
    const to = q.to ?? new Date(s.now().getTime() + 30 * DAY);
    const from = q.from ?? new Date(to.getTime() - 120 * DAY);
    if (to <= from) throw badRequest('"to" must be later than "from"', { code: 'ends_before_start', field: 'to' });
    if (to.getTime() - from.getTime() > 5 * 366 * DAY) throw badRequest('The period is longer than five years', { code: 'too_big', field: 'to', params: { max: '5 years' } });
    const rows = await s.stats({ from, to, group: q.group, by: q.by });
    if (q.format === 'csv') {
      ctx.set('Content-Type', 'text/csv; charset=utf-8');
      ctx.set('Content-Disposition', `attachment; filename="announcements-${q.group}-${q.by}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv"`);
      const lang = q.lang ?? (ctx.cookies.get('lang') === 'en' ? 'en' : 'uk');
      const label = (r: { key: string; label: string }) =>
        // utility and kind values are the table's own keys (the database's CHECK lists them).
        q.by === 'utility' || q.by === 'kind' ? translate(lang, `ann.${q.by}.${r.key}` as MessageKey) : r.label;
      ctx.body = toCsv(['period', q.by, 'key', 'events', 'buildings', 'apartments'], rows.map((r) => [r.period, label(r), r.key, r.events, r.buildings, r.apartments]));
      return;
    }
    ctx.body = { from, to, group: q.group, by: q.by, rows };
  });

  return router;
}
