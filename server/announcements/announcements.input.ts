// What the announcement routes accept, declared once (server/http/input.ts).
import { z, id, int, num, optional, text, dateTime, email, oneOf, lon, lat, refuse } from '../http/input.ts';
import { KINDS, UTILITIES, MAX_PICKED, MIN_WIDTH_M, MAX_WIDTH_M, TEXT_MAX } from '../../vocabulary/announcements.ts';
import { LOCALES } from '../../vocabulary/i18n/translate.ts';

/** How many affected buildings a preview returns for highlighting. */
export const PREVIEW_SAMPLE = 2000;

/** A GeoJSON geometry as drawn; its type, shape and size are checked by the service before PostGIS. */
const Geometry = z.object({ type: z.string().max(40), coordinates: z.unknown() });

export const ZoneBody = z.discriminatedUnion('source', [
  z.object({ source: z.literal('polygon'), geometry: Geometry }),
  z.object({ source: z.literal('line'), geometry: Geometry, widthM: num(MIN_WIDTH_M, MAX_WIDTH_M) }),
  z.object({
    source: z.literal('buildings'),
    buildingIds: z.array(id).min(1).max(MAX_PICKED).transform((ids) => [...new Set(ids)]),
  }),
]);
export type ZoneInput = z.output<typeof ZoneBody>;

const fields = {
  kind: oneOf(KINDS),
  utility: oneOf(UTILITIES),
  title: optional(text(TEXT_MAX.title)).transform((v) => v ?? ''),
  description: optional(text(TEXT_MAX.description)).transform((v) => v ?? ''),
  contact: optional(text(TEXT_MAX.contact)).transform((v) => v ?? ''),
  startsAt: dateTime,
  endsAt: dateTime,
};
const ordered = <T extends { startsAt?: Date; endsAt?: Date }>(f: T, ctx: z.RefinementCtx) => {
  if (f.startsAt && f.endsAt && f.endsAt <= f.startsAt) {
    ctx.addIssue({ ...refuse('ends_before_start', {}, 'The end is before the start: "endsAt" must be later than "startsAt"'), path: ['endsAt'] });
  }
};

export const PublishBody = z.object({ ...fields, zone: ZoneBody, executorId: optional(id) }).superRefine(ordered);
export type PublishInput = z.output<typeof PublishBody>;
export type Fields = Omit<PublishInput, 'zone' | 'executorId'>;

/** An edit sends what changes; the rest stays as it is (the service checks the merged result). */
export const EditBody = z.object({
  kind: fields.kind.optional(), utility: fields.utility.optional(),
  title: optional(text(TEXT_MAX.title)), description: optional(text(TEXT_MAX.description)), contact: optional(text(TEXT_MAX.contact)),
  startsAt: dateTime.optional(), endsAt: dateTime.optional(),
  zone: ZoneBody.optional(),
});
export type EditInput = z.output<typeof EditBody>;

export const EndBody = z.object({ reason: optional(text(TEXT_MAX.reason)).transform((v) => v ?? '') });
export const PreviewBody = z.object({ zone: ZoneBody, limit: optional(int(1, PREVIEW_SAMPLE)) });
export const SubscribeBody = z.object({ email, buildingId: id, lang: optional(oneOf(LOCALES)).transform((l) => l ?? 'uk') });
export const TokenQuery = z.object({ token: z.string().regex(/^[\w-]{16,64}$/) });
export const BuildingAtQuery = z.object({ lon, lat });

/** minLon,minLat,maxLon,maxLat */
const bbox = z.string().transform((raw, ctx) => {
  const b = raw.split(',').map(Number);
  if (b.length !== 4 || b.some((x) => !Number.isFinite(x)) || b[0] >= b[2] || b[1] >= b[3]) { ctx.addIssue(refuse('invalid_value')); return z.NEVER; }
  return b as [number, number, number, number];
});

export const listQuery = (maxLimit: number) => z.object({
  at: optional(dateTime), from: optional(dateTime), to: optional(dateTime),
  utility: optional(oneOf(UTILITIES)), kind: optional(oneOf(KINDS)),
  district: optional(id), executorId: optional(id), bbox: optional(bbox),
  limit: optional(int(1, 1_000_000_000)).transform((l) => Math.min(l ?? maxLimit, maxLimit)),
}).superRefine((f, ctx) => {
  if (f.from && f.to && f.to <= f.from) ctx.addIssue({ ...refuse('ends_before_start', {}, '"to" must be later than "from"'), path: ['to'] });
});

export const StatsQuery = z.object({
  from: optional(dateTime), to: optional(dateTime),
  group: optional(oneOf(['day', 'week', 'month'] as const)).transform((g) => g ?? 'week'),
  by: optional(oneOf(['utility', 'kind', 'executor', 'district'] as const)).transform((b) => b ?? 'utility'),
  format: optional(oneOf(['json', 'csv'] as const)),
  lang: optional(oneOf(LOCALES)),
});
