// Sign-in and sessions. The session token lives only in the browser's httpOnly cookie;
// the database keeps its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { AuthRepo } from './auth.repo.ts';
import { verifyPassword, hashPassword } from './passwords.ts';
import type { User } from '../../vocabulary/roles.ts';
import type { Clock } from '../clock.ts';
import { signInThrottle } from './throttle.ts';
import { sessionEnds, tokenKey, userKey } from './session-ends.ts';

export const SESSION_COOKIE = 'misto_session';
const hashToken = (token: string) => createHash('sha256').update(token).digest();

// Verifying against a real hash when the login is unknown keeps response times alike.
let dummyHash: Promise<string> | undefined;

/** A session's last use is written at most this often (not on every request). */
const TOUCH_MS = 60_000;

export function authService(repo: AuthRepo, opts: { sessionDays: number; clock: Clock; idleMinutes?: number; log?: (m: string) => void }) {
  const throttle = signInThrottle(repo);
  const ends = sessionEnds(repo, opts.log);
  const idleMs = (opts.idleMinutes ?? 120) * 60_000;
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
    /**
     * The session's user, or null when it is unknown, expired, idle too long or its user disabled.
     * A request counts as use (`touch`); a stream's heartbeat asking whether it may go on does not.
     */
    async userForToken(token: string | undefined, { touch = true } = {}): Promise<User | null> {
      if (!token) return null;
      const now = opts.clock.now();
      const hash = hashToken(token);
      const row = await repo.userBySession(hash, now, new Date(now.getTime() - idleMs));
      if (!row) return null;
      const { lastSeenAt, ...user } = row;
      if (touch && now.getTime() - lastSeenAt.getTime() >= TOUCH_MS) await repo.touchSession(hash, now);
      return user;
    },
    signOut: (token: string) => repo.deleteSession(hashToken(token)),
    /** Calls `fn` once the session of `token`, or its user, ends — on whichever instance that happens. */
    watchSession: (token: string, userId: number, fn: () => void) =>
      ends.watch([tokenKey(hashToken(token).toString('hex')), userKey(userId)], fn),
    close: () => ends.close(),
  };
}
export type AuthService = ReturnType<typeof authService>;
