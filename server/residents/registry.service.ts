// Registering residents from the desk: an unknown caller names their address, the operator picks the
// building and apartment, and the number is saved so the next call pops their card.
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { normalizePhone } from '../../shared/phone.ts';
import type { ResidentsRepo } from './residents.repo.ts';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

export function residentRegistry(repo: ResidentsRepo) {
  function phoneOf(raw: unknown): string | null {
    if (raw === undefined || raw === null || raw === '') return null;
    if (typeof raw !== 'string') throw badRequest('"phone" must be a string');
    const phone = normalizePhone(raw);
    if (!phone) throw badRequest(`"phone" "${raw}" is not a valid phone number`);
    return phone;
  }
  const taken = (phone: string) => conflict(`The number ${phone} already belongs to another resident`);

  return {
    async get(id: number) {
      const r = await repo.get(id);
      if (!r) throw notFound(`Resident ${id} does not exist`);
      return r;
    },

    async byPhone(raw: unknown) {
      const phone = phoneOf(raw);
      if (!phone) throw badRequest('"phone" is required');
      return { phone, resident: await repo.byPhone(phone) };
    },

    async inBuilding(buildingId: number, apartment: string | null) {
      if (!(await repo.building(buildingId))) throw notFound(`Building ${buildingId} does not exist`);
      return repo.inBuilding(buildingId, apartment);
    },

    async create(body: Record<string, unknown>) {
      const fullName = typeof body.fullName === 'string' ? body.fullName.trim().replace(/\s+/g, ' ') : '';
      if (fullName.length < 2) throw badRequest('"fullName" is required (at least 2 characters)');
      if (fullName.length > 200) throw badRequest('"fullName" is longer than 200 characters');
      const buildingId = Number(body.buildingId);
      if (!Number.isSafeInteger(buildingId) || buildingId <= 0) throw badRequest('"buildingId" is required: pick the building');
      const apartmentRaw = body.apartment === undefined || body.apartment === null ? '' : String(body.apartment).trim();
      if (apartmentRaw.length > 20) throw badRequest('"apartment" is longer than 20 characters');
      const apartment = apartmentRaw === '' ? null : apartmentRaw;
      const phone = phoneOf(body.phone);

      const building = await repo.building(buildingId);
      if (!building) throw badRequest(`Building ${buildingId} does not exist`);
      const aptNo = apartment && /^\d+$/.test(apartment) ? Number(apartment) : null;
      if (aptNo !== null && building.apartments > 0 && (aptNo < 1 || aptNo > building.apartments)) {
        throw badRequest(`The building has apartments 1–${building.apartments}; "${apartment}" is not one of them`);
      }
      if (phone && (await repo.phoneOwner(phone))) throw taken(phone);
      try {
        const id = await repo.create({ fullName, buildingId, apartment, phone });
        return (await repo.get(id))!;
      } catch (e) {
        if (phone && isUniqueViolation(e)) throw taken(phone);
        throw e;
      }
    },

    /** Saves another number for a known resident (a caller from a new phone). */
    async addPhone(residentId: number, raw: unknown) {
      const phone = phoneOf(raw);
      if (!phone) throw badRequest('"phone" is required');
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
export type ResidentRegistry = ReturnType<typeof residentRegistry>;
