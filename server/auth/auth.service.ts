// Sign-in and sessions. The session token lives only in the browser's httpOnly cookie;
// the database keeps its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { AuthRepo } from './auth.repo.ts';
import { verifyPassword, hashPassword } from './passwords.ts';
import type { User } from '../../vocabulary/roles.ts';
import type { Clock } from '../clock.ts';

export const SESSION_COOKIE = 'misto_session';
const hashToken = (token: string) => createHash('sha256').update(token).digest();

// Verifying against a real hash when the login is unknown keeps response times alike.
let dummyHash: Promise<string> | undefined;

export function authService(repo: AuthRepo, opts: { sessionDays: number; clock: Clock }) {
  return {
    async signIn(login: string, password: string): Promise<{ user: User; token: string } | null> {
      const row = await repo.findByLogin(login.trim().toLowerCase());
      if (!row) {
        await verifyPassword(password, await (dummyHash ??= hashPassword('x')));
        return null;
      }
      if (!(await verifyPassword(password, row.passwordHash))) return null;
      const token = randomBytes(32).toString('base64url');
      await repo.createSession(hashToken(token), row.id, opts.sessionDays, opts.clock.now());
      const { passwordHash: _, ...user } = row;
      return { user, token };
    },
    userForToken: (token: string | undefined) => (token ? repo.userBySession(hashToken(token), opts.clock.now()) : Promise.resolve(null)),
    signOut: (token: string) => repo.deleteSession(hashToken(token)),
  };
}
export type AuthService = ReturnType<typeof authService>;
