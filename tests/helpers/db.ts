// Real PostGIS for tests: one project-local test cluster (separate from the dev data), and a
// fresh database per test file, migrated from the real migrations.
import { join } from 'node:path';
import { config } from '../../server/config.ts';
import { startCluster, clusterUrl } from '../../server/db/cluster.ts';
import { connect, connectForMaintenance, type Db } from '../../server/db/db.ts';
import { migrate } from '../../server/db/migrate.ts';

export const TEST_CLUSTER = { dir: join(config.dataDir, 'test-pg'), port: Number(process.env.TEST_PG_PORT ?? 54339) };

const open: Db[] = [];
/** Databases this process made; dropped when the run ends, so the test cluster does not fill up. */
const made: string[] = [];
/** What tests opened besides pools (services' change listeners), closed before the databases go. */
const cleanups: (() => Promise<unknown>)[] = [];
export const onCloseAll = (fn: () => Promise<unknown>) => { cleanups.push(fn); };
let adminDb: Db | undefined;
let counter = 0;

/** The maintenance connection of the test cluster (creates it on first use). */
export function admin(): Db {
  if (!adminDb) {
    // The unit tier runs where there is no PostgreSQL: starting the cluster would install one.
    if (process.env.MISTO_TESTS_WITHOUT_DB) throw new Error('A unit test asked for the test database: tests/unit must run without PostgreSQL');
    startCluster({ ...TEST_CLUSTER, database: 'postgres' });
    adminDb = connectForMaintenance(clusterUrl({ ...TEST_CLUSTER, database: 'postgres' }), 4);
    open.push(adminDb);
  }
  return adminDb;
}

export function urlOf(name: string) {
  return clusterUrl({ ...TEST_CLUSTER, database: name });
}

/** A new empty database (no migrations), unique to this process. */
export async function emptyDb(label: string): Promise<{ db: Db; url: string; name: string }> {
  const name = `t_${label.replace(/\W/g, '_')}_${process.pid}_${counter++}`.toLowerCase();
  await admin().none('DROP DATABASE IF EXISTS $1:name', [name]);
  await admin().none('CREATE DATABASE $1:name', [name]);
  made.push(name);
  const url = urlOf(name);
  const db = connect(url, 10);
  open.push(db);
  return { db, url, name };
}

/** A new database with every migration applied. */
export async function migratedDb(label: string) {
  const res = await emptyDb(label);
  await migrate(res.db);
  return res;
}

/** A copy of a template database (fast: file-level copy), e.g. a seeded demo city. */
export async function cloneDb(template: string, label: string) {
  const name = `t_${label.replace(/\W/g, '_')}_${process.pid}_${counter++}`.toLowerCase();
  await admin().none('DROP DATABASE IF EXISTS $1:name', [name]);
  await admin().none('CREATE DATABASE $1:name TEMPLATE $2:name', [name, template]);
  made.push(name);
  const url = urlOf(name);
  const db = connect(url, 10);
  open.push(db);
  return { db, url, name };
}

export async function closeAll() {
  for (const fn of cleanups.splice(0)) await fn().catch(() => {});
  const maintenance = adminDb;
  await Promise.all(open.filter((db) => db !== maintenance).map((db) => db.$pool.end().catch(() => {})));
  // pg-pool's end() resolves once every client was told to end, not once their sockets have closed:
  // wait for those backends to go, or DROP … WITH (FORCE) ends them mid-goodbye and the driver throws.
  for (let i = 0; maintenance && made.length && i < 40; i++) {
    const left = await maintenance.one<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ANY($1)', [made]).catch(() => ({ n: 0 }));
    if (!left.n) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const name of made.splice(0)) await maintenance?.none('DROP DATABASE IF EXISTS $1:name WITH (FORCE)', [name]).catch(() => {});
  await maintenance?.$pool.end().catch(() => {});
  open.length = 0;
  adminDb = undefined;
}
