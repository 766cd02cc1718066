// What the resident routes accept, declared once (server/http/input.ts).
import { z, id, optional, text, optionalText, phone } from '../http/input.ts';
import { APARTMENT_MAX } from '../../vocabulary/appeals.ts';

/** Names are written once, with single spaces. */
const fullName = z.preprocess((v) => (typeof v === 'string' ? v.trim().replace(/\s+/g, ' ') : v), z.string().min(2).max(200));

export const CreateResidentBody = z.object({
  fullName,
  buildingId: id,
  apartment: optionalText(APARTMENT_MAX),
  phone: optional(phone),
});
export type NewResident = z.output<typeof CreateResidentBody>;

export const PhoneBody = z.object({ phone });
export const PhoneQuery = z.object({ phone });
export const InBuildingQuery = z.object({ apartment: optional(text(APARTMENT_MAX)) });
