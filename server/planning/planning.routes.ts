// The planners' maps and the mayor's live dashboard under /api/stats/…, for the roles of the area
// planning (vocabulary/roles.ts). Aggregates only: no resident's name, phone or apartment, no text.
// Every table also comes as CSV (?format=csv, UTF-8 with BOM, headers in the page's language).
import Router from '@koa/router';
import type { Context } from 'koa';
import { requireRole } from '../auth/guard.ts';
import { query } from '../http/input.ts';
import { openEventStream } from '../http/sse.ts';
import type { Lifecycle } from '../http/lifecycle.ts';
import { toCsv } from '../announcements/csv.ts';
import { AREA_ROLES } from '../../vocabulary/roles.ts';
import { translate, type MessageKey } from '../../vocabulary/i18n/translate.ts';
import { AnnouncementCallsQuery, HexCellQuery, HexagonsQuery, HotspotsQuery, PeriodQuery } from './planning.input.ts';
import type { PlanningService } from './planning.service.ts';
import type { LiveDashboardHub } from './live-dashboard.ts';
import { ANNOUNCEMENT_CALLS_LISTED, HOTSPOT_RADIUS_M, HOTSPOT_WINDOW_DAYS } from '../../vocabulary/planning.ts';

type Lang = 'uk' | 'en';

function sendCsv(ctx: Context, name: string, header: string[], rows: unknown[][]) {
  ctx.set('Content-Type', 'text/csv; charset=utf-8');
  ctx.set('Content-Disposition', `attachment; filename="${name}.csv"`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = toCsv(header, rows);
}
const langOf = (ctx: Context, q: { lang?: string }): Lang => (q.lang === 'en' || q.lang === 'uk' ? q.lang : null) ?? (ctx.cookies.get('lang') === 'en' ? 'en' : 'uk');
const heads = (lang: Lang, keys: string[]) => keys.map((k) => translate(lang, `planning.csv.${k}` as MessageKey));

export function planningRoutes(s: PlanningService, live: LiveDashboardHub, opts: { lifecycle?: Lifecycle; heartbeatMs: number }) {
  const router = new Router();
  const planners = requireRole(...AREA_ROLES.planning);
  const mayor = planners;

  router.get('/stats/hexagons', planners, async (ctx) => {
    const q = query(ctx, HexagonsQuery);
    const r = await s.hexagons(q, q.size);
    if (q.format === 'csv') {
      return sendCsv(ctx, `hexagons-${q.size}-${q.from}-${q.to}`, heads(langOf(ctx, q), ['i', 'j', 'lon', 'lat', 'appeals']),
        r.cells.map((c) => {
          const centre = c.polygon.slice(0, 6).reduce((a, p) => [a[0] + p[0] / 6, a[1] + p[1] / 6], [0, 0]);
          return [c.i, c.j, centre[0].toFixed(6), centre[1].toFixed(6), c.appeals];
        }));
    }
    ctx.body = r;
    ctx.set('Cache-Control', 'no-store');
  });

  router.get('/stats/hexagons/cell', planners, async (ctx) => {
    const q = query(ctx, HexCellQuery);
    const rows = await s.hexCategories(q, q.size, q.i, q.j);
    const lang = langOf(ctx, q);
    if (q.format === 'csv') {
      return sendCsv(ctx, `hexagon-${q.size}-${q.i}-${q.j}-${q.from}-${q.to}`, heads(lang, ['code', 'category', 'appeals']),
        rows.map((r) => [r.code, lang === 'en' ? r.nameEn : r.name, r.appeals]));
    }
    ctx.body = { from: q.from, to: q.to, size: q.size, i: q.i, j: q.j, categories: rows };
    ctx.set('Cache-Control', 'no-store');
  });

  router.get('/stats/districts', planners, async (ctx) => {
    const q = query(ctx, PeriodQuery);
    const r = await s.districts(q);
    const lang = langOf(ctx, q);
    if (q.format === 'csv') {
      return sendCsv(ctx, `districts-${q.from}-${q.to}`, heads(lang, ['district', 'appeals']),
        r.districts.map((d) => [lang === 'en' ? d.nameEn ?? d.name : d.name, d.appeals]));
    }
    ctx.body = r;
    ctx.set('Cache-Control', 'no-store');
  });

  router.get('/stats/hotspots', planners, async (ctx) => {
    const q = query(ctx, HotspotsQuery);
    const rows = await s.hotspots(q, { min: q.min });
    const lang = langOf(ctx, q);
    if (q.format === 'csv') {
      return sendCsv(ctx, `hotspots-${q.from}-${q.to}`,
        heads(lang, ['category', 'address', 'lon', 'lat', 'appeals', 'first', 'last', 'meanIntervalDays', 'regular']),
        rows.map((r) => [lang === 'en' ? r.categoryEn : r.category, r.address, r.lon.toFixed(6), r.lat.toFixed(6), r.appeals, r.first, r.last,
          r.meanIntervalDays, translate(lang, r.regular ? 'planning.yes' : 'planning.no')]));
    }
    ctx.body = { from: q.from, to: q.to, radius: HOTSPOT_RADIUS_M, window: HOTSPOT_WINDOW_DAYS, min: q.min, hotspots: rows };
    ctx.set('Cache-Control', 'no-store');
  });

  router.get('/stats/announcement-calls', planners, async (ctx) => {
    const q = query(ctx, AnnouncementCallsQuery);
    const r = await s.announcementCalls(q, q.format === 'csv' ? {} : { listed: ANNOUNCEMENT_CALLS_LISTED });
    const lang = langOf(ctx, q);
    if (q.format === 'csv') {
      return sendCsv(ctx, `announcement-calls-${q.from}-${q.to}`,
        heads(lang, ['announcement', 'utility', 'kind', 'title', 'startsAt', 'endsAt', 'buildings', 'calls', 'appeals']),
        r.announcements.map((a) => [a.announcementId, translate(lang, `ann.utility.${a.utility}` as MessageKey),
          translate(lang, `ann.kind.${a.kind}` as MessageKey), a.title, a.startsAt, a.endsAt, a.buildings, a.calls, a.appeals]));
    }
    ctx.body = r;
    ctx.set('Cache-Control', 'no-store');
  });

  // ---- the mayor's dashboard ----
  router.get('/stats/live', mayor, async (ctx) => {
    ctx.body = await live.snapshot();
    ctx.set('Cache-Control', 'no-store');
  });
  router.get('/stats/live/events', mayor, async (ctx: Context) => {
    const stream = openEventStream(ctx, { lifecycle: opts.lifecycle, heartbeatMs: opts.heartbeatMs });
    // Subscribed before the first snapshot is awaited: nothing between the two is missed.
    const off = live.subscribe((d) => stream.send('dashboard', d));
    stream.onEnd(off);
    stream.send('dashboard', await live.snapshot());
  });

  return router;
}
