// What the planners' maps accept (server/http/input.ts): a period of Kyiv days at most MAP_MAX_DAYS
// long, a category or a sphere, a cell size from the rollup's list, and hotspots' parameters.
import { z, id, int, optional, oneOf, refuse } from '../http/input.ts';
import { daysInclusive, isCalendarDay } from '../../vocabulary/calendar.ts';
import { UTILITIES } from '../../vocabulary/announcements.ts';
import {
  HOTSPOT_MIN_APPEALS, MAP_HEX_SIZES, MAP_MAX_DAYS,
} from '../../vocabulary/planning.ts';

const calendarDay = z.string().transform((v, ctx) => {
  if (!isCalendarDay(v)) { ctx.addIssue(refuse('invalid_date', {}, 'Expected a calendar day YYYY-MM-DD')); return z.NEVER; }
  return v;
});

const period = {
  from: calendarDay,
  to: calendarDay,
  category: optional(id),
  sphere: optional(id),
  format: optional(oneOf(['json', 'csv'])),
  lang: optional(oneOf(['uk', 'en'])),
};

function checkPeriod(q: { from: string; to: string }, ctx: z.RefinementCtx) {
  const days = daysInclusive(q.from, q.to);
  if (days < 1) ctx.addIssue({ ...refuse('ends_before_start', {}, '"to" must not be earlier than "from"'), path: ['to'] });
  else if (days > MAP_MAX_DAYS) {
    ctx.addIssue({ ...refuse('period_too_long', { max: MAP_MAX_DAYS }, `The period is longer than ${MAP_MAX_DAYS} days`), path: ['to'] });
  }
}

const size = z.preprocess((v) => (v === undefined || v === '' ? 1000 : v), int(1, 100_000)).transform((n, ctx) => {
  if (!(MAP_HEX_SIZES as readonly number[]).includes(n)) {
    ctx.addIssue(refuse('invalid_value', { values: MAP_HEX_SIZES.join(', ') }, `"size" must be one of ${MAP_HEX_SIZES.join(', ')}`));
    return z.NEVER;
  }
  return n;
});

export const PeriodQuery = z.object(period).superRefine(checkPeriod);
export type PeriodInput = z.output<typeof PeriodQuery>;

export const HexagonsQuery = z.object({ ...period, size }).superRefine(checkPeriod);
export type HexagonsInput = z.output<typeof HexagonsQuery>;

export const HexCellQuery = z.object({ ...period, size, i: int(-2_000_000, 2_000_000), j: int(-2_000_000, 2_000_000) }).superRefine(checkPeriod);
export type HexCellInput = z.output<typeof HexCellQuery>;

const bounded = (b: { fallback: number; min: number; max: number }) =>
  z.preprocess((v) => (v === undefined || v === '' ? b.fallback : v), int(b.min, b.max));

// The radius and the window are the definition the database keeps hotspots by (migration 132):
// a request that tries to change them is told so rather than silently answered with the defaults.
const fixed = (name: string) => z.unknown().optional().superRefine((v, ctx) => {
  if (v !== undefined && v !== '') ctx.addIssue(refuse('fixed_parameter', { name }, 'fixed by the definition of hotspots'));
});

export const HotspotsQuery = z.object({
  ...period,
  min: bounded(HOTSPOT_MIN_APPEALS),
  radius: fixed('radius'),
  window: fixed('window'),
}).superRefine(checkPeriod);
export type HotspotsInput = z.output<typeof HotspotsQuery>;

export const AnnouncementCallsQuery = z.object({ ...period, utility: optional(oneOf(UTILITIES)) }).superRefine(checkPeriod);
export type AnnouncementCallsInput = z.output<typeof AnnouncementCallsQuery>;
