// The one way pages talk to the API: JSON in and out, and an error that already speaks the page's
// language (the code's text from the i18n table, never the server's English sentence).
import { describeError } from '$vocabulary/i18n/describe-error';
import type { ApiErrorBody } from '$vocabulary/errors';
import { locale, DEFAULT_LOCALE, type Locale } from '$lib/i18n';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly params?: Record<string, string | number>,
  ) { super(message); }
}

export interface ApiInit extends RequestInit {
  /** A body to send as JSON. */
  json?: unknown;
  /** The fetch to use (a load function's own). */
  fetch?: typeof fetch;
}

// A load function running on the server has no page to read the language from.
function lang(): Locale {
  try { return locale(); } catch { return DEFAULT_LOCALE; }
}

/** The body as describeError reads it; older answers carried the field inside `details`. */
function errorBody(data: unknown, status: number): Partial<ApiErrorBody> {
  const body: Partial<ApiErrorBody> = data && typeof data === 'object' && typeof (data as ApiErrorBody).error === 'string'
    ? (data as ApiErrorBody)
    : { error: status >= 500 ? 'internal' : 'bad_request' };
  const details = body.details as { field?: unknown } | undefined;
  const field = body.field ?? (typeof details?.field === 'string' ? details.field : undefined);
  return { error: body.error, field, params: body.params };
}

/** Calls the API; resolves with the parsed body, throws ApiError with a translated message. */
export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const { json, fetch: f = fetch, ...rest } = init;
  const headers = new Headers(rest.headers);
  let body = rest.body;
  if (json !== undefined) { headers.set('content-type', 'application/json'); body = JSON.stringify(json); }
  let res: Response;
  try {
    res = await f(path, { ...rest, headers, body });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(0, 'network', describeError(lang(), { error: 'network' }));
  }
  const data = res.status === 204 ? null : await res.json().catch((e) => { if (isAbort(e)) throw e; return null; });
  if (!res.ok) {
    const err = errorBody(data, res.status);
    throw new ApiError(res.status, err.error!, describeError(lang(), err), err.field, err.params);
  }
  return data as T;
}

/** A request cancelled on purpose (an AbortController): not an error to show. */
export const isAbort = (e: unknown) => (e as Error | null)?.name === 'AbortError';

/** An error of any kind as the sentence a page shows. */
export const errorText = (e: unknown) => (e instanceof ApiError ? e.message : describeError(lang(), null));
