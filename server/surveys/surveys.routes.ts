// GET /api/stats/surveys: report 3 (survey and control calls) for those who may open the contact
// centre's statistics. Counts only: no resident's number. CSV with `format=csv` or Accept: text/csv.
import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { query } from '../http/input.ts';
import { AREA_ROLES } from '../../vocabulary/roles.ts';
import { translate } from '../../vocabulary/i18n/translate.ts';
import { toCsv } from '../announcements/csv.ts';
import { SurveyStatsQuery } from './surveys.input.ts';
import type { SurveysService } from './surveys.service.ts';
import type { SurveyFigures } from '../../vocabulary/surveys.ts';

const COLUMNS = ['calls', 'answeredWithResult', 'answeredWithoutResult', 'noPickup', 'busy', 'invalidNumber', 'failed', 'confirmed', 'notConfirmed', 'averageRating'] as const;
const cells = (f: SurveyFigures) => COLUMNS.map((c) => f[c]);

export function surveysRoutes(s: SurveysService) {
  const router = new Router();
  router.get('/stats/surveys', requireRole(...AREA_ROLES.callStats), async (ctx) => {
    const q = query(ctx, SurveyStatsQuery);
    const stats = await s.stats({ from: q.from, to: q.to, by: q.by });
    ctx.set('Cache-Control', 'no-store');
    const csv = q.format === 'csv' || (q.format === undefined && ctx.accepts('application/json', 'text/csv') === 'text/csv');
    if (!csv) { ctx.body = stats; return; }
    const lang = q.lang ?? (ctx.cookies.get('lang') === 'en' ? 'en' : 'uk');
    ctx.set('Content-Type', 'text/csv; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="surveys-${q.by}-${q.from}-${q.to}.csv"`);
    ctx.body = toCsv([q.by, 'id', ...COLUMNS], [
      [translate(lang, 'surveys.total'), '', ...cells(stats.totals)],
      ...stats.rows.map((r) => [lang === 'en' ? r.nameEn ?? r.name : r.name, r.id, ...cells(r)]),
    ]);
  });
  return router;
}
