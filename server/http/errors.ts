// Domain errors carry an HTTP status and a stable code; services throw them, the error middleware
// renders them. Errors from PostgreSQL are sorted here too: the caller's fault is a 4xx, a database
// that is away, restarting or too slow is a 503 with Retry-After — never a 500.
import type { Context, Next } from 'koa';

/**
 * An error the client caused or may retry: its HTTP status, a stable code (vocabulary/errors.ts), an
 * English message for logs and API clients, the input field at fault and the params the code's
 * translated text needs.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly field?: string,
    readonly params?: Record<string, string | number>,
  ) {
    super(message);
  }
}

interface Why { code?: string; field?: string; params?: Record<string, string | number>; details?: unknown }
const make = (status: number, fallback: string) => (message: string, why: Why = {}) =>
  new AppError(status, why.code ?? fallback, message, why.details, why.field, why.params);

/** 400: the request itself is wrong. */
export const badRequest = make(400, 'bad_request');
export const unauthorized = (message = 'Sign in required') => new AppError(401, 'unauthorized', message);
export const forbidden = make(403, 'forbidden');
export const notFound = make(404, 'not_found');
/** 409: the request is fine, the state of things does not allow it. */
export const conflict = make(409, 'conflict');
export const unavailable = make(503, 'unavailable');

export const databaseUnavailable = () => new AppError(503, 'database_unavailable', 'The database is unavailable; try again in a moment');

type PgError = { code?: string | number; constraint?: string; detail?: string; message: string };

/** PostgreSQL and driver errors that are not a bug of ours. */
export function fromPostgres(err: PgError): AppError | undefined {
  // pg-promise's own errors (QueryResultError: no data, more than one row) carry a numeric code.
  const code = typeof err.code === 'string' ? err.code : '';
  switch (code) {
    case '23505': return new AppError(409, 'conflict', `Already exists${err.constraint ? ` (${err.constraint})` : ''}`, err.detail);
    case '23503': return new AppError(400, 'bad_reference', `Refers to a record that does not exist${err.constraint ? ` (${err.constraint})` : ''}`);
    case '23502': case '23514': return new AppError(400, 'invalid', `Invalid value${err.constraint ? ` (${err.constraint})` : ''}`);
    // Query canceled: by statement_timeout, or because the client went away (then nobody reads this).
    case '57014': return new AppError(503, 'timeout', 'The request took too long; try again or narrow it');
    case '55P03': return new AppError(503, 'busy', 'The record is being changed by someone else; try again');
    case '40001': case '40P01': return new AppError(503, 'busy', 'Concurrent changes collided; try again');
    case 'XX000': if (/geometry|GEOS|parse error|GeoJSON/i.test(err.message)) return new AppError(400, 'invalid_geometry', err.message); return undefined;
  }
  // Class 22, data exception: a value PostgreSQL cannot take (NUL in text, bad number, negative LIMIT…).
  if (code.startsWith('22')) return new AppError(400, 'invalid', 'Malformed value');
  // Class 08 connection exception, 57P0x shutdown / cannot connect now, 53300 too many connections.
  if (code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300') return databaseUnavailable();
  if (/ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|connection timeout|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)|Connection pool of the database object has been destroyed|Client has encountered a connection error|Query read timeout/i.test(err.message)) {
    return databaseUnavailable();
  }
  return undefined;
}

/** What any thrown value means for the client, or undefined for a bug (500). */
export function classify(e: unknown): AppError | undefined {
  const err = e as Error & { status?: number; expose?: boolean };
  if (err instanceof AppError) return err;
  return fromPostgres(err as PgError)
    ?? (err?.status && err.status < 500 && err.expose ? new AppError(err.status, 'bad_request', err.message) : undefined);
}

export async function errorMiddleware(ctx: Context, next: Next) {
  try {
    await next();
  } catch (e) {
    const app = classify(e);
    if (app) {
      ctx.status = app.status;
      if (app.status === 503) ctx.set('Retry-After', '5');
      // A limit says when it lifts (sign-ins, mails).
      if (app.status === 429 && typeof app.params?.seconds === 'number') ctx.set('Retry-After', String(app.params.seconds));
      ctx.body = {
        error: app.code, message: app.message,
        ...(app.field ? { field: app.field } : {}),
        ...(app.params ? { params: app.params } : {}),
        ...(app.details !== undefined ? { details: app.details } : {}),
      };
      return;
    }
    ctx.status = 500;
    ctx.body = { error: 'internal', message: 'Internal server error' };
    ctx.app.emit('error', e, ctx);
  }
}
