// All SQL of the contact centre's statistics: the call log's ended calls of a period of Kyiv days,
// counted for the whole period, per Kyiv hour of day, per day, per queue and per operator in one
// statement. What each figure means is vocabulary/telephony.ts; its outcome lists reach SQL as
// parameters, so the two cannot drift apart. Reads only the call_stats_idx columns and consultation.
import { pgp, type Db } from '../db/db.ts';
import {
  ABANDONED_OUTCOMES, ANSWERED_OUTCOMES, BEFORE_QUEUE_OUTCOMES, NO_OPERATOR_OUTCOMES, OFFERED_OUTCOMES,
  SERVICE_LEVEL_SECONDS, type CallCounts,
} from '../../vocabulary/telephony.ts';

export interface CallStatsFilter {
  /** Kyiv calendar days, both inclusive. */
  from: string;
  to: string;
  queue?: string | null;
  operator?: number | null;
}

export type Dimension = 'total' | 'hour' | 'day' | 'queue' | 'operator';

export interface CallStatsRow extends CallCounts {
  dim: Dimension;
  hour: number | null;
  day: string | null;
  queue: string | null;
  operatorId: number | null;
  /** The operator's name (app_user.full_name) on operator rows. */
  name: string | null;
}

// Seconds between two instants, never negative (a PBX clock step must not make a wait negative).
// date_part, not extract: float8 arithmetic instead of numeric, twice as fast over a year of calls.
const seconds = (to: string, since: string) => `greatest(date_part('epoch', ${to} - ${since}), 0)`;
// A wait starts when the call asked for an operator; rows logged before queued_at existed, at entry.
const QUEUED = 'coalesce(c.queued_at, c.entered_at)';

/** The filtered calls, one row each with what the figures need. */
const CALLS = `
  SELECT c.queue, c.operator_id,
         -- Kyiv's offsets are whole hours: a UTC hour lies in one Kyiv hour of one Kyiv day.
         date_trunc('hour', c.entered_at) AS bucket,
         c.outcome = ANY($(offered)::text[]) AS offered,
         c.outcome = ANY($(answered)::text[]) AS answered,
         c.outcome = ANY($(abandoned)::text[]) AS abandoned,
         c.outcome = ANY($(noOperators)::text[]) AS no_operators,
         c.outcome = ANY($(beforeQueue)::text[]) AS before_queue,
         c.outcome, c.consultation, c.answered_at IS NOT NULL AS has_answer,
         ${seconds('c.answered_at', QUEUED)} AS answer_s,
         ${seconds('c.hungup_at', 'c.answered_at')} AS handle_s,
         ${seconds('coalesce(c.answered_at, c.hungup_at)', QUEUED)} AS wait_s
    FROM call c
   WHERE c.hungup_at IS NOT NULL
     AND c.entered_at >= ($(from)::date::timestamp AT TIME ZONE 'Europe/Kyiv')
     AND c.entered_at < (($(to)::date + 1)::timestamp AT TIME ZONE 'Europe/Kyiv')
     AND ($(queue)::text IS NULL OR c.queue = $(queue)::text)
     AND ($(operator)::int IS NULL OR c.operator_id = $(operator)::int)`;

/** The definitions of vocabulary/telephony.ts as aggregates over CALLS, in parts that add up. */
const PARTS = `
  count(*) FILTER (WHERE offered) AS offered,
  count(*) FILTER (WHERE answered) AS answered,
  count(*) FILTER (WHERE answered AND has_answer AND answer_s <= $(slSeconds)) AS answered_in_time,
  count(*) FILTER (WHERE abandoned) AS abandoned,
  count(*) FILTER (WHERE no_operators) AS no_operators,
  count(*) FILTER (WHERE outcome = 'unanswered') AS unanswered,
  count(*) FILTER (WHERE outcome = 'lost') AS lost,
  count(*) FILTER (WHERE answered AND consultation) AS consultations,
  count(*) FILTER (WHERE before_queue) AS before_queue,
  count(*) FILTER (WHERE answered AND has_answer) AS timed,
  sum(answer_s) FILTER (WHERE answered AND has_answer) AS answer_sum,
  sum(handle_s) FILTER (WHERE answered AND has_answer) AS handle_sum,
  max(wait_s) FILTER (WHERE offered) AS wait_max`;

