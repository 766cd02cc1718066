// The outbox: mail is a row written in the same transaction as the change that causes it.
import type { ITask } from 'pg-promise';
import type { Db } from '../db/db.ts';

export interface OutgoingMail { to: string; subject: string; text: string; html?: string; kind: string }
export interface ClaimedMail { id: number; to: string; subject: string; text: string; html: string | null; attempts: number }

/** Queues mail inside the caller's transaction (or on its own when given the Db). */
export async function enqueueMail(q: Db | ITask<unknown>, now: Date, mails: OutgoingMail[]) {
  if (!mails.length) return;
  await q.none(`
    INSERT INTO outbox_mail (to_addr, subject, text_body, html_body, kind, created_at, next_attempt_at)
    SELECT u.*, $6, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) u`,
    [mails.map((m) => m.to), mails.map((m) => m.subject), mails.map((m) => m.text), mails.map((m) => m.html ?? null), mails.map((m) => m.kind), now]);
}

export function mailRepo(db: Db) {
  return {
    /** Claims due rows; the lock is held by `t` until the caller's transaction ends. */
    claim: (t: ITask<unknown>, limit: number, maxAttempts: number, now: Date) =>
      t.any<ClaimedMail>(`
        SELECT id, to_addr AS "to", subject, text_body AS text, html_body AS html, attempts
          FROM outbox_mail
         WHERE sent_at IS NULL AND next_attempt_at <= $3 AND attempts < $2
         ORDER BY next_attempt_at, id
         LIMIT $1
           FOR UPDATE SKIP LOCKED`, [limit, maxAttempts, now]),
    markSent: (t: ITask<unknown>, id: number, now: Date) =>
      t.none('UPDATE outbox_mail SET sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1', [id, now]),
    markFailed: (t: ITask<unknown>, id: number, error: string, retryInSeconds: number, now: Date) =>
      t.none(`UPDATE outbox_mail SET attempts = attempts + 1, last_error = $2,
                     next_attempt_at = $4::timestamptz + make_interval(secs => $3) WHERE id = $1`, [id, error.slice(0, 1000), retryInSeconds, now]),
    pending: () => db.one<{ n: number }>('SELECT count(*)::int AS n FROM outbox_mail WHERE sent_at IS NULL').then((r) => r.n),
  };
}
export type MailRepo = ReturnType<typeof mailRepo>;
