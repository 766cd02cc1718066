// All SQL of the category catalogue: spheres, categories, executor rules and organisations.
import type { Db } from '../db/db.ts';
import type { DeadlineBasis, WorkCalendar } from './deadlines.ts';
import { listen, type Listener } from '../db/listen.ts';

export type ExecutorRule = 'housing_office' | 'district' | 'fixed';

export interface Category {
  id: number;
  sphereId: number;
  code: string;
  name: string;
  nameEn: string;
  executorRule: ExecutorRule;
  executorId: number | null;
  deadlineHours: number;
  /** Calendar hours, or working hours of the work calendar. */
  deadlineBasis: DeadlineBasis;
  survey: boolean;
  infraKind: string | null;
  active: boolean;
}

export interface Executor {
  id: number;
  code: string;
  name: string;
  nameEn: string | null;
  kind: 'utility' | 'housing_office' | 'city_service';
  utility: string | null;
  districtId: number | null;
  email: string | null;
  phone: string | null;
}

/** Where an appeal is: the catalogue needs its district and housing office to pick the executor. */
export interface Place { buildingId?: number | null; infraObjectId?: number | null; point?: { lon: number; lat: number } | null }

const CATEGORY_COLUMNS = `c.id, c.sphere_id AS "sphereId", c.code, c.name, c.name_en AS "nameEn",
  c.executor_rule AS "executorRule", c.executor_id AS "executorId", c.deadline_hours AS "deadlineHours",
  c.deadline_basis AS "deadlineBasis", c.survey, c.infra_kind AS "infraKind", c.active`;

const EXECUTOR_COLUMNS = `e.id, e.code, e.name, e.name_en AS "nameEn", e.kind, e.utility,
  e.district_id AS "districtId", e.email, e.phone`;

export interface CatalogueSnapshot {
  spheres: { id: number; code: string; name: string; nameEn: string }[];
  categories: (Category & { executorName: string | null })[];
  executors: Executor[];
  /** category id → district id → executor id */
  districtRules: { categoryId: number; districtId: number; executorId: number }[];
  calendar: WorkCalendar;
}

export const CATALOGUE_CHANNEL = 'misto_catalogue';

export function catalogueRepo(db: Db) {
  return {
    /** The whole catalogue in one round trip (a few hundred rows even for Kyiv). */
    snapshot: () =>
      db.one<CatalogueSnapshot>(`
        SELECT (SELECT coalesce(json_agg(x ORDER BY x.name), '[]') FROM (SELECT id, code, name, name_en AS "nameEn" FROM sphere) x) AS spheres,
               (SELECT coalesce(json_agg(x ORDER BY x.name), '[]') FROM (
                  SELECT ${CATEGORY_COLUMNS}, e.name AS "executorName" FROM category c LEFT JOIN executor e ON e.id = c.executor_id) x) AS categories,
               (SELECT coalesce(json_agg(x ORDER BY x.kind, x.name), '[]') FROM (SELECT ${EXECUTOR_COLUMNS} FROM executor e) x) AS executors,
               (SELECT coalesce(json_agg(json_build_object('categoryId', category_id, 'districtId', district_id, 'executorId', executor_id)), '[]')
                  FROM category_district_executor) AS "districtRules",
               json_build_object(
                 'week', (SELECT coalesce(json_agg(json_build_object('isodow', isodow, 'opens', opens, 'closes', closes)), '[]') FROM work_week),
                 'holidays', (SELECT coalesce(json_agg(day ORDER BY day), '[]') FROM holiday)) AS calendar`),

    /**
     * The housing office and district of a place. A building knows both; an infrastructure object
     * or a free point lies in the district whose polygon covers it.
     */
    placeFacts: (place: Place) =>
      db.oneOrNone<{ housingOfficeId: number | null; districtId: number | null }>(`
        WITH p AS (
          SELECT b.housing_office_id, b.district_id, b.centroid AS geom FROM building b WHERE b.id = $1
          UNION ALL
          SELECT NULL, NULL, ST_PointOnSurface(o.geom) FROM infra_object o WHERE $1::int IS NULL AND o.id = $2
          UNION ALL
          SELECT NULL, NULL, ST_SetSRID(ST_MakePoint($3, $4), 4326)
           WHERE $1::int IS NULL AND $2::int IS NULL AND $3::float8 IS NOT NULL
        )
        SELECT p.housing_office_id AS "housingOfficeId",
               coalesce(p.district_id, (SELECT d.id FROM district d WHERE ST_Intersects(d.geom, p.geom) LIMIT 1)) AS "districtId"
          FROM p LIMIT 1`,
        [place.buildingId ?? null, place.infraObjectId ?? null, place.point?.lon ?? null, place.point?.lat ?? null]),

    /** Calls `onChange` whenever a statement changes the catalogue, or changes may have been missed. */
    watch: (onChange: () => void, log?: (m: string) => void): Listener =>
      listen(db, [CATALOGUE_CHANNEL], () => onChange(), { log, onListening: onChange }),
  };
}
export type CatalogueRepo = ReturnType<typeof catalogueRepo>;
