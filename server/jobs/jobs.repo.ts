// All SQL of the scheduled jobs: the slot record under an advisory lock, the pending notices, and
// what a digest and an overdue list say about each organisation's appeals.
import type { ITask } from 'pg-promise';
import type { Db } from '../db/db.ts';

export interface NoticeRow {
  eventId: number; appealId: number; executorId: number; why: string | null;
  email: string | null; notifyMode: 'immediate' | 'digest'; stale: boolean;
  number: string; text: string; category: string; place: string | null; dueAt: Date; controlCount: number;
}

export interface DigestLine { id: number; number: string; category: string; place: string | null; dueAt: string; status: string; controlCount: number }
export interface DigestRow {
  executorId: number; name: string; email: string; open: number;
  fresh: DigestLine[]; dueSoon: DigestLine[]; overdue: DigestLine[]; control: DigestLine[];
  overdueTotal: number;
}

/** How many lines of each list a mail carries; the counts say the rest. */
export const LIST_LIMIT = 50;

const line = `a.id, a.number, c.name AS category, coalesce(b.address, o.name) AS place, a.due_at AS "dueAt", a.status, a.control_count AS "controlCount"`;
const lineFrom = `FROM appeal a JOIN category c ON c.id = a.category_id
  LEFT JOIN building b ON b.id = a.building_id LEFT JOIN infra_object o ON o.id = a.infra_object_id`;
const list = (where: string, order = 'a.due_at, a.id') => `coalesce((SELECT json_agg(x) FROM (
    SELECT ${line} ${lineFrom} WHERE a.executor_id = e.id AND a.returned_at IS NULL AND ${where} ORDER BY ${order} LIMIT ${LIST_LIMIT}) x), '[]'::json)`;

export function jobsRepo(db: Db) {
  return {
    /** A transaction for a sender's claim and what it writes. */
    tx: <T>(name: string, work: (t: ITask<unknown>) => Promise<T>) => db.tx(name, work),

    /**
     * Runs `work` for the slot once across every instance: under a transaction-scoped advisory lock
     * (instances racing for the same job wait for nothing, the loser just skips), the slot's row is
     * inserted first — a slot already recorded is not run again — and written in the same
     * transaction as the job's mail. Returns null when the slot was run already or is being run.
     */
    runSlot: <T extends { mails: number }>(job: string, slot: Date, instance: string, now: Date, work: (t: ITask<unknown>) => Promise<T>) =>
      db.tx(`job-${job}`, async (t) => {
        const { locked } = await t.one<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('misto-job'), hashtext($1)) AS locked`, [job]);
        if (!locked) return null;
        const fresh = await t.oneOrNone(`
          INSERT INTO job_slot (job, slot, ran_at, instance) VALUES ($1, $2, $3, $4)
          ON CONFLICT (job, slot) DO NOTHING RETURNING 1`, [job, slot, now, instance]);
        if (!fresh) return null;
        const result = await work(t);
        await t.none('UPDATE job_slot SET mails = $3 WHERE job = $1 AND slot = $2', [job, slot, result.mails]);
        return result;
      }),

    /** The slot before `slot` that ran, if any (a digest covers what came since). */
    lastRunBefore: (job: string, slot: Date) =>
      db.oneOrNone<{ slot: Date }>('SELECT max(slot) AS slot FROM job_slot WHERE job = $1 AND slot < $2', [job, slot]).then((r) => r?.slot ?? null),

    slots: (job: string) => db.any<{ slot: Date; instance: string; mails: number }>('SELECT slot, instance, mails FROM job_slot WHERE job = $1 ORDER BY slot', [job]),

    /** Pending notices, claimed until the caller's transaction ends; others skip them. */
    claimNotices: (t: ITask<unknown>, limit: number) =>
      t.any<NoticeRow>(`
        WITH n AS (
          SELECT event_id, appeal_id, executor_id FROM appeal_notice
           WHERE handled_at IS NULL ORDER BY event_id LIMIT $1 FOR UPDATE SKIP LOCKED)
        SELECT n.event_id AS "eventId", n.appeal_id AS "appealId", n.executor_id AS "executorId", ev.data->>'why' AS why,
               e.email, e.notify_mode AS "notifyMode", a.executor_id <> n.executor_id AS stale,
               a.number, a.text, c.name AS category, coalesce(b.address, o.name) AS place, a.due_at AS "dueAt", a.control_count AS "controlCount"
          FROM n JOIN appeal_event ev ON ev.id = n.event_id
          JOIN executor e ON e.id = n.executor_id
          JOIN appeal a ON a.id = n.appeal_id JOIN category c ON c.id = a.category_id
          LEFT JOIN building b ON b.id = a.building_id LEFT JOIN infra_object o ON o.id = a.infra_object_id
         ORDER BY n.event_id`, [limit]),

    markNotices: (t: ITask<unknown>, handled: { eventId: number; outcome: string }[], now: Date) =>
      handled.length ? t.none(`
        UPDATE appeal_notice n SET handled_at = $3, outcome = u.outcome
          FROM unnest($1::bigint[], $2::text[]) AS u(event_id, outcome) WHERE n.event_id = u.event_id`,
        [handled.map((h) => h.eventId), handled.map((h) => h.outcome), now]) : Promise.resolve(),

    /**
     * Each organisation with an address and its digest at `slot`: appeals registered since `since`,
     * the open count, due within 24 hours, overdue and returned to Control (each list capped).
     */
    digests: (t: ITask<unknown>, since: Date, slot: Date) =>
      t.any<DigestRow>(`
        SELECT e.id AS "executorId", e.name, e.email,
               (SELECT count(*) FROM appeal a WHERE a.executor_id = e.id AND appeal_status_is_open(a.status) AND a.returned_at IS NULL)::int AS open,
               ${list(`a.created_at > $1 AND a.created_at <= $2`, 'a.created_at, a.id')} AS fresh,
               ${list(`appeal_status_is_open(a.status) AND a.due_at >= $2 AND a.due_at < $2::timestamptz + interval '24 hours'`)} AS "dueSoon",
               ${list(`appeal_status_is_open(a.status) AND a.due_at < $2`)} AS overdue,
               (SELECT count(*) FROM appeal a WHERE a.executor_id = e.id AND appeal_status_is_open(a.status) AND a.due_at < $2 AND a.returned_at IS NULL)::int AS "overdueTotal",
               ${list(`a.status = 'control'`)} AS control
          FROM executor e WHERE e.email IS NOT NULL ORDER BY e.id`, [since, slot]),
  };
}
export type JobsRepo = ReturnType<typeof jobsRepo>;