/** PARTS of several groups added up into the figures: means are sums over counts. */
const FIGURES = `
  coalesce(sum(offered), 0)::int AS offered,
  coalesce(sum(answered), 0)::int AS answered,
  coalesce(sum(answered_in_time), 0)::int AS "answeredInTime",
  coalesce(sum(abandoned), 0)::int AS abandoned,
  coalesce(sum(no_operators), 0)::int AS "noOperators",
  coalesce(sum(unanswered), 0)::int AS unanswered,
  coalesce(sum(lost), 0)::int AS lost,
  coalesce(sum(consultations), 0)::int AS consultations,
  coalesce(sum(before_queue), 0)::int AS "endedBeforeQueue",
  sum(answer_sum) / nullif(sum(timed), 0)::float8 AS "averageSpeedOfAnswerSeconds",
  sum(handle_sum) / nullif(sum(timed), 0)::float8 AS "averageHandleTimeSeconds",
  max(wait_max) AS "longestWaitSeconds"`;

const params = (f: CallStatsFilter) => ({
  from: f.from, to: f.to, queue: f.queue ?? null, operator: f.operator ?? null,
  offered: OFFERED_OUTCOMES, answered: ANSWERED_OUTCOMES, abandoned: ABANDONED_OUTCOMES,
  noOperators: NO_OPERATOR_OUTCOMES, beforeQueue: BEFORE_QUEUE_OUTCOMES, slSeconds: SERVICE_LEVEL_SECONDS,
});

/**
 * The period's figures: one 'total' row and the rows of every breakdown that has calls. One pass over
 * the calls groups them by UTC hour, by queue and by operator; the Kyiv hours and days, and the
 * total, are then added up from the (at most 8,784) hour rows.
 */
const BREAKDOWN = `
  WITH parts AS (
    SELECT CASE WHEN grouping(bucket) = 0 THEN 'bucket' WHEN grouping(queue) = 0 THEN 'queue' ELSE 'operator' END AS kind,
           bucket, queue, operator_id, ${PARTS}
      FROM (${CALLS}) c
     GROUP BY GROUPING SETS ((bucket), (queue), (operator_id))
  ), hours AS (
    SELECT *, extract(hour FROM local)::int AS hour, to_char(local, 'YYYY-MM-DD') AS day
      FROM (SELECT *, bucket AT TIME ZONE 'Europe/Kyiv' AS local FROM parts WHERE kind = 'bucket') p
  ), g AS (
    SELECT CASE WHEN grouping(hour) = 0 THEN 'hour' WHEN grouping(day) = 0 THEN 'day' ELSE 'total' END AS dim,
           hour, day, NULL::text AS queue, NULL::int AS "operatorId", ${FIGURES}
      FROM hours
     GROUP BY GROUPING SETS ((), (hour), (day))
    UNION ALL
    SELECT kind, NULL, NULL, queue, operator_id, ${FIGURES}
      FROM parts
     WHERE kind = 'queue' OR (kind = 'operator' AND operator_id IS NOT NULL)
     GROUP BY kind, queue, operator_id
  )
  SELECT g.*, u.full_name AS name
    FROM g LEFT JOIN app_user u ON g.dim = 'operator' AND u.id = g."operatorId"`;

export function callStatsRepo(db: Db) {
  const breakdownSql = (f: CallStatsFilter) => pgp.as.format(BREAKDOWN, params(f));
  return {
    breakdown: (f: CallStatsFilter) => db.any<CallStatsRow>(breakdownSql(f)),
    /** The statement as sent, for EXPLAIN (scripts/bench-call-stats.ts). */
    breakdownSql,
    /** The period's figures alone (the wallboard's day so far). */
    totals: (f: CallStatsFilter) => db.one<CallCounts>(`SELECT ${FIGURES} FROM (SELECT ${PARTS} FROM (${CALLS}) c) p`, params(f)),
  };
}
export type CallStatsRepo = ReturnType<typeof callStatsRepo>;
