// What the GeoReport v2 resources accept, under the specification's own parameter names. An empty
// argument is the same as an absent one (`optional`).
import { z, optional, optionalText, phone, email, dateTime, int, refuse, listOf } from '../http/input.ts';
import { APPEAL_TEXT } from '../../vocabulary/appeals.ts';

/** "12,15,20": ids of appeals. */
const idList = z.string().transform((raw, ctx) => {
  const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!ids.length || ids.length > 1000 || ids.some((s) => !/^\d{1,15}$/.test(s))) { ctx.addIssue(refuse('invalid_id')); return z.NEVER; }
  return ids.map(Number);
});
const codeList = z.string().max(4000).transform((raw) => raw.split(',').map((s) => s.trim()).filter(Boolean));

/** Only http(s) links: the media_url is shown to anyone reading the request. */
const mediaUrl = z.string().max(2000).transform((raw, ctx) => {
  try {
    const u = new URL(raw.trim());
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
  } catch { /* refused below */ }
  ctx.addIssue(refuse('invalid_value', {}, 'media_url must be an http(s) URL'));
  return z.NEVER;
});

export const PostRequest = z.object({
  api_key: optional(z.string().max(200)),
  service_code: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1).max(100)),
  lat: optional(z.string().max(40)),
  long: optional(z.string().max(40)),
  address_string: optionalText(300),
  address_id: optional(z.string().max(20)),
  email: optional(email),
  device_id: optionalText(200),
  account_id: optionalText(200),
  first_name: optionalText(100),
  last_name: optionalText(100),
  phone: optional(phone),
  description: optionalText(APPEAL_TEXT.max),
  media_url: optional(mediaUrl),
});
export type PostRequestInput = z.output<typeof PostRequest> & { attributes: Record<string, string> };

export const RequestsQuery = z.object({
  service_request_id: optional(idList),
  service_code: optional(codeList),
  start_date: optional(dateTime),
  end_date: optional(dateTime),
  status: optional(listOf(['open', 'closed'] as const)),
  page: optional(int(1, 1_000_000)),
  page_size: optional(int(1, 1000)),
});
export type RequestsInput = z.output<typeof RequestsQuery>;

export const UpdatesQuery = z.object({
  start_date: optional(dateTime),
  end_date: optional(dateTime),
  page: optional(int(1, 1_000_000)),
  page_size: optional(int(1, 1000)),
});
export type UpdatesInput = z.output<typeof UpdatesQuery>;

/** `attribute[code]=value` fields of a form; a repeated one (multivaluelist) keeps its values comma-joined. */
export function attributesOf(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = /^attribute\[([^\]]{1,50})\]$/.exec(k);
    if (m && typeof v === 'string' && v.trim() !== '') out[m[1]] = v.trim();
  }
  return out;
}
