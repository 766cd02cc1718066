// GeoReport v2 over HTTP at /open311/v2/<resource>.<xml|json>. Its own router outside /api: the
// answers and errors are the specification's (errors/error{code, description} with 400/403/404),
// clients authenticate with api_key rather than a session, and reading is public and cross-origin.
import type { Context, Next } from 'koa';
import { AppError, classify, notFound } from '../http/errors.ts';
import { checkValue, readBody } from '../http/body.ts';
import { parse } from '../http/input.ts';
import { isLocale, translate, DEFAULT_LOCALE, type Locale, type MessageKey } from '../../vocabulary/i18n/translate.ts';
import { messages } from '../../vocabulary/i18n/messages.ts';
import { FORMATS, render, type Format } from './open311.format.ts';
import { PostRequest, RequestsQuery, UpdatesQuery, attributesOf } from './open311.input.ts';
import type { Open311Service } from './open311.service.ts';
import { invalidApiKey, type ApiKeys } from './api-keys.ts';

const PREFIX = '/open311/v2/';
const BASELINE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The request's language: `lang`, else the first of Accept-Language we speak, else Ukrainian. */
export function languageOf(ctx: Context): Locale {
  const asked = typeof ctx.query.lang === 'string' ? ctx.query.lang.toLowerCase().slice(0, 2) : '';
  if (isLocale(asked)) return asked;
  for (const part of (ctx.get('Accept-Language') || '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (isLocale(tag)) return tag;
  }
  return DEFAULT_LOCALE;
}

/**
 * Query or form values, one string each (a repeated parameter counts once, its last value); an
 * empty argument is the same as an absent one, as the specification says.
 */
function single(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values)
    .map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v])
    // A JSON body may send numbers (lat, address_id): the same as their text in a form.
    .map(([k, v]) => [k, typeof v === 'number' && Number.isFinite(v) ? String(v) : v])
    .filter(([, v]) => v !== '' && v !== undefined));
}

/** The error's text in the request's language, its stable code after it in brackets. */
function describe(e: AppError, lang: Locale): string {
  const key = `error.${e.code}`;
  // A list's item is named by its parameter ("status", not "status[0]").
  const field = e.field?.replace(/\[\d+\]$/, '');
  const params = { field: field ?? 'value', value: '', ...e.params };
  const text = key in messages ? translate(lang, key as MessageKey, params) : e.message;
  return `${text} [${e.code}${field ? `: ${field}` : ''}]`;
}

export function open311Routes(open311: Open311Service, keys: ApiKeys, cfg: { open311: { jurisdictionId: string } }) {
  async function handle(ctx: Context, resource: string, format: Format, lang: Locale) {
    for (const [k, v] of Object.entries(ctx.query)) checkValue(v, k);
    const post = ctx.method === 'POST';
    const raw = post ? { ...single(ctx.query), ...single(await readBody(ctx, { form: true })) } : single(ctx.query);
    // One jurisdiction: naming another is an error, naming none is fine.
    const jurisdiction = raw.jurisdiction_id;
    if (jurisdiction !== undefined && jurisdiction !== '' && jurisdiction !== cfg.open311.jurisdictionId) {
      throw notFound(`Unknown jurisdiction_id ${String(jurisdiction).slice(0, 100)}`, { code: 'unknown_jurisdiction', field: 'jurisdiction_id', params: { value: String(jurisdiction).slice(0, 100) } });
    }
    // A key is needed to file; reading is public, but a key that is sent is checked and counted.
    const apiKey = typeof raw.api_key === 'string' && raw.api_key !== '' ? raw.api_key : null;
    const keyId = apiKey ? await keys.use(apiKey) : null;

    const [name, arg, ...rest] = resource.split('/');
    if (rest.length) return null;
    let id: string | undefined;
    try { id = arg === undefined ? undefined : decodeURIComponent(arg); } catch { return null; }
    if (post) {
      if (name !== 'requests' || id !== undefined) return null;
      if (keyId === null) throw invalidApiKey();
      const input = { ...parse(PostRequest, raw), attributes: attributesOf(raw) };
      return { root: 'service_requests', data: await open311.create(input, keyId!, lang) };
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return null;
    switch (name) {
      case 'discovery': return id === undefined ? { root: 'discovery', data: open311.discovery() } : null;
      case 'services':
        return id === undefined
          ? { root: 'services', data: await open311.services(lang) }
          : { root: 'service_definition', data: await open311.definition(id, lang) };
      case 'requests':
        return id === undefined
          ? { root: 'service_requests', data: await open311.requests(parse(RequestsQuery, raw), lang) }
          : { root: 'service_requests', data: await open311.request(id, lang) };
      case 'tokens': return id === undefined ? null : { root: 'service_requests', data: await open311.token(id) };
      case 'servicerequestupdates': return id === undefined ? { root: 'service_requests_updates', data: await open311.updates(parse(UpdatesQuery, raw), lang) } : null;
      default: return null;
    }
  }

  return async function open311(ctx: Context, next: Next) {
    if (!ctx.path.startsWith(PREFIX) && ctx.path !== PREFIX.slice(0, -1)) return next();
    ctx.set('Content-Security-Policy', BASELINE_CSP);
    ctx.set('Access-Control-Allow-Origin', '*');
    // Answers change with every status move; caches ask again.
    ctx.set('Cache-Control', 'no-cache');
    const lang = languageOf(ctx);
    const path = ctx.path.slice(PREFIX.length);
    const m = /^(.*?)(?:\.([a-z0-9]+))?$/i.exec(path);
    // The metrics' route: the resource, never the id in it.
    const [resource, arg] = (m?.[1] ?? '').split('/');
    ctx.state.route = `/open311/v2/${/^[a-z]{1,30}$/.test(resource) ? resource : 'unmatched'}${arg === undefined ? '' : '/:id'}`;
    // XML is the specification's required format: a resource without an extension answers in it.
    const ext = (m?.[2] ?? 'xml').toLowerCase();
    const format: Format = ext === 'json' ? 'json' : 'xml';
    const send = (status: number, root: string, data: Parameters<typeof render>[2]) => {
      ctx.status = status;
      ctx.body = render(format, root, data);
      ctx.set('Content-Type', FORMATS[format]);
    };
    const fail = (e: AppError) => {
      if (e.status === 503) ctx.set('Retry-After', '5');
      if (e.status === 429 && typeof e.params?.seconds === 'number') ctx.set('Retry-After', String(e.params.seconds));
      send(e.status, 'errors', [{ code: e.status, description: describe(e, lang) }]);
    };
    try {
      if (!m || (ext !== 'xml' && ext !== 'json')) throw notFound(`Unknown format .${ext}`, { code: 'unknown_format', field: 'format' });
      if (ctx.method === 'OPTIONS') {
        ctx.set('Access-Control-Allow-Methods', 'GET, POST');
        ctx.set('Access-Control-Allow-Headers', 'Content-Type');
        ctx.status = 204;
        return;
      }
      const out = await handle(ctx, m[1], format, lang);
      if (!out) throw notFound(`No Open311 resource ${ctx.method} ${ctx.path.slice(0, 200)}`);
      send(200, out.root, out.data);
    } catch (e) {
      const known = classify(e);
      if (known) return fail(known);
      fail(new AppError(500, 'internal', 'Internal server error'));
      ctx.app.emit('error', e, ctx);
    }
  };
}
