// Test users, one per role, created with the real password hashing (through the data builder).
import type { Db } from '../../server/db/db.ts';
import type { Role } from '../../vocabulary/roles.ts';
import { builder, PASSWORD } from './build.ts';

export { PASSWORD };

export async function createUser(db: Db, login: string, role: Role, extra: { executorId?: number; sipInterface?: string } = {}) {
  return { id: await builder(db).user(role, { login, executor: extra.executorId, sip: extra.sipInterface }) };
}
