// Wires repositories and services once per process. Each service gets only what it uses.
import type { Db } from './db/db.ts';
import { config as defaultConfig } from './config.ts';
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

export type Config = typeof defaultConfig;

export function createServices(db: Db, config: Config = defaultConfig) {
  const catalogue = catalogueService(catalogueRepo(db));
  const residents = residentsService(db);
  return {
    db,
    config,
    auth: authService(authRepo(db), { sessionDays: config.sessionDays }),
    city: cityRepo(db),
    catalogue,
    appeals: appealsService(appealsRepo(db), catalogue, { numberPrefix: config.appealNumberPrefix }),
    residentRegistry: residentRegistry(residentsRepo(db)),
    geocode: geocodeService(geocodeRepo(db)),
    objects: objectsRepo(db),
    announcements: announcementsService(db, { publicUrl: config.publicUrl }),
    residents,
    telephony: telephonyService(db, config, residents),
    tiles: tileService(db, tilesRepo(db), loadRegistry(), { cacheBytes: config.tileCacheBytes, cacheControl: config.tileCacheControl }),
  };
}
export type Services = ReturnType<typeof createServices>;
