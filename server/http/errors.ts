// Domain errors carry an HTTP status; services throw them, the error middleware renders them.
import type { Context, Next } from 'koa';

export class AppError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}
export const badRequest = (message: string, details?: unknown) => new AppError(400, 'bad_request', message, details);
export const unauthorized = (message = 'Sign in required') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'Not allowed for your role') => new AppError(403, 'forbidden', message);
export const notFound = (message = 'Not found') => new AppError(404, 'not_found', message);
export const conflict = (message: string) => new AppError(409, 'conflict', message);
export const unavailable = (message: string) => new AppError(503, 'unavailable', message);

/** PostgreSQL errors that are the caller's fault become 4xx with the constraint named. */
function fromPostgres(err: { code?: string; constraint?: string; detail?: string; message: string }): AppError | undefined {
  switch (err.code) {
    case '23505': return new AppError(409, 'conflict', `Already exists${err.constraint ? ` (${err.constraint})` : ''}`, err.detail);
    case '23503': return new AppError(400, 'bad_reference', `Refers to a record that does not exist${err.constraint ? ` (${err.constraint})` : ''}`);
    case '23502': case '23514': return new AppError(400, 'invalid', `Invalid value${err.constraint ? ` (${err.constraint})` : ''}`);
    case '22P02': case '22007': case '22008': case '22003': return new AppError(400, 'invalid', 'Malformed value');
    case 'XX000': if (/geometry|GEOS|parse error/i.test(err.message)) return new AppError(400, 'invalid_geometry', err.message); return undefined;
  }
  if (/ECONNREFUSED|Connection terminated|the database system is (starting|shutting)/.test(err.message)) {
    return new AppError(503, 'database_unavailable', 'The database is unavailable');
  }
  return undefined;
}

export async function errorMiddleware(ctx: Context, next: Next) {
  try {
    await next();
  } catch (e) {
    const err = e as Error & { status?: number; expose?: boolean };
    const app = err instanceof AppError ? err : fromPostgres(err as never)
      ?? (err.status && err.status < 500 && err.expose ? new AppError(err.status, 'bad_request', err.message) : undefined);
    if (app) {
      ctx.status = app.status;
      ctx.body = { error: app.code, message: app.message, ...(app.details !== undefined ? { details: app.details } : {}) };
      return;
    }
    ctx.status = 500;
    ctx.body = { error: 'internal', message: 'Internal server error' };
    ctx.app.emit('error', err, ctx);
  }
}
