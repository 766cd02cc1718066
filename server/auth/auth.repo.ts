import type { Db } from '../db/db.ts';
import type { Role, User } from '../../vocabulary/roles.ts';

const USER_COLUMNS = `u.id, u.login, u.full_name AS "fullName", u.role, u.executor_id AS "executorId",
  u.sip_interface AS "sipInterface"`;

export interface AdminUser {
  id: number; login: string; fullName: string; role: Role; sipInterface: string | null; executor: string | null; disabled: boolean; createdAt: string;
}
const ADMIN_USERS = `
  SELECT u.id, u.login, u.full_name AS "fullName", u.role, u.sip_interface AS "sipInterface",
         e.name AS executor, u.disabled, u.created_at AS "createdAt"
    FROM app_user u LEFT JOIN executor e ON e.id = u.executor_id`;

export function authRepo(db: Db) {
  return {
    findByLogin: (login: string) =>
      db.oneOrNone<User & { passwordHash: string }>(
        `SELECT ${USER_COLUMNS}, u.password_hash AS "passwordHash" FROM app_user u WHERE u.login = $1 AND NOT u.disabled`, [login]),
    createSession: (tokenHash: Buffer, userId: number, days: number, now: Date) =>
      db.none(`INSERT INTO user_session (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $4, $4::timestamptz + make_interval(days => $3))`,
        [tokenHash, userId, days, now]),
    // Prepared once per connection: it runs on every signed-in request.
    userBySession: (tokenHash: Buffer, now: Date) =>
      db.oneOrNone<User>({ name: 'user-by-session', text: `SELECT ${USER_COLUMNS} FROM user_session s JOIN app_user u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, values: [tokenHash, now] }),
    deleteSession: (tokenHash: Buffer) => db.none('DELETE FROM user_session WHERE token_hash = $1', [tokenHash]),
    deleteExpiredSessions: (now: Date) => db.result('DELETE FROM user_session WHERE expires_at <= $1', [now]).then((r) => r.rowCount),

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
  };
}
export type AuthRepo = ReturnType<typeof authRepo>;
