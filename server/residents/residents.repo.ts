// All SQL about residents: the caller lookup behind the screen pop (one statement probing
// resident_phone's primary key, the resident and their building), and the register the desk keeps
// (an unknown caller becomes a known one).
import type { Db } from '../db/db.ts';

export interface CardResident {
  id: number;
  fullName: string;
  apartment: string | null;
  phones: string[];
  building: { id: number; address: string; lon: number; lat: number } | null;
}

/** The card lists this many of the caller's appeals that are not over yet. */
export const OPEN_APPEALS_LIMIT = 20;

export interface ResidentRecord {
  id: number;
  fullName: string;
  apartment: string | null;
  createdAt: string;
  phones: string[];
  building: { id: number; address: string; lon: number; lat: number; apartments: number } | null;
}

const RESIDENT = `
  SELECT r.id, r.full_name AS "fullName", r.apartment, r.created_at AS "createdAt",
         coalesce((SELECT array_agg(p.phone ORDER BY p.created_at) FROM resident_phone p WHERE p.resident_id = r.id), '{}') AS phones,
         CASE WHEN b.id IS NULL THEN NULL ELSE json_build_object('id', b.id, 'address', b.address,
              'lon', ST_X(b.centroid), 'lat', ST_Y(b.centroid), 'apartments', b.apartments) END AS building
    FROM resident r LEFT JOIN building b ON b.id = r.building_id`;

export function residentsRepo(db: Db) {
  return {
    // A named prepared statement: every connection plans it once, not on every ring.
    cardByPhone: (phone: string) =>
      db.oneOrNone<{ resident: CardResident }>({ name: 'resident-card-by-phone', values: [phone], text: `
        SELECT json_build_object(
                 'id', r.id, 'fullName', r.full_name, 'apartment', r.apartment,
                 'phones', (SELECT coalesce(json_agg(p.phone ORDER BY p.created_at, p.phone), '[]') FROM resident_phone p WHERE p.resident_id = r.id),
                 'building', CASE WHEN b.id IS NULL THEN NULL ELSE json_build_object(
                   'id', b.id, 'address', b.address, 'lon', round(ST_X(b.centroid)::numeric, 6), 'lat', round(ST_Y(b.centroid)::numeric, 6)) END
               ) AS resident
          FROM resident_phone rp
          JOIN resident r ON r.id = rp.resident_id
          LEFT JOIN building b ON b.id = r.building_id
         WHERE rp.phone = $1` }),

    get: (id: number) => db.oneOrNone<ResidentRecord>(`${RESIDENT} WHERE r.id = $1`, [id]),

    /** Where a resident lives and how to reach them, for an appeal registered on their behalf. */
    placeOf: (id: number) =>
      db.oneOrNone<{ id: number; buildingId: number | null; apartment: string | null; phone: string | null }>({ name: 'resident-place', values: [id], text: `
        SELECT r.id, r.building_id AS "buildingId", r.apartment,
               (SELECT p.phone FROM resident_phone p WHERE p.resident_id = r.id ORDER BY p.created_at, p.phone LIMIT 1) AS phone
          FROM resident r WHERE r.id = $1` }),

    byPhone: (phone: string) =>
      db.oneOrNone<ResidentRecord>(`${RESIDENT} WHERE r.id = (SELECT resident_id FROM resident_phone WHERE phone = $1)`, [phone]),

    inBuilding: (buildingId: number, apartment: string | null) =>
      db.any<ResidentRecord>(`${RESIDENT} WHERE r.building_id = $1 AND ($2::text IS NULL OR r.apartment = $2)
        ORDER BY nullif(regexp_replace(r.apartment, '\\D', '', 'g'), '')::int NULLS LAST, r.apartment, r.full_name LIMIT 500`,
        [buildingId, apartment]),

    phoneOwner: (phone: string) =>
      db.oneOrNone<{ residentId: number }>(`SELECT resident_id AS "residentId" FROM resident_phone WHERE phone = $1`, [phone]),

    /** The resident and their number together: a number taken meanwhile rolls the resident back too. */
    create: (r: { fullName: string; buildingId: number; apartment: string | null; phone: string | null }) =>
      db.tx('resident-create', async (t) => {
        const { id } = await t.one<{ id: number }>(
          `INSERT INTO resident (full_name, building_id, apartment) VALUES ($1, $2, $3) RETURNING id`,
          [r.fullName, r.buildingId, r.apartment]);
        if (r.phone) await t.none(`INSERT INTO resident_phone (phone, resident_id) VALUES ($1, $2)`, [r.phone, id]);
        return id;
      }),

    addPhone: (residentId: number, phone: string) =>
      db.none(`INSERT INTO resident_phone (phone, resident_id) VALUES ($1, $2)`, [phone, residentId]),
  };
}
export type ResidentsRepo = ReturnType<typeof residentsRepo>;
