// The one way pages talk to the API: JSON in and out, and an error that already speaks the page's
// language (the code's text from the i18n table, never the server's English sentence).
import { describeError } from '$vocabulary/i18n/describe-error';
import type { ApiErrorBody } from '$vocabulary/errors';
import { locale } from '$lib/i18n';

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
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', describeError(locale(), { error: 'network' }));
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data ?? { error: res.status >= 500 ? 'internal' : 'bad_request' }) as ApiErrorBody;
    throw new ApiError(res.status, err.error, describeError(locale(), err), err.field, err.params);
  }
  return data as T;
}

/** An error of any kind as the sentence a page shows. */
export const errorText = (e: unknown) => (e instanceof ApiError ? e.message : describeError(locale(), null));
