// All SQL of the contact centre's statistics: the call log's ended calls of a period of Kyiv days,
// counted once per grouping set (the whole period, hour of day, day, queue, operator) in one
// statement. What each figure means is vocabulary/telephony.ts; its outcome lists reach SQL as
// parameters, so the two cannot drift apart. Reads the columns of call_stats_idx.
import type { Db } from '../db/db.ts';
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
const seconds = (to: string, since: string) => `greatest(extract(epoch FROM ${to} - ${since}), 0)::float8`;
// A wait starts when the call asked for an operator; rows logged before queued_at existed, at entry.
const QUEUED = 'coalesce(c.queued_at, c.entered_at)';

/** The filtered calls, one row each with what the figures need. */
const CALLS = `
  SELECT c.queue, c.operator_id,
         (c.entered_at AT TIME ZONE 'Europe/Kyiv') AS local,
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

/** The definitions of vocabulary/telephony.ts as aggregates over CALLS. */
const FIGURES = `
  count(*) FILTER (WHERE offered)::int AS offered,
  count(*) FILTER (WHERE answered)::int AS answered,
  count(*) FILTER (WHERE answered AND has_answer AND answer_s <= $(slSeconds))::int AS "answeredInTime",
  count(*) FILTER (WHERE abandoned)::int AS abandoned,
  count(*) FILTER (WHERE no_operators)::int AS "noOperators",
  count(*) FILTER (WHERE outcome = 'unanswered')::int AS unanswered,
  count(*) FILTER (WHERE outcome = 'lost')::int AS lost,
  count(*) FILTER (WHERE answered AND consultation)::int AS consultations,
  count(*) FILTER (WHERE before_queue)::int AS "endedBeforeQueue",
  avg(answer_s) FILTER (WHERE answered AND has_answer) AS "averageSpeedOfAnswerSeconds",
  avg(handle_s) FILTER (WHERE answered AND has_answer) AS "averageHandleTimeSeconds",
  max(wait_s) FILTER (WHERE offered) AS "longestWaitSeconds"`;

const params = (f: CallStatsFilter) => ({
  from: f.from, to: f.to, queue: f.queue ?? null, operator: f.operator ?? null,
  offered: OFFERED_OUTCOMES, answered: ANSWERED_OUTCOMES, abandoned: ABANDONED_OUTCOMES,
  noOperators: NO_OPERATOR_OUTCOMES, beforeQueue: BEFORE_QUEUE_OUTCOMES, slSeconds: SERVICE_LEVEL_SECONDS,
});

export function callStatsRepo(db: Db) {
  return {
    /** The period's figures: one 'total' row and the rows of every breakdown that has calls. */
    breakdown: (f: CallStatsFilter) => db.any<CallStatsRow>(`
      WITH c AS (
        SELECT *, extract(hour FROM local)::int AS hour, local::date AS day FROM (${CALLS}) x
      ), g AS (
        SELECT CASE WHEN grouping(hour) = 0 THEN 'hour' WHEN grouping(day) = 0 THEN 'day'
                    WHEN grouping(queue) = 0 THEN 'queue' WHEN grouping(operator_id) = 0 THEN 'operator'
                    ELSE 'total' END AS dim,
               hour, to_char(day, 'YYYY-MM-DD') AS day, queue, operator_id AS "operatorId", ${FIGURES}
          FROM c
         GROUP BY GROUPING SETS ((), (hour), (day), (queue), (operator_id))
      )
      SELECT g.*, u.full_name AS name
        FROM g LEFT JOIN app_user u ON g.dim = 'operator' AND u.id = g."operatorId"
       WHERE NOT (g.dim = 'operator' AND g."operatorId" IS NULL)`, params(f)),

    /** The period's figures alone (the wallboard's day so far). */
    totals: (f: CallStatsFilter) => db.one<CallCounts>(`SELECT ${FIGURES} FROM (${CALLS}) c`, params(f)),
  };
}
export type CallStatsRepo = ReturnType<typeof callStatsRepo>;
