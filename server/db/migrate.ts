// Numbered plain-SQL migrations: applied in order, each in its own transaction, recorded with a
// checksum. An already-applied file that changed is refused: fix forward with a new file.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../config.ts';
import type { Db } from './db.ts';

export const migrationsDir = join(root, 'migrations');
const LOCK_KEY = 1580_1551; // one migrator at a time across instances

export interface Migration { version: number; name: string; sql: string; checksum: string }

export class MigrationError extends Error {}

export function loadMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .map((f) => {
      const sql = readFileSync(join(dir, f), 'utf8');
      return { version: parseInt(f, 10), name: f, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(db: Db, dir = migrationsDir, log: (m: string) => void = () => {}): Promise<string[]> {
  const migrations = loadMigrations(dir);
  const seen = new Set<number>();
  for (const m of migrations) {
    if (seen.has(m.version)) throw new MigrationError(`Two migrations share number ${m.version}`);
    seen.add(m.version);
  }
  return db.task('migrate', async (t) => {
    await t.one('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await t.none(`CREATE TABLE IF NOT EXISTS schema_migration (
        version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      const applied = new Map<number, { name: string; checksum: string }>(
        (await t.any('SELECT version, name, checksum FROM schema_migration')).map((r) => [r.version, r]),
      );
      for (const m of migrations) {
        const done = applied.get(m.version);
        if (done && done.checksum !== m.checksum) {
          throw new MigrationError(`Migration ${m.name} was changed after it was applied (checksum differs). ` +
            'Applied migrations are immutable: revert the file and add a new migration instead.');
        }
      }
      const names: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        log(`migrate: applying ${m.name}`);
        await t.tx(async (tx) => {
          await tx.none(m.sql);
          await tx.none('INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
        });
        names.push(m.name);
      }
      return names;
    } finally {
      await t.one('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
}
