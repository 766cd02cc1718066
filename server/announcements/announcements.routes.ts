// Thin HTTP layer over the announcements service: public map data, the utility's editing API,
// subscriptions (links from mail), statistics with CSV.
import Router from '@koa/router';
import type { Context } from 'koa';
import { requireRole } from '../auth/guard.ts';
import { readBody, GEOMETRY_BODY_LIMIT } from '../http/body.ts';
import { badRequest } from '../http/errors.ts';
import type { ListFilter } from './announcements.repo.ts';
import { parseKind, parseUtility, type AnnouncementsService } from './announcements.service.ts';
import { toCsv } from './csv.ts';
import { translate, type MessageKey } from '../../shared/i18n/translate.ts';

const EDITORS = ['executor', 'admin'] as const;

function idParam(ctx: Context): number {
  const id = Number(ctx.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw badRequest('The id must be a positive integer');
  return id;
}
function dateQuery(ctx: Context, name: string): Date | undefined {
  const v = ctx.query[name];
  if (v === undefined || v === '') return undefined;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw badRequest(`"${name}" is not a valid ISO date-time`);
  return d;
}
function listFilter(ctx: Context, maxLimit: number): ListFilter {
  const q = ctx.query;
  const f: ListFilter = { limit: maxLimit };
  if (q.limit !== undefined && q.limit !== '') {
    if (typeof q.limit !== 'string' || !/^[1-9]\d{0,8}$/.test(q.limit)) throw badRequest('"limit" must be a positive integer', { field: 'limit' });
    f.limit = Math.min(Number(q.limit), maxLimit);
  }
  f.at = dateQuery(ctx, 'at');
  f.from = dateQuery(ctx, 'from');
  f.to = dateQuery(ctx, 'to');
  if (f.from && f.to && f.to <= f.from) throw badRequest('"to" must be later than "from"');
  if (q.utility) f.utility = parseUtility(q.utility);
  if (q.kind) f.kind = parseKind(q.kind);
  if (q.district) {
    f.district = Number(q.district);
    if (!Number.isSafeInteger(f.district)) throw badRequest('"district" must be a district id');
  }
  if (q.bbox) {
    const b = String(q.bbox).split(',').map(Number);
    if (b.length !== 4 || b.some((x) => !Number.isFinite(x)) || b[0] >= b[2] || b[1] >= b[3]) throw badRequest('"bbox" must be minLon,minLat,maxLon,maxLat');
    f.bbox = b as [number, number, number, number];
  }
  return f;
}

export function announcementsRoutes(s: AnnouncementsService) {
  const router = new Router();

  // ---- public ----
  router.get('/announcements', async (ctx) => {
    ctx.body = await s.featureCollection(listFilter(ctx, 5000));
    ctx.set('Cache-Control', 'no-cache');
  });
  router.get('/announcements/meta', async (ctx) => { ctx.body = await s.meta(); });
  router.get('/buildings/:id/announcements', async (ctx) => {
    ctx.body = await s.forBuilding(idParam(ctx), dateQuery(ctx, 'at'));
  });

  // ---- subscriptions: the links in the mail land here and go on to the public page ----
  router.post('/announcements/subscriptions', async (ctx) => {
    ctx.status = 202;
    ctx.body = await s.subscribe(await readBody(ctx));
  });
  const tokenRoute = (action: 'confirm' | 'unsubscribe') => async (ctx: Context) => {
    const token = String(ctx.query.token ?? '');
    if (!/^[\w-]{16,64}$/.test(token)) throw badRequest('The link is incomplete: no token');
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
    ctx.body = await s.preview(await readBody(ctx, { limit: GEOMETRY_BODY_LIMIT }));
  });
  router.get('/announcements/building-at', requireRole(...EDITORS), async (ctx) => {
    const lon = Number(ctx.query.lon), lat = Number(ctx.query.lat);
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) throw badRequest('"lon" and "lat" are required');
    ctx.body = (await s.repo.buildingAt(lon, lat)) ?? null;
  });
  router.post('/announcements', requireRole(...EDITORS), async (ctx) => {
    ctx.status = 201;
    ctx.body = await s.publish(ctx.state.user!, await readBody(ctx, { limit: GEOMETRY_BODY_LIMIT }));
  });
  router.get('/utility/announcements', requireRole(...EDITORS), async (ctx) => {
    const user = ctx.state.user!;
    const f = listFilter(ctx, 1000);
    ctx.body = await s.list({ ...f, includeInactive: true, executorId: user.role === 'executor' ? user.executorId! : f.executorId });
  });
  router.get('/announcements/:id/history', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.history(ctx.state.user!, idParam(ctx));
  });
  router.put('/announcements/:id', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.edit(ctx.state.user!, idParam(ctx), await readBody(ctx, { limit: GEOMETRY_BODY_LIMIT }));
  });
  router.post('/announcements/:id/cancel', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.end(ctx.state.user!, idParam(ctx), 'cancelled', await readBody(ctx));
  });
  router.post('/announcements/:id/close', requireRole(...EDITORS), async (ctx) => {
    ctx.body = await s.end(ctx.state.user!, idParam(ctx), 'closed', await readBody(ctx));
  });
  router.get('/announcements/:id', async (ctx) => {
    ctx.body = await s.detail(idParam(ctx));
  });

  // ---- statistics (report 1) ----
  router.get('/stats/announcements', requireRole('analyst', 'admin'), async (ctx) => {
    const group = String(ctx.query.group ?? 'week');
    const by = String(ctx.query.by ?? 'utility');
    if (!['day', 'week', 'month'].includes(group)) throw badRequest('"group" must be day, week or month');
    if (!['utility', 'kind', 'executor', 'district'].includes(by)) throw badRequest('"by" must be utility, kind, executor or district');
    const to = dateQuery(ctx, 'to') ?? new Date(s.now().getTime() + 30 * 86400e3);
    const from = dateQuery(ctx, 'from') ?? new Date(to.getTime() - 120 * 86400e3);
    if (to <= from) throw badRequest('"to" must be later than "from"');
    if (to.getTime() - from.getTime() > 5 * 366 * 86400e3) throw badRequest('The period is longer than five years');
    const rows = await s.stats({ from, to, group: group as 'week', by: by as 'utility' });
    if (ctx.query.format === 'csv') {
      ctx.set('Content-Type', 'text/csv; charset=utf-8');
      ctx.set('Content-Disposition', `attachment; filename="announcements-${group}-${by}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv"`);
      const lang = ctx.query.lang === 'en' || (!ctx.query.lang && ctx.cookies.get('lang') === 'en') ? 'en' : 'uk';
      const label = (r: { key: string; label: string }) =>
        // utility and kind values are the table's own keys (the database's CHECK lists them).
        by === 'utility' || by === 'kind' ? translate(lang, `ann.${by}.${r.key}` as MessageKey) : r.label;
      ctx.body = toCsv(['period', by, 'key', 'events', 'buildings', 'apartments'], rows.map((r) => [r.period, label(r), r.key, r.events, r.buildings, r.apartments]));
      return;
    }
    ctx.body = { from, to, group, by, rows };
  });

  return router;
}
