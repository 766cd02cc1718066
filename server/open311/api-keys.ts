// API keys of Open311 clients: an admin issues one (shown once; only its SHA-256 is stored — the
// key is 32 random bytes, so a slow password hash would add nothing), lists and revokes them. A
// request with a key is counted per key and minute in PostgreSQL, so the limit holds across
// instances; past it the client is told when the minute ends (429, Retry-After).
import { createHash, randomBytes } from 'node:crypto';
import { AppError, forbidden, notFound } from '../http/errors.ts';
import type { Clock } from '../clock.ts';
import type { Open311Repo } from './open311.repo.ts';

const KEY_PREFIX = 'misto_';
/** How much of a key the list shows (the "misto_" and 6 characters of the random part). */
export const SHOWN_PREFIX = KEY_PREFIX.length + 6;

export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest();

export const invalidApiKey = () => forbidden('Invalid api_key received: it is missing, unknown or revoked', { code: 'invalid_api_key', field: 'api_key' });

export const tooManyRequests = (seconds: number) =>
  new AppError(429, 'too_many_requests', `Too many requests with this api_key; try again in ${seconds} s`, undefined, 'api_key', { seconds });

export function apiKeys(repo: Open311Repo, opts: { clock: Clock; ratePerMinute: number }) {
  return {
    /** A new key: the only time the key itself exists outside the client. */
    async issue(name: string, createdBy: number | null) {
      const key = KEY_PREFIX + randomBytes(32).toString('base64url');
      const row = await repo.insertKey({ name, prefix: key.slice(0, SHOWN_PREFIX), hash: hashKey(key), createdBy, now: opts.clock.now() });
      return { ...row, key };
    },
    list: () => repo.listKeys(),
    async revoke(id: number) {
      const row = await repo.revokeKey(id, opts.clock.now());
      if (!row) throw notFound(`No API key ${id}`);
      return row;
    },
    /** The key's id, once it is known, not revoked and within its rate; throws 403 or 429 otherwise. */
    async use(key: string): Promise<number> {
      if (!key.startsWith(KEY_PREFIX) || key.length > 200) throw invalidApiKey();
      const row = await repo.keyByHash(hashKey(key));
      if (!row || row.revokedAt) throw invalidApiKey();
      const now = opts.clock.now();
      const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
      const count = await repo.hit(row.id, minute, now);
      if (count > opts.ratePerMinute) throw tooManyRequests(Math.max(1, Math.ceil((minute.getTime() + 60_000 - now.getTime()) / 1000)));
      return row.id;
    },
  };
}
export type ApiKeys = ReturnType<typeof apiKeys>;
