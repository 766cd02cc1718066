// Test users, one per role, created with the real password hashing.
import type { Db } from '../../server/db/db.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import type { Role } from '../../vocabulary/roles.ts';

export const PASSWORD = 'test-password-1580';

export async function createUser(db: Db, login: string, role: Role, extra: { executorId?: number; sipInterface?: string } = {}) {
  const hash = await hashPassword(PASSWORD);
  return db.one<{ id: number }>(
    `INSERT INTO app_user (login, full_name, role, executor_id, sip_interface, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [login, `Test ${role}`, role, extra.executorId ?? null, extra.sipInterface ?? null, hash]);
}
