// GET /api/stats/appeals (report 2), /api/stats/top (top-10s) and /api/stats/ratings, for those who
// may open the appeal statistics (vocabulary/roles.ts, area appealStats). Aggregates and catalogue
// names only: no resident's name, phone, apartment or text. CSV (UTF-8 with BOM) with format=csv.
import Router from '@koa/router';
import type { Context } from 'koa';
import { requireRole } from '../auth/guard.ts';
import { query } from '../http/input.ts';
import { AREA_ROLES } from '../../vocabulary/roles.ts';
import { translate } from '../../vocabulary/i18n/translate.ts';
import { toCsv } from '../announcements/csv.ts';
import { AppealStatsQuery, RatingStatsQuery, TopStatsQuery } from './appeal-stats.input.ts';
import type { AppealStatsService } from './appeal-stats.service.ts';
import { COMPONENTS, FIGURES, type AppealFigures, type Named } from '../../vocabulary/appeal-stats.ts';

type Lang = 'uk' | 'en';
const wantsCsv = (ctx: Context, format: string | undefined) =>
  format === 'csv' || (format === undefined && ctx.accepts('application/json', 'text/csv') === 'text/csv');
const langOf = (ctx: Context, lang: Lang | undefined): Lang => lang ?? (ctx.cookies.get('lang') === 'en' ? 'en' : 'uk');
const nameIn = (lang: Lang, n: Named) => (lang === 'en' ? n.nameEn ?? n.name : n.name);
const figures = (f: AppealFigures) => FIGURES.map((k) => f[k]);
const pct = (x: number | null) => (x === null ? '' : (x * 100).toFixed(2));

function sendCsv(ctx: Context, file: string, header: string[], rows: unknown[][]) {
  ctx.set('Content-Type', 'text/csv; charset=utf-8');
  ctx.set('Content-Disposition', `attachment; filename="${file}.csv"`);
  ctx.body = toCsv(header, rows);
}

export function appealStatsRoutes(s: AppealStatsService) {
  const router = new Router();
  const guard = requireRole(...AREA_ROLES.appealStats);

  router.get('/stats/appeals', guard, async (ctx) => {
    const q = query(ctx, AppealStatsQuery);
    const by = q.sphere ? 'category' : q.by;
    const stats = await s.appeals({
      from: q.from, to: q.to, district: q.district ?? null, executor: q.executor ?? null, channel: q.channel ?? null, sphere: q.sphere ?? null,
    }, q.group, by);
    ctx.set('Cache-Control', 'no-store');
    if (!wantsCsv(ctx, q.format)) { ctx.body = stats; return; }
    const lang = langOf(ctx, q.lang);
    const name = new Map(stats.rows.map((r) => [r.id, nameIn(lang, r)]));
    const all = translate(lang, 'appealStats.total');
    sendCsv(ctx, `appeals-${by}-${q.group}-${q.from}-${q.to}`, ['period', by, 'id', ...FIGURES], [
      ...(q.group === 'none' ? [] : stats.periods.flatMap((p) => [
        ...p.rows.map((r) => [p.period, name.get(r.id) ?? r.id, r.id, ...figures(r)]),
        [p.period, all, '', ...figures(p.totals)],
      ])),
      ...stats.rows.map((r) => [all, nameIn(lang, r), r.id, ...figures(r)]),
      [all, all, '', ...figures(stats.totals)],
    ]);
  });

  router.get('/stats/top', guard, async (ctx) => {
    const q = query(ctx, TopStatsQuery);
    const stats = await s.top({ from: q.from, to: q.to, district: q.district ?? null, executor: q.executor ?? null, channel: q.channel ?? null });
    ctx.set('Cache-Control', 'no-store');
    if (!wantsCsv(ctx, q.format)) { ctx.body = stats; return; }
    const lang = langOf(ctx, q.lang);
    const all = translate(lang, 'appealStats.total');
    const i = stats.issues;
    sendCsv(ctx, `top-issues-${q.from}-${q.to}`, ['category', 'id', ...i.districts.map((d) => nameIn(lang, d)), 'total'], [
      ...i.categories.map((c, k) => [nameIn(lang, c), c.id, ...i.cells[k], c.total]),
      [all, '', ...i.columnTotals, i.total],
    ]);
  });

  router.get('/stats/ratings', guard, async (ctx) => {
    const q = query(ctx, RatingStatsQuery);
    const stats = await s.ratings({ from: q.from, to: q.to }, q.of, q.weights);
    ctx.set('Cache-Control', 'no-store');
    if (!wantsCsv(ctx, q.format)) { ctx.body = stats; return; }
    const lang = langOf(ctx, q.lang);
    sendCsv(ctx, `ratings-${q.of}-${q.from}-${q.to}`, ['rank', q.of, 'id', 'received', ...COMPONENTS.map((k, n) => `K${n + 1} ${k} %`), 'rating %'],
      stats.rows.map((r) => [r.rank, nameIn(lang, r), r.id, r.received, ...COMPONENTS.map((k) => pct(r.components[k])), pct(r.score)]));
  });

  return router;
}
