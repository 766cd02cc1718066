// Residents as the desk knows them. The caller card of the screen pop: who is calling (by the E.164
// number), their appeals that are not over yet and a banner of announcements affecting their
// building ("hot water off until 18:00"). The register: an unknown caller names their address, the
// operator picks the building and apartment, and the number is saved so the next call pops their card.
// Personal data: callers of this service must be operators or admins (routes and the SSE check it).
import { normalizePhone } from '../../vocabulary/phone.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import type { Clock } from '../clock.ts';
import type { AppealsRepo, ActiveAppeal } from '../appeals/appeals.repo.ts';
import type { AnnouncementsRepo, BuildingAnnouncement } from '../announcements/announcements.repo.ts';
import type { CityRepo } from '../city/city.repo.ts';
import { OPEN_APPEALS_LIMIT, type CardResident, type ResidentsRepo } from './residents.repo.ts';
import type { NewResident } from './residents.input.ts';

export interface CallerCard {
  phone: string | null;
  resident: CardResident | null;
  openAppeals: ActiveAppeal[];
  announcements: BuildingAnnouncement[];
}

export interface ResidentsDeps {
  residents: ResidentsRepo;
  appeals: Pick<AppealsRepo, 'activeOfResident'>;
  announcements: Pick<AnnouncementsRepo, 'forBuilding'>;
  city: Pick<CityRepo, 'buildingFacts'>;
  clock: Clock;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';
const taken = (phone: string) => conflict(`The number ${phone} already belongs to another resident`, { code: 'phone_taken', field: 'phone' });

export function residentsService(d: ResidentsDeps) {
  const repo = d.residents;

  /** Never throws for an unknown or malformed number: that is the "unknown caller" card. */
  async function callerCard(raw: string | null | undefined, at = d.clock.now()): Promise<CallerCard> {
    const phone = raw ? normalizePhone(raw) : null;
    if (!phone) return { phone: null, resident: null, openAppeals: [], announcements: [] };
    const row = await repo.cardByPhone(phone);
    if (!row) return { phone, resident: null, openAppeals: [], announcements: [] };
    const [openAppeals, banner] = await Promise.all([
      d.appeals.activeOfResident(row.resident.id, OPEN_APPEALS_LIMIT),
      row.resident.building ? d.announcements.forBuilding(row.resident.building.id, at) : [],
    ]);
    return { phone, resident: row.resident, openAppeals, announcements: banner };
  }

  async function building(id: number) {
    const b = await d.city.buildingFacts(id);
    if (!b) throw notFound(`Building ${id} does not exist`, { field: 'buildingId' });
    return b;
  }

  return {
    callerCard,

    async get(id: number) {
      const r = await repo.get(id);
      if (!r) throw notFound(`Resident ${id} does not exist`);
      return r;
    },

    byPhone: async (phone: string) => ({ phone, resident: await repo.byPhone(phone) }),

    async inBuilding(buildingId: number, apartment: string | undefined) {
      await building(buildingId);
      return repo.inBuilding(buildingId, apartment ?? null);
    },

    async create(r: NewResident) {
      const b = await building(r.buildingId).catch(() => { throw badRequest(`Building ${r.buildingId} does not exist`, { code: 'not_found', field: 'buildingId' }); });
      const aptNo = r.apartment && /^\d+$/.test(r.apartment) ? Number(r.apartment) : null;
      if (aptNo !== null && b.apartments > 0 && (aptNo < 1 || aptNo > b.apartments)) {
        throw badRequest(`The building has apartments 1–${b.apartments}; "${r.apartment}" is not one of them`, {
          code: 'no_such_apartment', field: 'apartment', params: { max: b.apartments },
        });
      }
      if (r.phone && (await repo.phoneOwner(r.phone))) throw taken(r.phone);
      try {
        const id = await repo.create({ fullName: r.fullName, buildingId: r.buildingId, apartment: r.apartment ?? null, phone: r.phone ?? null });
        return (await repo.get(id))!;
      } catch (e) {
        if (r.phone && isUniqueViolation(e)) throw taken(r.phone);
        throw e;
      }
    },

    /** Saves another number for a known resident (a caller from a new phone). */
    async addPhone(residentId: number, phone: string) {
      if (!(await repo.get(residentId))) throw notFound(`Resident ${residentId} does not exist`);
      const owner = await repo.phoneOwner(phone);
      if (owner && owner.residentId !== residentId) throw taken(phone);
      if (!owner) {
        try { await repo.addPhone(residentId, phone); } catch (e) { if (isUniqueViolation(e)) throw taken(phone); throw e; }
      }
      return (await repo.get(residentId))!;
    },
  };
}
export type ResidentsService = ReturnType<typeof residentsService>;
