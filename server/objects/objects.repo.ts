// Infrastructure objects as the map's popup shows them: public data, the responsible
// organisation's public contacts only.
import type { Db } from '../db/db.ts';

export interface InfraObjectCard {
  id: number;
  kind: string;
  name: string | null;
  address: string | null;
  attributes: Record<string, unknown>;
  organisation: { id: number; code: string; name: string; nameEn: string | null; phone: string | null; email: string | null } | null;
  district: string | null;
  geometryType: string;
  lon: number;
  lat: number;
  updatedAt: string;
}

export function objectsRepo(db: Db) {
  return {
    /** Where an object is, as a point (an area's point on its surface). */
    point: (id: number) =>
      db.oneOrNone<{ lon: number; lat: number }>({ name: 'objects-point', values: [id], text: `
        SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM infra_object WHERE id = $1) x` }),

    byId: (id: number) =>
      db.oneOrNone<InfraObjectCard>(`
        SELECT o.id, o.kind, o.name, o.address, o.attributes,
               CASE WHEN e.id IS NULL THEN NULL ELSE json_build_object(
                 'id', e.id, 'code', e.code, 'name', e.name, 'nameEn', e.name_en, 'phone', e.phone, 'email', e.email) END AS organisation,
               (SELECT d.name FROM district d WHERE ST_Intersects(d.geom, p.pt) LIMIT 1) AS district,
               GeometryType(o.geom) AS "geometryType",
               round(ST_X(p.pt)::numeric, 7)::float8 AS lon, round(ST_Y(p.pt)::numeric, 7)::float8 AS lat,
               o.updated_at AS "updatedAt"
          FROM infra_object o
          CROSS JOIN LATERAL (SELECT CASE WHEN GeometryType(o.geom) = 'POINT' THEN o.geom ELSE ST_PointOnSurface(o.geom) END AS pt) p
          LEFT JOIN executor e ON e.id = o.organisation_id
         WHERE o.id = $1`, [id]),
  };
}
export type ObjectsRepo = ReturnType<typeof objectsRepo>;
