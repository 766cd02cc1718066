// Finds or starts the database, then makes sure the extensions and migrations are in place.
// Schema work runs on a maintenance connection without statement timeouts (a migration or the demo
// city's seeding may take minutes on a Kyiv-sized city); the product's own pool has the limits.
import { config, projectCluster } from '../config.ts';
import { startCluster } from './cluster.ts';
import { connect, connectForMaintenance, type Db } from './db.ts';
import { migrate } from './migrate.ts';

export function databaseUrl(log: (m: string) => void = console.log): string {
  if (config.databaseUrl) return config.databaseUrl;
  return startCluster({ ...projectCluster(), log });
}

/** Extensions and pending migrations; `then` runs more schema-level work on the same connection. */
/** Held while an instance prepares the database: a second instance starting at once waits, then finds it ready. */
const PREPARE_LOCK = 1580_1552;

export async function prepareDatabase(url: string, log: (m: string) => void = console.log, then?: (db: Db) => Promise<void>) {
  const db = connectForMaintenance(url, 3);
  try {
    await db.task('prepare', async (lock) => {
      await lock.one('SELECT pg_advisory_lock($1)', [PREPARE_LOCK]);
      try {
        // On an existing PostGIS the extensions may need creating before the first migration.
        await db.none('CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm');
        const applied = await migrate(db, undefined, log);
        if (applied.length) log(`Applied ${applied.length} migration(s)`);
        await then?.(db);
      } finally {
        await lock.one('SELECT pg_advisory_unlock($1)', [PREPARE_LOCK]);
      }
    });
  } finally {
    await db.$pool.end();
  }
}

/** The product's pool, with the configured size and timeouts. */
export const openPool = (url: string) => connect(url, config.db.poolSize, config.db);

/** For command-line tools: the prepared database on a maintenance connection (no timeouts). */
export async function openDatabase(log: (m: string) => void = console.log): Promise<Db> {
  const url = databaseUrl(log);
  await prepareDatabase(url, log);
  return connectForMaintenance(url);
}
