// npm run seed -- --preset default|small|kyiv [--seed N] [--now ISO] [--database-url URL] [--replace]
// Loads a deterministic demo city (same preset + seed + now → the same rows) with COPY.
import { parseArgs } from 'node:util';
import { connectForMaintenance } from '../server/db/db.ts';
import { ensureDatabase, openDatabase } from '../server/db/provision.ts';
import { migrate } from '../server/db/migrate.ts';
import { seedCity, describe, SeedRefused } from './generator/load.ts';
import { PRESETS } from './generator/presets.ts';
import { fmtDuration } from './progress.ts';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'default' },
    seed: { type: 'string', default: '1580' },
    now: { type: 'string' },
    'database-url': { type: 'string' },
    replace: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run seed -- [--preset ${Object.keys(PRESETS).join('|')}] [--seed N] [--now ISO] [--database-url URL] [--replace]`);
  process.exit(0);
}
if (!PRESETS[values.preset!]) { console.error(`Unknown preset "${values.preset}". Presets: ${Object.keys(PRESETS).join(', ')}`); process.exit(2); }
const now = values.now ? new Date(values.now) : new Date();
if (Number.isNaN(now.getTime())) { console.error(`--now must be an ISO date, got "${values.now}"`); process.exit(2); }

const t0 = Date.now();
const log = (m: string) => console.error(m);
let db;
if (values['database-url']) {
  await ensureDatabase(values['database-url'], log).catch((e: Error) => { console.error(e.message); process.exit(1); });
  db = connectForMaintenance(values['database-url'], 4);
  await db.none('CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await migrate(db, undefined, log);
} else {
  db = await openDatabase(log);
}
try {
  const report = await seedCity(db, { preset: values.preset!, seed: values.seed, now, replace: values.replace, log });
  console.log(describe(report));
  console.log(`Total time: ${fmtDuration(Date.now() - t0)}`);
} catch (e) {
  if (e instanceof SeedRefused) { console.error(e.message); process.exitCode = 1; }
  else throw e;
} finally {
  await db.$pool.end();
}
