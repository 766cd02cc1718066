import type { Db } from '../db/db.ts';
import { listen, type Listener } from '../db/listen.ts';
import type { Role, User } from '../../vocabulary/roles.ts';

const USER_COLUMNS = `u.id, u.login, u.full_name AS "fullName", u.role, u.executor_id AS "executorId",
  u.sip_interface AS "sipInterface", u.sees_appeal_text AS "seesAppealText"`;

export interface AdminUser {
  id: number; login: string; fullName: string; role: Role; sipInterface: string | null; executor: string | null; disabled: boolean; createdAt: string;
  seesAppealText: boolean;
}
const ADMIN_USERS = `
  SELECT u.id, u.login, u.full_name AS "fullName", u.role, u.sip_interface AS "sipInterface",
         e.name AS executor, u.disabled, u.created_at AS "createdAt", u.sees_appeal_text AS "seesAppealText"
    FROM app_user u LEFT JOIN executor e ON e.id = u.executor_id`;

export function authRepo(db: Db) {
  return {
    findByLogin: (login: string) =>
      db.oneOrNone<User & { passwordHash: string }>(
        `SELECT ${USER_COLUMNS}, u.password_hash AS "passwordHash" FROM app_user u WHERE u.login = $1 AND NOT u.disabled`, [login]),
    createSession: (tokenHash: Buffer, userId: number, days: number, now: Date) =>
      db.none(`INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $4, $4, $4::timestamptz + make_interval(days => $3))`,
        [tokenHash, userId, days, now]),
    // Prepared once per connection: it runs on every signed-in request. A session unused since
    // `idleSince` is over, whatever its lifetime.
    userBySession: (tokenHash: Buffer, now: Date, idleSince: Date) =>
      db.oneOrNone<User & { lastSeenAt: Date }>({ name: 'user-by-session-idle', text: `SELECT ${USER_COLUMNS}, s.last_seen_at AS "lastSeenAt"
          FROM user_session s JOIN app_user u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND NOT u.disabled`, values: [tokenHash, now, idleSince] }),
    touchSession: (tokenHash: Buffer, now: Date) =>
      db.none('UPDATE user_session SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2', [tokenHash, now]),
    /** Deleted sessions and disabled users, as every instance hears them (migrations/103_session_end.sql). */
    watchSessionEnds: (onMessage: (payload: string) => void, opts: { log?: (m: string) => void; onListening?: () => void }): Listener =>
      listen(db, ['misto_session_end'], (_channel, payload) => onMessage(payload), opts),
    deleteSession: (tokenHash: Buffer) => db.none('DELETE FROM user_session WHERE token_hash = $1', [tokenHash]),
    deleteExpiredSessions: (now: Date) => db.result('DELETE FROM user_session WHERE expires_at <= $1', [now]).then((r) => r.rowCount),

    // ---- sign-in throttling (server/auth/throttle.ts) ----
    throttleKnown: (key: string, since: Date) =>
      db.oneOrNone('SELECT 1 FROM sign_in_throttle WHERE key = $1 AND last_at > $2', [key, since]).then((r) => !!r),
    throttleBlockedUntil: (keys: string[], now: Date) =>
      db.one<{ until: Date | null }>('SELECT max(blocked_until) AS until FROM sign_in_throttle WHERE key = ANY($1) AND blocked_until > $2', [keys, now])
        .then((r) => r.until),
    /** Counts a failure (starting again after a quiet `since`) and sets the key's wait from the new count. */
    throttleFailure: (key: string, now: Date, since: Date, waitS: (failures: number) => number) =>
      db.tx('sign-in-failure', async (t) => {
        const { failures } = await t.one<{ failures: number }>(`
          INSERT INTO sign_in_throttle AS s (key, failures, last_at, blocked_until) VALUES ($1, 1, $2, $2)
          ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN s.last_at <= $3 THEN 1 ELSE s.failures + 1 END, last_at = $2
          RETURNING failures`, [key, now, since]);
        const wait = waitS(failures);
        if (wait > 0) await t.none(`UPDATE sign_in_throttle SET blocked_until = $2::timestamptz + make_interval(secs => $3) WHERE key = $1`, [key, now, wait]);
      }),
    /** A right password: the account's count from this address is over, and the address is known to it. */
    throttleSucceeded: (pairKey: string, knownKey: string, now: Date) =>
      db.tx('sign-in-success', async (t) => {
        await t.none('DELETE FROM sign_in_throttle WHERE key = $1', [pairKey]);
        await t.none(`INSERT INTO sign_in_throttle (key, failures, last_at, blocked_until) VALUES ($1, 0, $2, $2)
          ON CONFLICT (key) DO UPDATE SET last_at = $2`, [knownKey, now]);
      }),
    /** Keys quiet for longer than any of them matters. */
    deleteStaleThrottle: (before: Date) => db.result('DELETE FROM sign_in_throttle WHERE last_at < $1 AND blocked_until < $1', [before]).then((r) => r.rowCount),

    /** Everyone with access, for the administration page. */
    listUsers: () => db.any<AdminUser>(`${ADMIN_USERS} ORDER BY u.role, u.login`),

    /** Users with a desk phone, as typed. */
    phoneInterfaces: () =>
      db.any<{ id: number; login: string; sipInterface: string }>(`SELECT id, login, sip_interface AS "sipInterface" FROM app_user WHERE sip_interface IS NOT NULL`),

    /** Sets a user's desk phone and/or disables them; a disabled user is signed out everywhere at once. */
    updateUser: (id: number, change: { sipInterface?: string | null; disabled?: boolean }) =>
      db.tx('admin-user-update', async (t) => {
        const updated = await t.oneOrNone(`
          UPDATE app_user SET sip_interface = CASE WHEN $2 THEN $3 ELSE sip_interface END,
                              disabled = coalesce($4, disabled)
           WHERE id = $1 RETURNING id`, [id, change.sipInterface !== undefined, change.sipInterface ?? null, change.disabled ?? null]);
        if (!updated) return null;
        if (change.disabled === true) await t.none('DELETE FROM user_session WHERE user_id = $1', [id]);
        return t.one<AdminUser>(`${ADMIN_USERS} WHERE u.id = $1`, [id]);
      }),

    /** The user as listed, for a check before a change. */
    adminUser: (id: number) => db.oneOrNone<AdminUser>(`${ADMIN_USERS} WHERE u.id = $1`, [id]),

    /** Grants or revokes reading appeals' free text; the next request of any of the user's sessions reads it. */
    setAppealText: (id: number, granted: boolean) =>
      db.oneOrNone<AdminUser>(`
        WITH u AS (UPDATE app_user SET sees_appeal_text = $2 WHERE id = $1 RETURNING *)
        SELECT u.id, u.login, u.full_name AS "fullName", u.role, u.sip_interface AS "sipInterface",
               e.name AS executor, u.disabled, u.created_at AS "createdAt", u.sees_appeal_text AS "seesAppealText"
          FROM u LEFT JOIN executor e ON e.id = u.executor_id`, [id, granted]),
  };
}
export type AuthRepo = ReturnType<typeof authRepo>;
