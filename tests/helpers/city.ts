// The demo city for tests: `demoCity(label)` is a fresh copy of a template database seeded once
// with the default preset, a fixed seed and a fixed "now" (a file-level copy takes a second or
// two). The template is rebuilt when the generator's source changes (its name carries a hash of
// gis-data/generator/*.ts), and migrated forward when migrations are added; an advisory lock keeps
// two test processes from building or copying it at the same time.
//
// Data are relative to DEMO_NOW: appeals cover the year before it, some announcements are active
// at it and others start within the week after it. Pass DEMO_NOW where your code takes "now".
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../server/config.ts';
import { connectForMaintenance } from '../../server/db/db.ts';
import { migrate, MigrationError } from '../../server/db/migrate.ts';
import { admin, cloneDb, urlOf } from './db.ts';
import { seedCity } from '../../gis-data/generator/load.ts';
import { Progress } from '../../gis-data/progress.ts';
import { TEST_NOW } from './clock.ts';

/** The demo city's "now": the instant every test runs at (tests/helpers/clock.ts). */
export const DEMO_NOW = TEST_NOW;
export const DEMO_SEED = '1580';
export const DEMO_PRESET = 'default';
/** Password of every demo user (admin, operator, operator2, analyst, and one per organisation code). */
export const DEMO_PASSWORD = 'misto1580';

const LOCK = 1580_0050;

function sourceHash(): string {
  const h = createHash('sha256');
  const dir = join(root, 'gis-data', 'generator');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) h.update(f).update(readFileSync(join(dir, f)));
  h.update(readFileSync(join(root, 'gis-data', 'progress.ts')));
  h.update(`${DEMO_PRESET}:${DEMO_SEED}:${DEMO_NOW.toISOString()}`);
  return h.digest('hex').slice(0, 12);
}

export const templateName = () => `city_tpl_${sourceHash()}`;

async function buildTemplate(name: string) {
  const building = `${name}_building`;
  const a = admin();
  await a.none('DROP DATABASE IF EXISTS $1:name', [building]);
  await a.none('CREATE DATABASE $1:name', [building]);
  const db = connectForMaintenance(urlOf(building), 4);
  try {
    await migrate(db);
    await seedCity(db, { preset: DEMO_PRESET, seed: DEMO_SEED, now: DEMO_NOW, progress: new Progress(undefined, false) });
  } finally {
    await db.$pool.end();
  }
  await a.none('ALTER DATABASE $1:name RENAME TO $2:name', [building, name]);
  // Older templates of the demo city are dead weight on the test cluster.
  const old = await a.any(`SELECT datname FROM pg_database WHERE datname LIKE 'city\\_tpl\\_%' AND datname <> $1`, [name]);
  for (const o of old) await a.none('DROP DATABASE IF EXISTS $1:name', [o.datname]).catch(() => {});
}

/** Makes sure the template exists and is migrated; call under the lock. */
async function ensureTemplate(): Promise<string> {
  const name = templateName();
  const exists = await admin().oneOrNone('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!exists) { await buildTemplate(name); return name; }
  const db = connectForMaintenance(urlOf(name), 1);
  try {
    await migrate(db);
  } catch (e) {
    if (!(e instanceof MigrationError)) throw e;
    // A migration was edited since the template was made: start over.
    await db.$pool.end();
    await admin().none('DROP DATABASE IF EXISTS $1:name', [name]);
    await buildTemplate(name);
    return name;
  } finally {
    await db.$pool.end().catch(() => {});
  }
  return name;
}

/** A fresh, private copy of the seeded demo city: `{ db, url, name }`. */
export async function demoCity(label: string) {
  const conn = await admin().connect();
  try {
    await conn.one('SELECT pg_advisory_lock($1)', [LOCK]);
    const template = await ensureTemplate();
    return await cloneDb(template, label);
  } finally {
    await conn.one('SELECT pg_advisory_unlock($1)', [LOCK]).catch(() => {});
    conn.done();
  }
}
