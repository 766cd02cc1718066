// Wires repositories and services once per process. Each service gets only what it uses.
import type { Db } from './db/db.ts';
import { config as defaultConfig, type Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { authRepo } from './auth/auth.repo.ts';
import { authService } from './auth/auth.service.ts';
import { cityRepo } from './city/city.repo.ts';
import { catalogueRepo } from './catalogue/catalogue.repo.ts';
import { catalogueService } from './catalogue/catalogue.service.ts';
import { appealsRepo } from './appeals/appeals.repo.ts';
import { appealsService } from './appeals/appeals.service.ts';
import { residentsRepo } from './residents/residents.repo.ts';
import { residentRegistry } from './residents/registry.service.ts';
import { geocodeRepo } from './geocode/geocode.repo.ts';
import { geocodeService } from './geocode/geocode.service.ts';
import { objectsRepo } from './objects/objects.repo.ts';
import { announcementsService } from './announcements/announcements.service.ts';
import { tilesRepo } from './tiles/tiles.repo.ts';
import { tileService } from './tiles/tiles.service.ts';
import { loadRegistry } from './tiles/registry.ts';
import { residentsService } from './residents/residents.service.ts';
import { telephonyService } from './telephony/telephony.service.ts';
import { createMetrics } from './observe/metrics.ts';

export type { Config };

export interface ServiceOptions {
  /** Where "now" comes from; tests and benchmarks pass a clock of their own. */
  clock?: Clock;
}

export function createServices(db: Db, config: Config = defaultConfig, opts: ServiceOptions = {}) {
  const clock = opts.clock ?? systemClock;
  const catalogue = catalogueService(catalogueRepo(db), clock);
  const residents = residentsService(db, clock);
  const metrics = createMetrics();
  const telephony = telephonyService(db, config, residents, clock);
  const tiles = tileService(db, tilesRepo(db), loadRegistry(), { cacheBytes: config.tileCacheBytes, cacheControl: config.tileCacheControl });
  metrics.sources.tiles = tiles.stats;
  metrics.sources.ami = telephony.link;
  metrics.sources.pool = () => ({ total: db.$pool.totalCount, idle: db.$pool.idleCount, waiting: db.$pool.waitingCount, max: db.$pool.options.max });
  return {
    db,
    config,
    clock,
    metrics,
    auth: authService(authRepo(db), { sessionDays: config.sessionDays, clock }),
    city: cityRepo(db),
    catalogue,
    appeals: appealsService(appealsRepo(db), catalogue, { numberPrefix: config.appealNumberPrefix, clock }),
    residentRegistry: residentRegistry(residentsRepo(db)),
    geocode: geocodeService(geocodeRepo(db)),
    objects: objectsRepo(db),
    announcements: announcementsService(db, { publicUrl: config.publicUrl, clock }),
    residents,
    telephony,
    tiles,
    /** Closes what the services hold open besides the pool: change listeners, the PBX link. */
    async close() {
      await Promise.all([catalogue.close(), tiles.close(), telephony.stop()]);
    },
  };
}
export type Services = ReturnType<typeof createServices>;
