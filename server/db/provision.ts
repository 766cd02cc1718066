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

/**
 * Creates the database a URL names when its server has none of that name (the role needs CREATEDB;
 * otherwise the error says what to ask the DBA for). Tools that take `--database-url` call it first.
 */
export async function ensureDatabase(url: string, log: (m: string) => void = console.log) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = connectForMaintenance(server.toString(), 1);
  try {
    if (await admin.oneOrNone('SELECT 1 FROM pg_database WHERE datname = $1', [name])) return;
    await admin.none('CREATE DATABASE $1:name', [name]);
    log(`Created database "${name}"`);
  } catch (e) {
    throw new Error(`database "${name}" does not exist and could not be created: ${(e as Error).message}`);
  } finally {
    await admin.$pool.end();
  }
}

/** Held while an instance prepares the database: a second instance starting at once waits, then finds it ready. */
const PREPARE_LOCK = 1580_1552;

/** Extensions and pending migrations; `then` runs more schema-level work on the same connection. */
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
