// Brings the product up the same way for `npm start` and `npm run dev`: database, migrations,
// demo city on an empty database, services, the tile sources' invalidation check, background workers.
import { config } from './config.ts';
import { databaseUrl, openPool, prepareDatabase } from './db/provision.ts';
import { createServices, type Services } from './services.ts';
import { seedIfEmpty } from '../gis-data/seed-if-empty.ts';
import { mailWorker } from './mail/worker.ts';
import { telephonyWorker } from './telephony/worker.ts';
import { jobsWorker } from './jobs/scheduler.ts';
import { surveysWorker } from './surveys/worker.ts';
import { requireTileSources } from './tiles/check-sources.ts';
import { tilesRepo } from './tiles/tiles.repo.ts';

export interface Running { services: Services; stop(): Promise<void> }

/** Background work started once per process (schedules, listeners, telephony); each returns its stop. */
type Worker = (s: Services, log: (m: string) => void) => Promise<() => Promise<void> | void> | (() => Promise<void> | void);
export const WORKERS: Worker[] = [mailWorker, telephonyWorker, jobsWorker, surveysWorker];

export async function boot(log: (m: string) => void): Promise<Running> {
  const url = databaseUrl(log);
  await prepareDatabase(url, log, (maintenance) => seedIfEmpty(maintenance, config.seedPreset, log));
  const db = openPool(url);
  const services = createServices(db, config);
  try {
    // A layer on a table without the invalidation triggers would serve stale tiles: refuse.
    await requireTileSources(tilesRepo(db), services.tiles.registry, log);
  } catch (e) {
    await services.close();
    await db.$pool.end();
    throw e;
  }
  const stops: (() => Promise<void> | void)[] = [];
  for (const start of WORKERS) stops.push(await start(services, log));
  return {
    services,
    async stop() {
      for (const s of stops.reverse()) await s();
      await services.close();
      await db.$pool.end();
    },
  };
}
