// What /api/report accepts: the multipart form's fields (strings), the duplicate query, the
// resident's word on the tracking link.
import { z, id, optional, text, optionalText, phone, email, lon, lat, requestId, oneOf, refuse } from '../http/input.ts';
import { APPEAL_TEXT } from '../../vocabulary/appeals.ts';
import { LOCALES } from '../../vocabulary/i18n/translate.ts';

export const CONTACT_NAME_MAX = 200;

export const ReportFields = z.object({
  requestId,
  categoryId: id,
  text: text(APPEAL_TEXT.max, APPEAL_TEXT.min),
  lon: optional(lon),
  lat: optional(lat),
  infraObjectId: optional(id),
  name: text(CONTACT_NAME_MAX, 1),
  email,
  phone: optional(phone),
  lang: optional(oneOf(LOCALES)),
}).superRefine((f, ctx) => {
  if ((f.lon === undefined || f.lat === undefined) && f.infraObjectId === undefined) {
    ctx.addIssue({ ...refuse('needs_place', {}, 'Pick a place or an object on the map'), path: ['lon'] });
  }
});
export type ReportInput = z.output<typeof ReportFields>;

export const NearbyQuery = z.object({ categoryId: id, lon, lat });
export type NearbyInput = z.output<typeof NearbyQuery>;

export const TrackToken = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

export const ResidentWord = z.object({
  confirmed: z.boolean(),
  comment: optionalText(APPEAL_TEXT.max),
});
export type ResidentWordInput = z.output<typeof ResidentWord>;
