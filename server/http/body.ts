// Request bodies: JSON or urlencoded forms (so sign-in works without JavaScript), size-limited and
// checked for what no field may hold before any route looks at them: NUL characters (PostgreSQL
// text cannot store them) and nesting deeper than any real document (a 1,000-level GeoJSON is an
// attack on the parsers behind it, not a zone).
import type { Context } from 'koa';
import { badRequest, AppError } from './errors.ts';

/** Bodies of ordinary forms: an appeal's 4,000 characters fit many times over. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Drawn zones and other geometry. */
export const GEOMETRY_BODY_LIMIT = 2 * 1024 * 1024;
/** A body over its limit is still read (and dropped) up to this size, so the connection stays usable. */
const DRAIN_LIMIT = 8 * 1024 * 1024;
export const MAX_DEPTH = 32;

const tooLarge = (limit: number) => new AppError(413, 'too_large', `Request body is larger than ${limit} bytes`, undefined, undefined, { max: limit });

/**
 * Reads the raw body. Over the limit, the rest is drained and dropped (up to DRAIN_LIMIT) before the
 * 413 is thrown: the client gets its answer and its keep-alive connection stays in step; beyond that
 * the connection is closed after the answer.
 */
function readRaw(ctx: Context, limit: number): Promise<Buffer> {
  const req = ctx.req;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > DRAIN_LIMIT) {
    ctx.set('Connection', 'close');
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const done = (err?: Error) => {
      req.off('data', onData); req.off('end', onEnd); req.off('error', onError); req.off('aborted', onAborted);
      if (err) reject(err); else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT) {
        ctx.set('Connection', 'close');
        req.pause();
        done(tooLarge(limit));
      } else if (size > limit) {
        over = true;
        chunks.length = 0;
      } else if (!over) chunks.push(chunk);
    };
    const onEnd = () => done(over ? tooLarge(limit) : undefined);
    const onError = (e: Error) => done(e);
    const onAborted = () => done(new AppError(400, 'aborted', 'The request was aborted'));
    req.on('data', onData); req.on('end', onEnd); req.on('error', onError); req.on('aborted', onAborted);
  });
}

/** Refuses NUL characters and excessive nesting anywhere in a parsed body, naming the field. */
export function checkValue(value: unknown, path = '', depth = 0): void {
  if (depth > MAX_DEPTH) throw badRequest(`The body is nested deeper than ${MAX_DEPTH} levels`, { code: 'too_deep', field: path || undefined, params: { max: MAX_DEPTH } });
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw badRequest(`"${path || 'value'}" contains a NUL character`, { code: 'invalid_text', field: path || undefined });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkValue(value[i], `${path}[${i}]`, depth + 1);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) throw badRequest('A field name contains a NUL character', { code: 'invalid_text' });
      checkValue(v, path ? `${path}.${k}` : k, depth + 1);
    }
  }
}

/** The same checks for query strings (`?q=%00`). */
export async function queryGuard(ctx: Context, next: () => Promise<unknown>) {
  for (const [k, v] of Object.entries(ctx.query)) checkValue(v, k);
  await next();
}

/**
 * The body as an object. JSON only as application/json: a cross-site form can send text/plain
 * without asking first, so a JSON body labelled otherwise is refused (415). Urlencoded forms only
 * where the route says so (`form`: sign-in without JavaScript).
 */
export async function readBody(ctx: Context, opts: { limit?: number; form?: boolean } = {}): Promise<Record<string, unknown>> {
  const raw = (await readRaw(ctx, opts.limit ?? DEFAULT_BODY_LIMIT)).toString('utf8');
  if (raw.trim() === '') return {};
  let value: unknown;
  const form = opts.form && ctx.is('application/x-www-form-urlencoded');
  if (!form && !ctx.is('application/json')) {
    throw new AppError(415, 'unsupported_media_type', `The body must be sent as application/json${opts.form ? ' or a form' : ''}`);
  }
  if (form) value = Object.fromEntries(new URLSearchParams(raw));
  else {
    try { value = JSON.parse(raw); } catch { throw badRequest('Body is not valid JSON', { code: 'invalid_json' }); }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('Body must be a JSON object', { code: 'invalid_json' });
  }
  checkValue(value);
  return value as Record<string, unknown>;
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
};
