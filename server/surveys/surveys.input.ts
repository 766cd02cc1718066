// What GET /api/stats/surveys accepts: a period of Kyiv calendar days, the breakdown, and CSV.
import { z, oneOf, optional, refuse } from '../http/input.ts';
import { daysInclusive, isCalendarDay } from '../../vocabulary/calendar.ts';
import { SURVEY_STATS_MAX_DAYS } from '../../vocabulary/surveys.ts';

const calendarDay = z.string().transform((v, ctx) => {
  if (!isCalendarDay(v)) { ctx.addIssue(refuse('invalid_date', {}, 'Expected a calendar day YYYY-MM-DD')); return z.NEVER; }
  return v;
});

export const SurveyStatsQuery = z.object({
  from: calendarDay,
  to: calendarDay,
  by: z.preprocess((v) => (v === undefined || v === '' ? 'executor' : v), oneOf(['executor', 'category'] as const)),
  format: optional(oneOf(['json', 'csv'] as const)),
  lang: optional(oneOf(['uk', 'en'] as const)),
}).superRefine((q, ctx) => {
  const days = daysInclusive(q.from, q.to);
  if (days < 1) ctx.addIssue({ ...refuse('ends_before_start', {}, '"to" must not be earlier than "from"'), path: ['to'] });
  else if (days > SURVEY_STATS_MAX_DAYS) {
    ctx.addIssue({ ...refuse('period_too_long', { max: SURVEY_STATS_MAX_DAYS }, `The period is longer than ${SURVEY_STATS_MAX_DAYS} days`), path: ['to'] });
  }
});
export type SurveyStatsInput = z.output<typeof SurveyStatsQuery>;
