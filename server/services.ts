// Wires repositories and services once per process. Every repository is built once over the pool;
// each service is given the repositories (and services) it uses — none is given the pool itself.
import { companionPool, type Db } from './db/db.ts';
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
import { residentsService } from './residents/residents.service.ts';
import { geocodeRepo } from './geocode/geocode.repo.ts';
import { geocodeService } from './geocode/geocode.service.ts';
import { objectsRepo } from './objects/objects.repo.ts';
import { announcementsRepo } from './announcements/announcements.repo.ts';
import { announcementsService } from './announcements/announcements.service.ts';
import { tilesRepo } from './tiles/tiles.repo.ts';
import { tileService } from './tiles/tiles.service.ts';
import { loadRegistry } from './tiles/registry.ts';
import { popPathRepo, telephonyRepo } from './telephony/telephony.repo.ts';
import { telephonyService } from './telephony/telephony.service.ts';
import { callStatsRepo } from './telephony/call-stats.repo.ts';
import { callStatsService } from './telephony/call-stats.service.ts';
import { healthRepo } from './health/health.repo.ts';
import { auditRepo } from './audit/audit.repo.ts';
import { auditService } from './audit/audit.service.ts';
import { jobsRepo } from './jobs/jobs.repo.ts';
import { surveysRepo } from './surveys/surveys.repo.ts';
import { appealStatsRepo } from './stats/appeal-stats.repo.ts';
import { appealStatsService } from './stats/appeal-stats.service.ts';
import { surveySettings, surveysService } from './surveys/surveys.service.ts';
import { adminService } from './admin/admin.service.ts';
import { planningRepo } from './planning/planning.repo.ts';
import { planningService } from './planning/planning.service.ts';
import { liveDashboard } from './planning/live-dashboard.ts';
import { logger } from './observe/log.ts';
import { createMetrics } from './observe/metrics.ts';
import { intakeRepo } from './intake/intake.repo.ts';
import { intakeService } from './intake/intake.service.ts';
import { open311Repo } from './open311/open311.repo.ts';
import { open311Service } from './open311/open311.service.ts';
import { apiKeys } from './open311/api-keys.ts';

export type { Config };

export interface ServiceOptions {
  /** Where "now" comes from; tests and benchmarks pass a clock of their own. */
  clock?: Clock;
}

/** Every domain's repository over one pool. */
export function createRepos(db: Db) {
  return {
    auth: authRepo(db),
    city: cityRepo(db),
    catalogue: catalogueRepo(db),
    appeals: appealsRepo(db),
    residents: residentsRepo(db),
    geocode: geocodeRepo(db),
    objects: objectsRepo(db),
    announcements: announcementsRepo(db),
    telephony: telephonyRepo(db),
    callStats: callStatsRepo(db),
    tiles: tilesRepo(db),
    health: healthRepo(db),
    jobs: jobsRepo(db),
    surveys: surveysRepo(db),
    intake: intakeRepo(db),
    open311: open311Repo(db),
    planning: planningRepo(db),
    appealStats: appealStatsRepo(db),
    audit: auditRepo(db),
  };
}
export type Repos = ReturnType<typeof createRepos>;

export function createServices(db: Db, config: Config = defaultConfig, opts: ServiceOptions = {}) {
  const clock = opts.clock ?? systemClock;
  const repos = createRepos(db);
  const metrics = createMetrics();
  const catalogue = catalogueService(repos.catalogue, clock);
  const residents = residentsService({ residents: repos.residents, appeals: repos.appeals, announcements: repos.announcements, city: repos.city, clock });
  const appeals = appealsService({
    appeals: repos.appeals, residents: repos.residents, city: repos.city, objects: repos.objects, calls: repos.telephony,
    catalogue, clock, numberPrefix: config.appealNumberPrefix, callAttachHours: config.callAttachHours,
    callWritten: (id) => telephony.tracker.written(id),
  });
  const announcements = announcementsService(repos.announcements, { publicUrl: config.publicUrl, clock, mailLimits: config.mailLimits });
  const callStats = callStatsService(repos.callStats, clock);
  const live = liveDashboard({
    repo: repos.planning, clock, callsToday: (now) => callStats.today(now),
    log: (m) => logger.child({ component: 'live-dashboard' }).warn(m),
  });
  // Screen pops read the caller's card and call ids on a pool of their own: never behind call-log writes.
  const popDb = companionPool(db, 4, 'pops');
  const popRepos = createRepos(popDb);
  const popCards = residentsService({ residents: popRepos.residents, appeals: popRepos.appeals, announcements: popRepos.announcements, city: popRepos.city, clock });
  const telephony = telephonyService({
    repo: repos.telephony, popPath: popPathRepo(popDb), card: (phone) => popCards.callerCard(phone), appeals: repos.appeals,
    today: (now) => callStats.today(now), config, clock,
  });
  const auth = authService(repos.auth, { sessionDays: config.sessionDays, idleMinutes: config.sessionIdleMinutes, clock });
  const tiles = tileService(db, repos.tiles, loadRegistry(), { cacheBytes: config.tileCacheBytes, cacheControl: config.tileCacheControl });
  metrics.sources.tiles = tiles.stats;
  metrics.sources.ami = telephony.link;
  metrics.sources.pool = () => ({ total: db.$pool.totalCount, idle: db.$pool.idleCount, waiting: db.$pool.waitingCount, max: db.$pool.options.max });
  return {
    db,
    repos,
    config,
    clock,
    metrics,
    auth,
    admin: adminService({ users: repos.auth, inQueue: (raw) => telephony.inQueue(raw) }),
    city: repos.city,
    catalogue,
    appeals,
    geocode: geocodeService(repos.geocode),
    objects: repos.objects,
    announcements,
    residents,
    telephony,
    /** The contact centre's statistics; `today` feeds the supervisor's wallboard. */
    callStats,
    /** Survey and control calls: the scheduler (server/surveys/worker.ts) and report 3. */
    surveys: surveysService({ repo: repos.surveys, clock, settings: surveySettings(config.survey), publicUrl: config.publicUrl }),
    /** Report 2, the top-10s and the ratings, from the rollups of migration 120. */
    appealStats: appealStatsService(repos.appealStats, clock),
    tiles,
    /** The web intake (/report): residents' own appeals, photos, tracking links. */
    intake: intakeService({ repo: repos.intake, appeals, catalogue, clock, settings: { ...config.intake, get publicUrl() { return config.publicUrl; } } }),
    /** Open311 GeoReport v2 (server/open311) and the API keys of its clients. */
    apiKeys: apiKeys(repos.open311, { clock, ratePerMinute: config.open311.ratePerMinute }),
    open311: open311Service({ repo: repos.open311, catalogue, geocode: geocodeService(repos.geocode), appeals, clock, config }),
    /** Planners' maps (hexagons, districts, hotspots, calls inside announcements) and the mayor's live dashboard. */
    planning: planningService(repos.planning),
    live,
    /** Reads of personal data and changes, appended by the access guard (vocabulary/access.ts). */
    audit: auditService(repos.audit, clock),
    /** Closes what the services hold open besides the pool: change listeners, the PBX link. */
    async close() {
      await Promise.all([catalogue.close(), tiles.close(), telephony.stop(), auth.close(), live.stop()]);
      await popDb.$pool.end();
    },
  };
}
export type Services = ReturnType<typeof createServices>;
