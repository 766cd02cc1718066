// What GET /api/stats/calls accepts (server/http/input.ts): a period of Kyiv calendar days, at most
// CALL_STATS_MAX_DAYS long, and optionally one queue or one operator.
import { z, id, optional, refuse, text } from '../http/input.ts';
import { daysInclusive, isCalendarDay } from '../../vocabulary/calendar.ts';
import { CALL_STATS_MAX_DAYS } from '../../vocabulary/telephony.ts';

/** A Kyiv calendar day, "YYYY-MM-DD". */
const calendarDay = z.string().transform((v, ctx) => {
  if (!isCalendarDay(v)) { ctx.addIssue(refuse('invalid_date', {}, 'Expected a calendar day YYYY-MM-DD')); return z.NEVER; }
  return v;
});

/** The longest queue name accepted (Asterisk's are short words like "1580" or "operators"). */
export const QUEUE_MAX = 80;

export const CallStatsQuery = z.object({
  from: calendarDay,
  to: calendarDay,
  queue: optional(text(QUEUE_MAX)),
  operator: optional(id),
}).superRefine((q, ctx) => {
  const days = daysInclusive(q.from, q.to);
  if (days < 1) ctx.addIssue({ ...refuse('ends_before_start', {}, '"to" must not be earlier than "from"'), path: ['to'] });
  else if (days > CALL_STATS_MAX_DAYS) {
    ctx.addIssue({ ...refuse('period_too_long', { max: CALL_STATS_MAX_DAYS }, `The period is longer than ${CALL_STATS_MAX_DAYS} days`), path: ['to'] });
  }
});
export type CallStatsInput = z.output<typeof CallStatsQuery>;
