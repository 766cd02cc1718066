// The two moves a survey or control call makes on an appeal, inside the caller's transaction:
// confirmed by the resident → closed; not confirmed → Control, back to the executor with a new due
// date. Each applies only while the appeal is still where the call found it (`from`, and no status
// change since the event the survey belongs to), so a late result never undoes newer work.
import type { ITask } from 'pg-promise';

export interface SurveyMove {
  appealId: number;
  /** The appeal_event the survey belongs to. */
  sinceEventId: number;
  /** The status the call asked about: done (a survey) or closed (a control call). */
  from: 'done' | 'closed';
  surveyId: number;
  rating: number | null;
  now: Date;
}

export interface MovedAppeal { id: number; number: string; executorId: number; executorEmail: string | null; executorName: string; text: string; dueAt: Date }

async function lockIfUnchanged(t: ITask<unknown>, m: SurveyMove) {
  return t.oneOrNone<{ id: number }>(`
    SELECT a.id FROM appeal a
     WHERE a.id = $1 AND a.status = $3
       AND NOT EXISTS (SELECT 1 FROM appeal_event ev WHERE ev.appeal_id = a.id AND ev.kind = 'status' AND ev.id > $2)
       FOR UPDATE OF a`, [m.appealId, m.sinceEventId, m.from]);
}

/** The resident confirmed the work: the appeal is closed with their rating. Null: it had moved on. */
export async function confirmedBySurvey(t: ITask<unknown>, m: SurveyMove): Promise<{ id: number } | null> {
  if (!(await lockIfUnchanged(t, m))) return null;
  if (m.from === 'done') {
    await t.none(`UPDATE appeal SET status = 'closed', confirmation = 'confirmed', rating = coalesce($2, rating),
                         closed_at = $3, updated_at = $3 WHERE id = $1`, [m.appealId, m.rating, m.now]);
    await t.none(`INSERT INTO appeal_event (appeal_id, at, kind, data) VALUES ($1, $2, 'status', $3)`,
      [m.appealId, m.now, { from: 'done', to: 'closed', by: 'survey', surveyId: m.surveyId }]);
  } else {
    // A control call that confirms a closed appeal changes nothing but the rating it adds.
    await t.none(`UPDATE appeal SET rating = coalesce(rating, $2), updated_at = $3 WHERE id = $1`, [m.appealId, m.rating, m.now]);
  }
  return { id: m.appealId };
}

/** The resident says it was not done: Control, due again in `dueHours`. Null: it had moved on. */
export async function notConfirmedToControl(t: ITask<unknown>, m: SurveyMove & { dueHours: number }): Promise<MovedAppeal | null> {
  if (!(await lockIfUnchanged(t, m))) return null;
  const a = await t.one<MovedAppeal>(`
    UPDATE appeal a SET status = 'control', confirmation = 'not_confirmed', done_at = NULL, closed_at = NULL,
           due_at = $2::timestamptz + make_interval(hours => $3), updated_at = $2
      FROM executor e
     WHERE a.id = $1 AND e.id = a.executor_id
    RETURNING a.id, a.number, a.executor_id AS "executorId", e.email AS "executorEmail", e.name AS "executorName", a.text, a.due_at AS "dueAt"`,
  [m.appealId, m.now, m.dueHours]);
  await t.none(`INSERT INTO appeal_event (appeal_id, at, kind, data) VALUES ($1, $2, 'status', $3)`,
    [m.appealId, m.now, { from: m.from, to: 'control', by: 'survey', surveyId: m.surveyId, dueAt: a.dueAt.toISOString() }]);
  return a;
}
