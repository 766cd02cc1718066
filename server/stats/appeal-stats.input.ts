// What GET /api/stats/appeals, /api/stats/top and /api/stats/ratings accept: a period of Kyiv
// calendar days (at most APPEAL_STATS_MAX_DAYS), filters, the breakdown, the rating's weights, CSV.
import { z, id, oneOf, optional, refuse } from '../http/input.ts';
import { daysInclusive, isCalendarDay } from '../../vocabulary/calendar.ts';
import { CHANNELS } from '../../vocabulary/appeals.ts';
import {
  APPEAL_STATS_MAX_DAYS, COMPONENTS, DEFAULT_WEIGHTS, RATING_OF, STATS_BY, STATS_GROUPS, WEIGHT_MAX, type Weights,
} from '../../vocabulary/appeal-stats.ts';

const calendarDay = z.string().transform((v, ctx) => {
  if (!isCalendarDay(v)) { ctx.addIssue(refuse('invalid_date', {}, 'Expected a calendar day YYYY-MM-DD')); return z.NEVER; }
  return v;
});
const withDefault = <T extends readonly [string, ...string[]]>(values: T, d: T[number]) =>
  z.preprocess((v) => (v === undefined || v === '' ? d : v), oneOf(values));

const period = {
  from: calendarDay,
  to: calendarDay,
  format: optional(oneOf(['json', 'csv'] as const)),
  lang: optional(oneOf(['uk', 'en'] as const)),
};
const checkPeriod = (q: { from: string; to: string }, ctx: z.RefinementCtx) => {
  const days = daysInclusive(q.from, q.to);
  if (days < 1) ctx.addIssue({ ...refuse('ends_before_start', {}, '"to" must not be earlier than "from"'), path: ['to'] });
  else if (days > APPEAL_STATS_MAX_DAYS) {
    ctx.addIssue({ ...refuse('period_too_long', { max: APPEAL_STATS_MAX_DAYS }, `The period is longer than ${APPEAL_STATS_MAX_DAYS} days`), path: ['to'] });
  }
};
const filters = { district: optional(id), executor: optional(id), channel: optional(oneOf(CHANNELS)) };

export const AppealStatsQuery = z.object({
  ...period, ...filters,
  group: withDefault(STATS_GROUPS, 'month'),
  by: withDefault(STATS_BY, 'sphere'),
  /** Drill-down: the categories of this sphere (by becomes category). */
  sphere: optional(id),
}).superRefine(checkPeriod);
export type AppealStatsInput = z.output<typeof AppealStatsQuery>;

export const TopStatsQuery = z.object({ ...period, ...filters }).superRefine(checkPeriod);

/** "1,1,1,1,1": one exponent per component (vocabulary/appeal-stats.ts COMPONENTS), each 0…WEIGHT_MAX. */
const weights = z.preprocess((v) => (v === undefined || v === '' ? undefined : v), z.string().optional()).transform((v, ctx): Weights => {
  if (v === undefined) return { ...DEFAULT_WEIGHTS };
  const parts = v.split(',').map((x) => Number(x.trim()));
  if (parts.length !== COMPONENTS.length || parts.some((x) => !Number.isFinite(x) || x < 0 || x > WEIGHT_MAX)) {
    ctx.addIssue(refuse('invalid_weights', { count: COMPONENTS.length, max: WEIGHT_MAX }, `Expected ${COMPONENTS.length} comma-separated weights 0…${WEIGHT_MAX}`));
    return z.NEVER;
  }
  return Object.fromEntries(COMPONENTS.map((k, i) => [k, parts[i]])) as Weights;
});

export const RatingStatsQuery = z.object({
  ...period,
  of: withDefault(RATING_OF, 'executor'),
  weights,
}).superRefine(checkPeriod);
