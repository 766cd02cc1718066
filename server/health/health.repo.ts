import type { Db } from '../db/db.ts';

export function healthRepo(db: Db) {
  return {
    /** One round trip that proves the database, PostGIS and the schema are there. */
    probe: () => db.one<{ postgis: string; migrations: number }>(
      `SELECT postgis_lib_version() AS postgis, (SELECT count(*)::int FROM schema_migration) AS migrations`),
  };
}
export type HealthRepo = ReturnType<typeof healthRepo>;
