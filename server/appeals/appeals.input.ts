// What the appeal routes accept, declared once (server/http/input.ts); the service receives these types.
import { z, id, optional, text, optionalText, phone, point, lon, lat, dateTime, oneOf, listOf, flag, paging, int } from '../http/input.ts';
import { APARTMENT_MAX, APPEAL_STATUSES, APPEAL_TEXT, DESK_CHANNELS, REASON } from '../../vocabulary/appeals.ts';
import { PLAN_REASONS, REJECT_REASONS } from '../../vocabulary/appeal-lifecycle.ts';

export const RegisterBody = z.object({
  categoryId: id,
  text: text(APPEAL_TEXT.max, APPEAL_TEXT.min),
  channel: optional(oneOf(DESK_CHANNELS)).transform((c) => c ?? 'phone'),
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

/**
 * A resident filing for themselves (the web form, an Open311 client), parsed by that channel's own
 * input layer: no call, no resident from the register, no override of the catalogue's executor or
 * due date. The phone, when left, is where the survey call goes.
 */
export interface PublicRegisterInput {
  channel: 'web' | 'open311';
  categoryId: number;
  text: string;
  point?: { lon: number; lat: number };
  buildingId?: number;
  infraObjectId?: number;
  /** Seen by the executor only, like an operator's entry (Open311's apartment attribute). */
  apartment?: string;
  phone?: string;
  contact: { name: string | null; email: string | null };
}

export const UpdateBody = z.object({
  status: optional(oneOf(APPEAL_STATUSES)),
  answer: optionalText(APPEAL_TEXT.max),
  plannedAt: optional(dateTime),
  planReason: optional(oneOf(PLAN_REASONS)),
  rejectReason: optional(oneOf(REJECT_REASONS)),
  comment: optionalText(APPEAL_TEXT.max),
});
export type UpdateInput = z.output<typeof UpdateBody>;

/** Several appeals at once (bulk actions): the same move for each. */
export const BulkBody = z.object({
  ids: z.array(id).min(1).max(200),
  status: oneOf(['in_progress', 'planned'] as const),
  plannedAt: optional(dateTime),
  planReason: optional(oneOf(PLAN_REASONS)),
});
export type BulkInput = z.output<typeof BulkBody>;

export const ReassignBody = z.object({
  executorId: id,
  reason: text(REASON.max, 1),
  dueAt: optional(dateTime),
});
export type ReassignInput = z.output<typeof ReassignBody>;

export const ConfirmationBody = z.object({
  confirmed: z.boolean(),
  rating: optional(int(1, 5)),
});
export type ConfirmationInput = z.output<typeof ConfirmationBody>;

export const ListQuery = z.object({
  status: optional(listOf(APPEAL_STATUSES)),
  overdue: flag,
  dueSoon: flag,
  categoryId: optional(id),
  districtId: optional(id),
  q: optionalText(100),
  executorId: optional(id),
  ...paging(200),
});
export type ListInput = z.output<typeof ListQuery>;

export const BuildingAppealsQuery = z.object({
  days: optional(int(1, 3660)).transform((d) => d ?? 90),
  excludeResident: optional(id),
});
