// Request bodies: JSON or urlencoded forms (so sign-in works without JavaScript), size-limited.
import type { Context } from 'koa';
import { badRequest, AppError } from './errors.ts';

const LIMIT = 2 * 1024 * 1024;

export async function readBody(ctx: Context): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) throw new AppError(413, 'too_large', 'Request body is too large');
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') return {};
  if (ctx.is('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    const value = JSON.parse(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('Body must be a JSON object');
    return value;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw badRequest('Body is not valid JSON');
  }
}

/** Field readers that say which field is wrong. */
export const field = {
  string(body: Record<string, unknown>, name: string, opts: { optional?: boolean; max?: number } = {}): string | undefined {
    const v = body[name];
    if (v === undefined || v === null || v === '') {
      if (opts.optional) return undefined;
      throw badRequest(`"${name}" is required`);
    }
    if (typeof v !== 'string') throw badRequest(`"${name}" must be a string`);
    if (opts.max && v.length > opts.max) throw badRequest(`"${name}" is longer than ${opts.max} characters`);
    return v;
  },
  int(body: Record<string, unknown>, name: string, opts: { optional?: boolean } = {}): number | undefined {
    const v = body[name];
    if (v === undefined || v === null || v === '') {
      if (opts.optional) return undefined;
      throw badRequest(`"${name}" is required`);
    }
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw badRequest(`"${name}" must be an integer`);
    return n;
  },
};
