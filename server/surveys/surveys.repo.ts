// All SQL of survey and control calls: the scan of appeal history that schedules them, the claim of
// due surveys within the channel limit, the end of an attempt with its retry or result, the report.
import type { Db } from '../db/db.ts';
import type { AttemptOutcome, ControlShares, SurveyFigures, SurveyKind, SurveyResult } from '../../vocabulary/surveys.ts';
import { confirmedBySurvey, notConfirmedToControl, type MovedAppeal } from '../appeals/survey-moves.repo.ts';
import { enqueueMail, type OutgoingMail } from '../mail/mail.repo.ts';

/** Claimers of survey work across processes (the channel count and the claim are one critical section). */
const CLAIM_LOCK = 1580_0093;

export interface ScanOptions {
  now: Date;
  delayMinutes: number;
  maxAgeHours: number;
  /** Events younger than this may still be joined by lower ids committing late: scanned again next time. */
  lagSeconds: number;
  batch: number;
  control: ControlShares;
}

export interface ClaimedAttempt {
  attemptId: number; actionId: string; surveyId: number; appealId: number; kind: SurveyKind; phone: string; n: number;
}

export interface AttemptEnd {
  attemptId: number;
  now: Date;
  outcome: AttemptOutcome;
  reason: number | null;
  cause: number | null;
  dialStatus: string | null;
  digit: string | null;
  rating: number | null;
  answeredAt: Date | null;
  /** Dial again at this instant, or end the survey with `result`. */
  retryAt: Date | null;
  result: SurveyResult | null;
  confirmed: boolean | null;
  controlDueHours: number;
}

const FIGURES = `
  count(*)::int AS calls,
  count(*) FILTER (WHERE t.outcome = 'answered')::int AS "answeredWithResult",
  count(*) FILTER (WHERE t.outcome = 'no_input')::int AS "answeredWithoutResult",
  count(*) FILTER (WHERE t.outcome = 'no_pickup')::int AS "noPickup",
  count(*) FILTER (WHERE t.outcome = 'busy')::int AS busy,
  count(*) FILTER (WHERE t.outcome = 'invalid_number')::int AS "invalidNumber",
  count(*) FILTER (WHERE t.outcome = 'failed')::int AS failed,
  count(*) FILTER (WHERE t.outcome = 'answered' AND t.digit = '1')::int AS confirmed,
  count(*) FILTER (WHERE t.outcome = 'answered' AND t.digit = '2')::int AS "notConfirmed",
  round(avg(t.rating), 2)::float8 AS "averageRating"`;

