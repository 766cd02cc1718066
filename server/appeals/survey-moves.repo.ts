// The two moves a survey or control call makes on an appeal, inside the caller's transaction and
// through the lifecycle's own change: confirmed by the resident → closed; not confirmed → Control,
// back to the executor with a new due date. Each applies only while the appeal is still where the call found it (`from`, and no status
// change since the event the survey belongs to), so a late result never undoes newer work.
import type { ITask } from 'pg-promise';
import { applyChange, type AppealChange, type CurrentAppeal } from './appeals.repo.ts';
import { confirmationChange } from './lifecycle.ts';

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

/**
 * The lifecycle's confirmation change (server/appeals/lifecycle.ts) as the survey makes it: the
 * status event names the survey; the executor is mailed by the survey at once (survey_control), so
 * the lifecycle's own notice is left out rather than sent twice.
 */
function surveyChange(m: SurveyMove, confirmed: boolean, due: Date) {
  return (cur: CurrentAppeal): AppealChange => {
    const change = confirmationChange(cur, { confirmed, ...(m.rating !== null ? { rating: m.rating } : {}) }, 'survey', m.now, () => due);
    return {
      set: change.set,
      events: change.events.filter((e) => e.kind !== 'notify')
        .map((e) => (e.kind === 'status' ? { ...e, data: { ...e.data, surveyId: m.surveyId } } : e)),
    };
  };
}

/** The resident confirmed the work: the appeal is closed with their rating. Null: it had moved on. */
export async function confirmedBySurvey(t: ITask<unknown>, m: SurveyMove): Promise<{ id: number } | null> {
  if (!(await lockIfUnchanged(t, m))) return null;
  if (m.from === 'done') await applyChange(t, m.appealId, null, m.now, surveyChange(m, true, m.now));
  // A control call that confirms a closed appeal changes nothing but the rating it adds.
  else await t.none(`UPDATE appeal SET rating = coalesce(rating, $2), updated_at = $3 WHERE id = $1`, [m.appealId, m.rating, m.now]);
  return { id: m.appealId };
}

/** The resident says it was not done: Control, due again in `dueHours`. Null: it had moved on. */
export async function notConfirmedToControl(t: ITask<unknown>, m: SurveyMove & { dueHours: number }): Promise<MovedAppeal | null> {
  if (!(await lockIfUnchanged(t, m))) return null;
  const due = new Date(m.now.getTime() + m.dueHours * 3_600_000);
  await applyChange(t, m.appealId, null, m.now, surveyChange(m, false, due));
  return t.one<MovedAppeal>(`
    SELECT a.id, a.number, a.executor_id AS "executorId", e.email AS "executorEmail", e.name AS "executorName", a.text, a.due_at AS "dueAt"
      FROM appeal a JOIN executor e ON e.id = a.executor_id WHERE a.id = $1`, [m.appealId]);
}
