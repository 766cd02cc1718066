// The caller card of the screen pop: who is calling (by the E.164 number), their open appeals and
// a banner of announcements affecting their building ("hot water off until 18:00").
// Personal data: callers of this service must be operators or admins (routes and the SSE check it).
import type { Db } from '../db/db.ts';
import { normalizePhone } from '../../shared/phone.ts';
import { badRequest } from '../http/errors.ts';
import type { Clock } from '../clock.ts';
import { residentsRepo, type CardResident, type OpenAppeal } from './residents.repo.ts';
import { announcementsRepo, type BuildingAnnouncement } from '../announcements/announcements.repo.ts';

export interface CallerCard {
  phone: string | null;
  resident: CardResident | null;
  openAppeals: OpenAppeal[];
  announcements: BuildingAnnouncement[];
}

export function residentsService(db: Db, clock: Clock) {
  const repo = residentsRepo(db);
  const announcements = announcementsRepo(db);

  /** Never throws for an unknown or malformed number: that is the "unknown caller" card. */
  async function callerCard(raw: string | null | undefined, at = clock.now()): Promise<CallerCard> {
    const phone = raw ? normalizePhone(raw) : null;
    if (!phone) return { phone: null, resident: null, openAppeals: [], announcements: [] };
    const row = await repo.cardByPhone(phone);
    if (!row) return { phone, resident: null, openAppeals: [], announcements: [] };
    const banner = row.resident.building ? await announcements.forBuilding(row.resident.building.id, at) : [];
    return { phone, resident: row.resident, openAppeals: row.openAppeals, announcements: banner };
  }

  return {
    callerCard,
    /** The same card for the desk's "look up a number" field: a malformed number is the caller's error. */
    async cardFor(raw: unknown) {
      if (typeof raw !== 'string' || !raw.trim()) throw badRequest('"phone" is required');
      if (!normalizePhone(raw)) throw badRequest(`"${raw}" is not a phone number`);
      return callerCard(raw);
    },
  };
}
export type ResidentsService = ReturnType<typeof residentsService>;
