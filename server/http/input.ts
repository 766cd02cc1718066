// The input layer: what every route accepts, declared once with zod, checked at the HTTP edge so
// services receive typed values. A refusal is a 400 with a stable code (vocabulary/errors.ts), the field
// at fault and the params its message needs (limits, allowed values); the UI translates the code.
import { z } from 'zod';
import type { Context } from 'koa';
import { AppError } from './errors.ts';
import { readBody } from './body.ts';
import { normalizePhone } from '../../vocabulary/phone.ts';

export { z };

/** A refusal of our own inside a schema: `ctx.addIssue(refuse('invalid_phone', { value }, 'English for logs'))`. */
export const refuse = (code: string, params: Record<string, string | number> = {}, message = code) =>
  ({ code: 'custom' as const, message, params: { code, ...params } });

const fieldOf = (path: PropertyKey[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || undefined;

const valueAt = (input: unknown, path: PropertyKey[]) =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);

/** The first issue of a zod error as our error: code, field, params, and an English message for logs. */
export function toAppError(error: z.ZodError, input: unknown): AppError {
  const issue = error.issues[0];
  const field = fieldOf(issue.path);
  const name = field ?? 'value';
  const i = issue as z.core.$ZodIssue & { minimum?: number | bigint; maximum?: number | bigint; origin?: string; values?: unknown[]; params?: Record<string, string | number> };
  const fail = (code: string, message: string, params?: Record<string, string | number>) =>
    new AppError(400, code, message, undefined, field, params);
  switch (i.code) {
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined || valueAt(input, issue.path) === null) return fail('required', `"${name}" is required`);
      if (i.expected === 'int') return fail('not_integer', `"${name}" must be an integer`);
      return fail('invalid_type', `"${name}" must be a ${i.expected}`);
    case 'too_small': {
      const min = Number(i.minimum);
      if (i.origin === 'string') return fail(min <= 1 ? 'required' : 'too_short', min <= 1 ? `"${name}" is required` : `"${name}" must be at least ${min} characters`, { min });
      if (i.origin === 'array') return fail('required', `"${name}" needs at least ${min}`, { min });
      return fail('too_small', `"${name}" must be at least ${min}`, { min });
    }
    case 'too_big': {
      const max = Number(i.maximum);
      if (i.origin === 'string') return fail('too_long', `"${name}" is longer than ${max} characters`, { max });
      if (i.origin === 'array') return fail('too_big', `"${name}" has more than ${max} items`, { max });
      return fail('too_big', `"${name}" must be at most ${max}`, { max });
    }
    case 'invalid_value':
      return fail('invalid_value', `"${name}" must be one of: ${(i.values ?? []).join(', ')}`, { values: (i.values ?? []).join(', ') });
    case 'invalid_format':
      return fail('invalid_value', `"${name}" is not in the expected format`);
    case 'invalid_union': {
      const options = (i as { options?: unknown[] }).options;
      if (options) return fail('invalid_value', `"${name}" must be one of: ${options.join(', ')}`, { values: options.join(', ') });
      return fail('invalid_value', `"${name}" is not any of the accepted forms`);
    }
    case 'custom': {
      const { code = 'invalid', ...params } = i.params ?? {};
      return fail(String(code), `"${name}": ${issue.message === code ? String(code).replace(/_/g, ' ') : issue.message}`, params);
    }
    default:
      return fail('invalid', `"${name}": ${issue.message}`);
  }
}

/** Parses `value` with `schema` or throws the 400 for its first problem. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw toAppError(r.error, value);
  return r.data;
}

/** The request's body, size-limited and parsed with `schema`. */
export async function body<S extends z.ZodType>(ctx: Context, schema: S, opts: { limit?: number; form?: boolean } = {}): Promise<z.output<S>> {
  return parse(schema, await readBody(ctx, opts));
}
/** The query string parsed with `schema` (every value a string, or an array when repeated). */
export const query = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> => parse(schema, ctx.query);
/** The path's `:id` (or another param) as a positive integer id. */
export const pathId = (ctx: Context, name = 'id'): number => parse(z.object({ [name]: id }), ctx.params)[name] as number;

// ---- the building blocks every route uses ----

/** Absent in a query or a form: undefined, null and "" are the same. */
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
export const optional = <S extends z.ZodType>(s: S) => z.preprocess(blankToUndefined, s.optional());

/** A positive integer id, from JSON or from a query/path string ("42"). */
export const id = z.preprocess(
  (v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v),
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
);
/** An integer from a string or a number, within bounds. */
export const int = (min: number, max: number) => z.preprocess(
  (v) => (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim()) ? Number(v) : v),
  z.number().int().min(min).max(max),
);
/** A number from a string or a number. */
export const num = (min: number, max: number) => z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
  z.number().min(min).max(max),
);
export const lon = num(-180, 180);
export const lat = num(-90, 90);
/** A point as {lon, lat} or [lon, lat]. */
export const point = z.preprocess(
  (v) => (Array.isArray(v) && v.length === 2 ? { lon: v[0], lat: v[1] } : v),
  z.object({ lon, lat }),
);

/** Trimmed text within bounds (a blank string counts as absent). */
export const text = (max: number, min = 0) => z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() : v),
  min > 0 ? z.string().min(min).max(max) : z.string().max(max),
);
export const optionalText = (max: number) => optional(text(max));

/** A phone number in any national or international form, normalised to E.164. */
export const phone = z.string().max(40).transform((raw, ctx) => {
  const e164 = normalizePhone(raw);
  if (!e164) { ctx.addIssue(refuse('invalid_phone', { value: raw.slice(0, 40) })); return z.NEVER; }
  return e164;
});

/** An ISO 8601 date-time with a zone (or a date, taken as UTC midnight). */
export const dateTime = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) { ctx.addIssue(refuse('invalid_date')); return z.NEVER; }
  return d;
});

export const email = z.string().max(254).transform((raw, ctx) => {
  const e = raw.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) { ctx.addIssue(refuse('invalid_email')); return z.NEVER; }
  return e;
});
/** A client's request id (Idempotency-Key). */
export const requestId = z.string().transform((raw, ctx) => {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) { ctx.addIssue(refuse('invalid_request_id')); return z.NEVER; }
  return raw.toLowerCase();
});

/** One of a vocabulary's values. */
export const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values);
/** A comma-separated list of a vocabulary's values ("new,in_progress"). */
export const listOf = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.enum(values)).min(1),
);
/** "1", "true" or true. */
export const flag = z.preprocess((v) => v === '1' || v === 'true' || v === true, z.boolean());

/** limit/offset of a list: `limit` within 1…max (default `fallback`), `offset` ≥ 0. */
export const paging = (max: number, fallback = Math.min(50, max)) => ({
  limit: z.preprocess((v) => blankToUndefined(v) ?? fallback, int(1, max)),
  offset: z.preprocess((v) => blankToUndefined(v) ?? 0, int(0, 10_000_000)),
});