export function surveysRepo(db: Db) {
  return {
    /**
     * Schedules a survey for every status change to "done" (of a category with surveys) and a
     * control call for a share of the closings not made by a survey, from the history written since
     * the last scan. One scanner at a time (the row lock, skipped by others); the unique event_id
     * makes a rescan harmless. Returns how many were scheduled, and whether a full batch was read.
     */
    scan: (o: ScanOptions) => db.tx('survey-scan', async (t) => {
      const none = { scheduled: 0, more: false };
      const cur = await t.oneOrNone<{ last: string }>(`SELECT last_event_id AS last FROM survey_scan WHERE id = 1 FOR UPDATE SKIP LOCKED`);
      if (!cur) return none;
      const bounds = await t.one<{ hi: string | null; n: number; recent: string | null }>(`
        WITH batch AS (SELECT id, at FROM appeal_event WHERE id > $1 ORDER BY id LIMIT $2)
        SELECT max(id) AS hi, count(*)::int AS n, min(id) FILTER (WHERE at > $3::timestamptz - make_interval(secs => $4)) AS recent FROM batch`,
      [cur.last, o.batch, o.now, o.lagSeconds]);
      if (!bounds.hi) return none;
      const rows = await t.any<{ id: number }>(`
        WITH due AS (
          SELECT ev.id AS event_id, ev.appeal_id, ev.at,
                 CASE WHEN ev.data->>'to' = 'done' THEN 'survey' ELSE 'control' END AS kind,
                 a.caller_phone AS phone,
                 (coalesce(r.no_robocalls, false) OR coalesce(pr.no_robocalls, false)) AS opted_out
            FROM appeal_event ev
            JOIN appeal a ON a.id = ev.appeal_id
            JOIN category c ON c.id = a.category_id
            JOIN executor e ON e.id = a.executor_id
            LEFT JOIN resident r ON r.id = a.resident_id
            LEFT JOIN resident_phone rp ON rp.phone = a.caller_phone
            LEFT JOIN resident pr ON pr.id = rp.resident_id
           WHERE ev.id > $1 AND ev.id <= $2 AND ev.kind = 'status'
             AND ev.at > $3::timestamptz - make_interval(hours => $5)
             AND ((ev.data->>'to' = 'done' AND c.survey)
               OR (ev.data->>'to' = 'closed' AND coalesce(ev.data->>'by', '') <> 'survey'
                   AND (hashint8(ev.id) & 2147483647) % 10000
                       < 10000 * coalesce(($7::jsonb ->> e.code)::float8, ($8::jsonb ->> c.code)::float8, $6::float8)))),
        ins AS (
          INSERT INTO survey (appeal_id, event_id, kind, phone, state, result, skip_reason, next_at, created_at, finished_at)
          SELECT appeal_id, event_id, kind, phone,
                 CASE WHEN phone IS NULL OR opted_out THEN 'over' ELSE 'pending' END,
                 CASE WHEN phone IS NULL OR opted_out THEN 'skipped' END,
                 CASE WHEN phone IS NULL THEN 'no_phone' WHEN opted_out THEN 'opted_out' END,
                 greatest(at + make_interval(mins => $4), $3::timestamptz), $3,
                 CASE WHEN phone IS NULL OR opted_out THEN $3::timestamptz END
            FROM due
              ON CONFLICT (event_id) DO NOTHING
          RETURNING id, appeal_id, kind, skip_reason, next_at)
        INSERT INTO appeal_event (appeal_id, at, kind, data)
        SELECT appeal_id, $3, 'survey',
               jsonb_strip_nulls(jsonb_build_object('step', CASE WHEN skip_reason IS NULL THEN 'scheduled' ELSE 'skipped' END,
                 'surveyId', id, 'call', kind, 'reason', skip_reason, 'at', CASE WHEN skip_reason IS NULL THEN next_at END))
          FROM ins
        RETURNING id`,
      [cur.last, bounds.hi, o.now, o.delayMinutes, o.maxAgeHours, o.control.share, JSON.stringify(o.control.executors), JSON.stringify(o.control.categories)]);
      // Stop short of the first event still young enough to be overtaken by a late commit.
      const hi = BigInt(bounds.hi);
      const next = bounds.recent ? BigInt(bounds.recent) - 1n : hi;
      const moved = next > BigInt(cur.last);
      if (moved) await t.none('UPDATE survey_scan SET last_event_id = $1 WHERE id = 1', [String(next < hi ? next : hi)]);
      return { scheduled: rows.length, more: moved && bounds.n === o.batch };
    }),

    /**
     * Claims due surveys for at most `channels` attempts on the line across every process: under one
     * advisory lock (another claimer means: try again next tick), counts the attempts without an end,
     * then takes due surveys with SKIP LOCKED and writes an attempt for each. Attempts left open by a
     * process that died (older than `staleSeconds`) end as failed first. Surveys whose appeal moved on
     * end as skipped.
     */
    claim: (o: { now: Date; channels: number; staleSeconds: number; failedRetryMinutes: number; failedAttempts: number }) =>
      db.tx('survey-claim', async (t) => {
        const { locked } = await t.one<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [CLAIM_LOCK]);
        if (!locked) return [] as ClaimedAttempt[];
        const stale = await t.any<{ surveyId: number }>(`
          UPDATE survey_attempt SET ended_at = $1, outcome = 'failed'
           WHERE ended_at IS NULL AND started_at < $1::timestamptz - make_interval(secs => $2)
          RETURNING survey_id AS "surveyId"`, [o.now, o.staleSeconds]);
        if (stale.length) {
          await t.none(`
            UPDATE survey SET state = CASE WHEN attempts < $3 THEN 'pending' ELSE 'over' END,
                   result = CASE WHEN attempts < $3 THEN NULL ELSE 'unreached' END,
                   next_at = $2::timestamptz + make_interval(mins => $4),
                   finished_at = CASE WHEN attempts < $3 THEN NULL ELSE $2::timestamptz END
             WHERE id = ANY($1::bigint[]) AND state = 'calling'`, [stale.map((s) => s.surveyId), o.now, o.failedAttempts, o.failedRetryMinutes]);
        }
        const { live } = await t.one<{ live: number }>('SELECT count(*)::int AS live FROM survey_attempt WHERE ended_at IS NULL');
        const free = o.channels - live;
        if (free <= 0) return [];
        const due = await t.any<{ id: number; appealId: number; kind: SurveyKind; phone: string; attempts: number; moved: boolean }>(`
          SELECT s.id, s.appeal_id AS "appealId", s.kind, s.phone, s.attempts,
                 (a.status <> CASE s.kind WHEN 'survey' THEN 'done' ELSE 'closed' END
                  OR EXISTS (SELECT 1 FROM appeal_event ev WHERE ev.appeal_id = s.appeal_id AND ev.kind = 'status' AND ev.id > s.event_id)) AS moved
            FROM survey s JOIN appeal a ON a.id = s.appeal_id
           WHERE s.state = 'pending' AND s.next_at <= $1
           ORDER BY s.next_at, s.id
           LIMIT $2
             FOR UPDATE OF s SKIP LOCKED`, [o.now, free]);
        const moved = due.filter((s) => s.moved);
        if (moved.length) {
          await t.none(`
            WITH s AS (UPDATE survey SET state = 'over', result = 'skipped', skip_reason = 'appeal_moved', finished_at = $2
                        WHERE id = ANY($1::bigint[]) RETURNING id, appeal_id)
            INSERT INTO appeal_event (appeal_id, at, kind, data)
            SELECT appeal_id, $2, 'survey', jsonb_build_object('step', 'skipped', 'surveyId', id, 'reason', 'appeal_moved') FROM s`,
          [moved.map((s) => s.id), o.now]);
        }
        const go = due.filter((s) => !s.moved);
        if (!go.length) return [];
        const attempts = await t.any<{ attemptId: number; actionId: string; surveyId: number; n: number }>(`
          WITH s AS (
            UPDATE survey SET state = 'calling', attempts = attempts + 1
             WHERE id = ANY($1::bigint[]) RETURNING id, attempts),
          ids AS (SELECT s.id AS survey_id, s.attempts AS n, nextval(pg_get_serial_sequence('survey_attempt', 'id')) AS attempt_id FROM s)
          INSERT INTO survey_attempt (id, survey_id, n, action_id, started_at)
          SELECT attempt_id, survey_id, n, 'survey-' || attempt_id, $2 FROM ids
          RETURNING id AS "attemptId", action_id AS "actionId", survey_id AS "surveyId", n`, [go.map((s) => s.id), o.now]);
        const byId = new Map(go.map((s) => [Number(s.id), s]));
        return attempts.map((a) => {
          const s = byId.get(Number(a.surveyId))!;
          return { attemptId: Number(a.attemptId), actionId: a.actionId, surveyId: Number(a.surveyId), appealId: Number(s.appealId), kind: s.kind, phone: s.phone, n: a.n };
        });
      }),

    /**
     * Ends an attempt: the attempt's row, the survey's retry or result, the appeal's history and, for
     * a key pressed, the appeal's move (with the executor's mail for Control) — one transaction.
     */
    finish: (e: AttemptEnd, mailFor: (a: MovedAppeal, from: 'done' | 'closed') => OutgoingMail | null) => db.tx('survey-finish', async (t) => {
      const s = await t.oneOrNone<{ id: number; appealId: number; eventId: number; kind: SurveyKind; n: number }>(`
        UPDATE survey_attempt SET ended_at = $2, outcome = $3, reason = $4, cause = $5, dial_status = $6, digit = $7, rating = $8, answered_at = $9
         WHERE id = $1 AND ended_at IS NULL
        RETURNING survey_id AS id, n,
                  (SELECT appeal_id FROM survey WHERE id = survey_id) AS "appealId",
                  (SELECT event_id FROM survey WHERE id = survey_id) AS "eventId",
                  (SELECT kind FROM survey WHERE id = survey_id) AS kind`,
      [e.attemptId, e.now, e.outcome, e.reason, e.cause, e.dialStatus, e.digit, e.rating, e.answeredAt]);
      // Already ended (a stale claim closed it): nothing more to write.
      if (!s) return null;
      await t.none(`
        UPDATE survey SET state = CASE WHEN $2::timestamptz IS NULL THEN 'over' ELSE 'pending' END,
               next_at = coalesce($2, next_at), result = $3, rating = coalesce($4, rating),
               finished_at = CASE WHEN $2::timestamptz IS NULL THEN $5::timestamptz END
         WHERE id = $1`, [s.id, e.retryAt, e.result, e.rating, e.now]);
      let moved: 'closed' | 'control' | 'unchanged' | null = null;
      if (e.confirmed !== null) {
        const m = { appealId: Number(s.appealId), sinceEventId: Number(s.eventId), from: s.kind === 'survey' ? 'done' as const : 'closed' as const, surveyId: Number(s.id), rating: e.rating, now: e.now };
        if (e.confirmed) moved = (await confirmedBySurvey(t, m)) ? (m.from === 'done' ? 'closed' : 'unchanged') : 'unchanged';
        else {
          const a = await notConfirmedToControl(t, { ...m, dueHours: e.controlDueHours });
          moved = a ? 'control' : 'unchanged';
          const mail = a ? mailFor(a, m.from) : null;
          if (mail) await enqueueMail(t, e.now, [mail]);
        }
      }
      const data = {
        step: 'attempt', surveyId: Number(s.id), call: s.kind, attempt: s.n, outcome: e.outcome,
        ...(e.reason !== null ? { reason: e.reason } : {}), ...(e.cause !== null ? { cause: e.cause } : {}),
        ...(e.confirmed !== null ? { confirmed: e.confirmed } : {}), ...(e.rating !== null ? { rating: e.rating } : {}),
        ...(e.retryAt ? { retryAt: e.retryAt.toISOString() } : {}), ...(e.result ? { result: e.result } : {}),
        ...(moved ? { appeal: moved } : {}),
      };
      await t.none(`INSERT INTO appeal_event (appeal_id, at, kind, data) VALUES ($1, $2, 'survey', $3)`, [s.appealId, e.now, data]);
      return { surveyId: Number(s.id), appealId: Number(s.appealId), moved };
    }),

    /** Attempts this process left on the line when it stopped: ended as failed so they are dialled again. */
    abandon: (attemptIds: number[], now: Date, retryMinutes: number) => db.tx('survey-abandon', async (t) => {
      if (!attemptIds.length) return;
      const s = await t.any<{ id: number }>(`UPDATE survey_attempt SET ended_at = $2, outcome = 'failed' WHERE id = ANY($1::bigint[]) AND ended_at IS NULL RETURNING survey_id AS id`, [attemptIds, now]);
      if (s.length) await t.none(`UPDATE survey SET state = 'pending', next_at = $2::timestamptz + make_interval(mins => $3) WHERE id = ANY($1::bigint[]) AND state = 'calling'`, [s.map((x) => x.id), now, retryMinutes]);
    }),

    /** Report 3: attempts started within the Kyiv days from…to, in total and per executor or category. */
    stats: (f: { from: string; to: string; by: 'executor' | 'category' }) => {
      const [col, table] = f.by === 'executor' ? ['a.executor_id', 'executor'] : ['a.category_id', 'category'];
      return db.any<SurveyFigures & { id: number | null; total: boolean; name: string | null; nameEn: string | null }>(`
        WITH t AS (
          SELECT t.outcome, t.digit, t.rating, ${col} AS dim_id
            FROM survey_attempt t JOIN survey s ON s.id = t.survey_id JOIN appeal a ON a.id = s.appeal_id
           WHERE t.ended_at IS NOT NULL
             AND t.started_at >= ($1::date)::timestamp AT TIME ZONE 'Europe/Kyiv'
             AND t.started_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Kyiv')
        SELECT x.*, d.name, d.name_en AS "nameEn" FROM (
          SELECT dim_id AS id, grouping(dim_id) = 1 AS total, ${FIGURES} FROM t GROUP BY GROUPING SETS ((dim_id), ())) x
          LEFT JOIN ${table} d ON d.id = x.id AND NOT x.total
         ORDER BY x.total DESC, x.calls DESC, d.name`, [f.from, f.to]);
    },
  };
}
export type SurveysRepo = ReturnType<typeof surveysRepo>;
