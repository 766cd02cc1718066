// Finds or starts the database, then makes sure the extensions and migrations are in place.
import { config, projectCluster } from '../config.ts';
import { startCluster } from './cluster.ts';
import { connect, type Db } from './db.ts';
import { migrate } from './migrate.ts';

export function databaseUrl(log: (m: string) => void = console.log): string {
  if (config.databaseUrl) return config.databaseUrl;
  return startCluster({ ...projectCluster(), log });
}

export async function openDatabase(log: (m: string) => void = console.log): Promise<Db> {
  const db = connect(databaseUrl(log));
  // On an existing PostGIS the extensions may need creating before the first migration.
  await db.none('CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm');
  const applied = await migrate(db, undefined, log);
  if (applied.length) log(`Applied ${applied.length} migration(s)`);
  return db;
}
