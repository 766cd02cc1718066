// Sign-in throttling, kept in PostgreSQL so it holds across instances. Each failure counts against
// three keys; past a key's free attempts every further failure doubles its wait, up to a cap:
//  - one account from one address: 5 free, then 1 s, 2 s, 4 s … up to 15 min;
//  - one address over all accounts (spraying one password): 20 free, up to 15 min;
//  - one account from anywhere (a botnet): 10 free, capped at 1 min, and not applied to an address
//    that has signed in to that account before — the operator at their own desk still gets in.
// While a key waits, attempts are refused before the password is checked and are not counted.
import { AppError } from '../http/errors.ts';
import type { AuthRepo } from './auth.repo.ts';

export interface Limit { free: number; capS: number }
export const LIMITS = {
  pair: { free: 5, capS: 900 },
  address: { free: 20, capS: 900 },
  account: { free: 10, capS: 60 },
} as const satisfies Record<string, Limit>;
/** A key's failures are forgotten after this long without one. */
export const WINDOW_S = 3600;
/** An address that signed in to an account is known to it this long. */
export const KNOWN_S = 30 * 24 * 3600;

/** Seconds a key waits after its `failures`-th failure. */
export const waitAfter = (failures: number, l: Limit) =>
  failures <= l.free ? 0 : Math.min(l.capS, 2 ** (failures - l.free - 1));

const keys = (login: string, address: string) => ({
  pair: `pair:${login}|${address}`,
  address: `address:${address}`,
  account: `account:${login}`,
  known: `known:${login}|${address}`,
});

export const tooManySignIns = (seconds: number) =>
  new AppError(429, 'too_many_sign_ins', `Too many sign-in attempts; try again in ${seconds} s`, undefined, undefined, { seconds });

export function signInThrottle(repo: AuthRepo) {
  return {
    /** Throws 429 when any of the attempt's keys is waiting. */
    async check(login: string, address: string, now: Date) {
      const k = keys(login, address);
      const known = await repo.throttleKnown(k.known, new Date(now.getTime() - KNOWN_S * 1000));
      const until = await repo.throttleBlockedUntil(known ? [k.pair, k.address] : [k.pair, k.address, k.account], now);
      if (until) throw tooManySignIns(Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)));
    },
    async failed(login: string, address: string, now: Date) {
      const k = keys(login, address);
      const since = new Date(now.getTime() - WINDOW_S * 1000);
      for (const [name, limit] of [['pair', LIMITS.pair], ['address', LIMITS.address], ['account', LIMITS.account]] as const) {
        await repo.throttleFailure(k[name], now, since, (n) => waitAfter(n, limit));
      }
    },
    async succeeded(login: string, address: string, now: Date) {
      const k = keys(login, address);
      await repo.throttleSucceeded(k.pair, k.known, now);
      // Keys nobody has touched for longer than any of them matters go (an indexed, usually empty delete).
      await repo.deleteStaleThrottle(new Date(now.getTime() - KNOWN_S * 1000));
    },
  };
}
export type SignInThrottle = ReturnType<typeof signInThrottle>;
