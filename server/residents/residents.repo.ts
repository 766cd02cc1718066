// The caller lookup behind the screen pop: one statement probing resident_phone's primary key, the
// resident, their building and their open appeals (index on appeal.resident_id).
import type { Db } from '../db/db.ts';

export interface CardResident {
  id: number;
  fullName: string;
  apartment: string | null;
  phones: string[];
  building: { id: number; address: string; lon: number; lat: number } | null;
}

export interface OpenAppeal {
  id: number;
  number: string;
  status: string;
  category: string;
  categoryEn: string;
  executor: string;
  createdAt: string;
  dueAt: string;
}

/** Appeals still being worked on: everything but closed and rejected. */
export const OPEN_APPEALS_LIMIT = 20;

export function residentsRepo(db: Db) {
  return {
    // A named prepared statement: every connection plans it once, not on every ring.
    cardByPhone: (phone: string) =>
      db.oneOrNone<{ resident: CardResident; openAppeals: OpenAppeal[] }>({ name: 'resident-card-by-phone', values: [phone], text: `
        SELECT json_build_object(
                 'id', r.id, 'fullName', r.full_name, 'apartment', r.apartment,
                 'phones', (SELECT coalesce(json_agg(p.phone ORDER BY p.created_at, p.phone), '[]') FROM resident_phone p WHERE p.resident_id = r.id),
                 'building', CASE WHEN b.id IS NULL THEN NULL ELSE json_build_object(
                   'id', b.id, 'address', b.address, 'lon', round(ST_X(b.centroid)::numeric, 6), 'lat', round(ST_Y(b.centroid)::numeric, 6)) END
               ) AS resident,
               (SELECT coalesce(json_agg(x), '[]') FROM (
                  SELECT a.id, a.number, a.status, c.name AS category, c.name_en AS "categoryEn", e.name AS executor,
                         a.created_at AS "createdAt", a.due_at AS "dueAt"
                    FROM appeal a JOIN category c ON c.id = a.category_id JOIN executor e ON e.id = a.executor_id
                   WHERE a.resident_id = r.id AND a.status NOT IN ('closed', 'rejected')
                   ORDER BY a.created_at DESC LIMIT ${OPEN_APPEALS_LIMIT}) x) AS "openAppeals"
          FROM resident_phone rp
          JOIN resident r ON r.id = rp.resident_id
          LEFT JOIN building b ON b.id = r.building_id
         WHERE rp.phone = $1` }),
  };
}
export type ResidentsRepo = ReturnType<typeof residentsRepo>;
