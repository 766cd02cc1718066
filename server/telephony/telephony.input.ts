// What the telephony routes accept, declared once (server/http/input.ts).
import { z, id, optional, optionalText, phone, dateTime, int } from '../http/input.ts';

export const NOTE_MAX = 2000;

export const SimulateCallBody = z.object({ phone: optional(phone) });

export const ConsultationBody = z.object({ note: optionalText(NOTE_MAX) });

export const CallListQuery = z.object({
  operator: optional(id),
  from: optional(dateTime),
  to: optional(dateTime),
  before: optional(id),
  limit: z.preprocess((v) => (v === undefined || v === '' ? 50 : v), int(1, 500)),
});
export type CallListFilter = z.output<typeof CallListQuery>;
