import type { Db } from '../db/db.ts';
import type { Role, User } from '../../shared/roles.ts';

const USER_COLUMNS = `u.id, u.login, u.full_name AS "fullName", u.role, u.executor_id AS "executorId",
  u.sip_interface AS "sipInterface"`;

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
    createUser: (u: { login: string; fullName: string; role: Role; executorId?: number | null; sipInterface?: string | null; passwordHash: string }) =>
      db.one<{ id: number }>(
        `INSERT INTO app_user (login, full_name, role, executor_id, sip_interface, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [u.login, u.fullName, u.role, u.executorId ?? null, u.sipInterface ?? null, u.passwordHash]),
  };
}
export type AuthRepo = ReturnType<typeof authRepo>;
