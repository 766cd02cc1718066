import type { Db } from '../db/db.ts';

export interface BuildingFacts { id: number; apartments: number; housingOfficeId: number | null; districtId: number | null }

export function cityRepo(db: Db) {
  return {
    /** A building's housing office and district (the district from the map when the row has none). */
    buildingFacts: (id: number) =>
      db.oneOrNone<BuildingFacts>({ name: 'city-building-facts', values: [id], text: `
        SELECT b.id, b.apartments, b.housing_office_id AS "housingOfficeId",
               coalesce(b.district_id, (SELECT d.id FROM district d WHERE ST_Intersects(d.geom, b.centroid) LIMIT 1)) AS "districtId"
          FROM building b WHERE b.id = $1` }),

    /** The district a point lies in. */
    districtAt: (p: { lon: number; lat: number }) =>
      db.oneOrNone<{ id: number }>({ name: 'city-district-at', values: [p.lon, p.lat], text: `
        SELECT d.id FROM district d WHERE ST_Intersects(d.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1` })
        .then((r) => r?.id ?? null),

    /** Public counts for the landing page; reltuples is exact enough and instant on a Kyiv-sized city. */
    summary: () =>
      db.one<{ buildings: number; residents: number; objects: number; appeals: number }>(`
        SELECT (SELECT count(*)::int FROM building) AS buildings,
               (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'resident'::regclass) AS residents,
               (SELECT count(*)::int FROM infra_object) AS objects,
               (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'appeal'::regclass) AS appeals`),
    /** The city's districts by name (filters and pickers). */
    districts: () => db.any<{ id: number; name: string; nameEn: string | null }>('SELECT id, name, name_en AS "nameEn" FROM district ORDER BY name'),
  };
}
export type CityRepo = ReturnType<typeof cityRepo>;
