// What the appeal routes accept, declared once (server/http/input.ts); the service receives these types.
import { z, id, optional, text, optionalText, phone, point, lon, lat, dateTime, oneOf, listOf, flag, paging, int } from '../http/input.ts';
import { APARTMENT_MAX, APPEAL_STATUSES, APPEAL_TEXT, CHANNELS, REASON } from '../../vocabulary/appeals.ts';

export const RegisterBody = z.object({
  categoryId: id,
  text: text(APPEAL_TEXT.max, APPEAL_TEXT.min),
  channel: optional(oneOf(CHANNELS)).transform((c) => c ?? 'phone'),
  residentId: optional(id),
  buildingId: optional(id),
  apartment: optionalText(APARTMENT_MAX),
  infraObjectId: optional(id),
  /** Where on the map, as {lon, lat} or [lon, lat]; `lon`/`lat` at the top level say the same. */
  point: optional(point),
  lon: optional(lon),
  lat: optional(lat),
  phone: optional(phone),
  callId: optional(id),
  executorId: optional(id),
  executorOverrideReason: optionalText(REASON.max),
  dueAt: optional(dateTime),
  dueOverrideReason: optionalText(REASON.max),
}).transform(({ lon: x, lat: y, ...b }) => ({ ...b, point: b.point ?? (x !== undefined && y !== undefined ? { lon: x, lat: y } : undefined) }));
export type RegisterInput = z.output<typeof RegisterBody>;

export const UpdateBody = z.object({
  status: optional(oneOf(APPEAL_STATUSES)),
  answer: optionalText(APPEAL_TEXT.max),
});
export type UpdateInput = z.output<typeof UpdateBody>;

export const ListQuery = z.object({
  status: optional(listOf(APPEAL_STATUSES)),
  overdue: flag,
  q: optionalText(100),
  executorId: optional(id),
  ...paging(200),
});
export type ListInput = z.output<typeof ListQuery>;

export const BuildingAppealsQuery = z.object({
  days: optional(int(1, 3660)).transform((d) => d ?? 90),
  excludeResident: optional(id),
});
