// Sign-in and sessions. The session token lives only in the browser's httpOnly cookie;
// the database keeps its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { AuthRepo } from './auth.repo.ts';
import { verifyPassword, hashPassword } from './passwords.ts';
import type { User } from '../../vocabulary/roles.ts';
import type { Clock } from '../clock.ts';
import { signInThrottle } from './throttle.ts';

export const SESSION_COOKIE = 'misto_session';
const hashToken = (token: string) => createHash('sha256').update(token).digest();

// Verifying against a real hash when the login is unknown keeps response times alike.
let dummyHash: Promise<string> | undefined;

export function authService(repo: AuthRepo, opts: { sessionDays: number; clock: Clock }) {
  const throttle = signInThrottle(repo);
  return {
    /** `address` is the client's (X-Forwarded-For only with TRUST_PROXY); throws 429 when throttled. */
    async signIn(rawLogin: string, password: string, address: string): Promise<{ user: User; token: string } | null> {
      const login = rawLogin.trim().toLowerCase();
      const now = opts.clock.now();
      await throttle.check(login, address, now);
      const row = await repo.findByLogin(login);
      if (!row || !(await verifyPassword(password, row.passwordHash))) {
        if (!row) await verifyPassword(password, await (dummyHash ??= hashPassword('x')));
        await throttle.failed(login, address, now);
        return null;
      }
      await throttle.succeeded(login, address, now);
      const token = randomBytes(32).toString('base64url');
      await repo.createSession(hashToken(token), row.id, opts.sessionDays, now);
      const { passwordHash: _, ...user } = row;
      return { user, token };
    },
    userForToken: (token: string | undefined) => (token ? repo.userBySession(hashToken(token), opts.clock.now()) : Promise.resolve(null)),
    signOut: (token: string) => repo.deleteSession(hashToken(token)),
  };
}
export type AuthService = ReturnType<typeof authService>;
