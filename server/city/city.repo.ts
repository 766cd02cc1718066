import type { Db } from '../db/db.ts';

export function cityRepo(db: Db) {
  return {
    /** Public counts for the landing page; reltuples is exact enough and instant on a Kyiv-sized city. */
    summary: () =>
      db.one<{ buildings: number; residents: number; objects: number; appeals: number }>(`
        SELECT (SELECT count(*)::int FROM building) AS buildings,
               (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'resident'::regclass) AS residents,
               (SELECT count(*)::int FROM infra_object) AS objects,
               (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'appeal'::regclass) AS appeals`),
  };
}
export type CityRepo = ReturnType<typeof cityRepo>;
