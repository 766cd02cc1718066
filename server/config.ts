// Every environment variable the product reads, in one place (the README lists them too).
// Settings come from the environment, or from an env file: MISTO_ENV_FILE, else `.env` in the
// checkout when it exists. A variable already set in the environment wins over the file.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

const envFile = process.env.MISTO_ENV_FILE || join(root, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);
else if (process.env.MISTO_ENV_FILE) throw new Error(`MISTO_ENV_FILE=${envFile} does not exist`);

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}
const path = (name: string, fallback: string) => (process.env[name] ? resolve(root, process.env[name]!) : fallback);

const dataDir = path('DATA_DIR', join(root, '.data'));
const port = int('PORT', 3000);

export const config = {
  port,
  host: process.env.HOST ?? '0.0.0.0',
  /** An existing PostGIS; when unset the project runs its own cluster in pgDir. */
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir,
  /** The project's own cluster. As root, a folder the postgres user cannot reach becomes a link to
   *  /var/lib/misto/clusters/… (server/db/cluster.ts). Older checkouts kept it in DATA_DIR itself. */
  pgDir: path('PG_DIR', existsSync(join(dataDir, 'pgdata', 'PG_VERSION')) ? dataDir : join(dataDir, 'pg')),
  pgPort: int('PG_PORT', 54329),
  /** The product's connection pool and the limits on every statement it runs. */
  db: {
    poolSize: int('DB_POOL_SIZE', 20),
    statementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 15_000),
    lockTimeoutMs: int('DB_LOCK_TIMEOUT_MS', 5_000),
    poolTimeoutMs: int('DB_POOL_TIMEOUT_MS', 5_000),
    idleInTransactionMs: int('DB_IDLE_IN_TRANSACTION_MS', 60_000),
    // Keep connections warm: opening one costs a SCRAM exchange (thousands of hash rounds on both
    // sides), which under load showed up as pool churn every 10 s, pg-pool's default.
    idleMs: int('DB_POOL_IDLE_MS', 300_000),
  },
  /** Where the DejaVu fonts for the map's label glyphs are (Debian's fonts-dejavu-core). */
  fontDir: process.env.FONT_DIR || '/usr/share/fonts/truetype/dejavu',
  /** Seed preset loaded into an empty database on start ("none" to skip). */
  seedPreset: process.env.SEED_PRESET ?? 'default',
  sessionDays: int('SESSION_DAYS', 7),
  /** A session unused this long ends before its lifetime (a stream's keep-alive is not use). */
  sessionIdleMinutes: int('SESSION_IDLE_MINUTES', 120),
  /** Mark cookies Secure (set behind HTTPS). */
  secureCookies: process.env.SECURE_COOKIES === '1',
  /** Behind a reverse proxy: trust its X-Forwarded-* headers. */
  trustProxy: process.env.TRUST_PROXY === '1',
  /** Where residents and staff reach the product: links in mail, tile URLs, the origin state changes must come from. */
  publicUrl: process.env.PUBLIC_URL ?? `http://localhost:${port}`,
  /** Other origins whose pages may change state (comma-separated), e.g. a second public name. */
  allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  recordingsDir: path('RECORDINGS_DIR', join(dataDir, 'recordings')),
  /** Without SMTP_URL, mail is written here as .eml files. */
  mailDir: join(dataDir, 'mail'),
  /** Rendered label glyphs (server/tiles/style/glyphs.ts) are cached here. */
  glyphDir: join(dataDir, 'glyphs'),
  backupDir: path('BACKUP_DIR', join(dataDir, 'backups')),
  tileUrl: process.env.TILE_URL ?? '',
  tileCacheBytes: int('TILE_CACHE_MB', 256) * 1024 * 1024,
  tileCacheControl: process.env.TILE_CACHE_CONTROL ?? 'public, max-age=60',
  smtpUrl: process.env.SMTP_URL ?? '',
  /** Confirmation mails of subscriptions: at most this many to one address a day, and asked by one client an hour. */
  mailLimits: {
    perAddress: { max: int('CONFIRMATION_MAILS_PER_ADDRESS', 3), windowS: 24 * 3600 },
    perClient: { max: int('CONFIRMATION_MAILS_PER_CLIENT', 10), windowS: 3600 },
  },
  /** The web intake (/report, docs/web-intake.md). */
  intake: {
    photoMaxBytes: int('REPORT_PHOTO_MAX_MB', 8) * 1024 * 1024,
    photoDir: path('PHOTO_DIR', join(dataDir, 'photos')),
    /** Open appeals of the same category this close (metres) and this recent (days) are suggested as duplicates. */
    duplicateMetres: int('REPORT_DUPLICATE_M', 150),
    duplicateDays: int('REPORT_DUPLICATE_DAYS', 14),
    /** The mailed tracking link works this many days after the appeal was sent. */
    trackDays: int('REPORT_TRACK_DAYS', 365),
    /** Appeals sent with one e-mail address a day, and from one client address an hour. */
    perEmail: { max: int('REPORTS_PER_EMAIL', 5), windowS: 24 * 3600 },
    perClient: { max: int('REPORTS_PER_CLIENT', 10), windowS: 3600 },
  },
  mailFrom: process.env.MAIL_FROM ?? 'Misto 15-80 <noreply@misto.local>',
  /** The executors' digests and overdue lists (server/jobs/): times of day in Europe/Kyiv. */
  jobs: {
    digestTimes: process.env.DIGEST_TIMES ?? '07:00,19:00',
    overdueTimes: process.env.OVERDUE_TIMES ?? '08:00',
    /** Copied on the daily overdue lists. */
    supervisorEmail: process.env.SUPERVISOR_EMAIL ?? '',
    /** How often pending notices of new and returned appeals are turned into mail. */
    noticeEveryMs: int('NOTICE_EVERY_MS', 15_000),
  },
  /** Appeal numbers read "<prefix>/<year>/<000123>": the city's hotline (15-80, 1551). Empty: the
   *  prefix of the database's latest appeal (a seeded Kyiv says 1551), else 15-80. */
  appealNumberPrefix: process.env.APPEAL_NUMBER_PREFIX ?? '',
  /** An ended call may be attached to a new appeal (which then lists its recording) this long after it ended. */
  callAttachHours: int('CALL_ATTACH_HOURS', 2),
  ami: {
    host: process.env.AMI_HOST ?? '',
    port: int('AMI_PORT', 5038),
    user: process.env.AMI_USER ?? 'misto',
    secret: process.env.AMI_SECRET ?? 'misto',
    /** Demo mode (no AMI_HOST): the built-in PBX simulator's loopback port (0: any free port). */
    simPort: int('AMI_SIM_PORT', 0),
    /** Who starts MixMonitor: the dialplan (shipped extensions.conf), the product via AMI, or off. */
    record: (process.env.AMI_RECORD ?? 'dialplan') as 'dialplan' | 'ami' | 'off',
    /** Dialplan contexts where the city's calls enter (comma-separated). */
    inboundContexts: (process.env.AMI_INBOUND_CONTEXTS ?? 'misto-incoming').split(',').map((s) => s.trim()).filter(Boolean),
    pingMs: int('AMI_PING_MS', 5000),
    /** Between connection attempts while the PBX refuses or is unreachable (a failed login backs off). */
    probeMs: int('AMI_PROBE_MS', 250),
    /** The queue's wrapuptime (queues.conf): an operator is in wrap-up this long after a call. */
    wrapupSeconds: int('QUEUE_WRAPUP_S', 10),
  },
  /** Survey calls after "done" and control calls of closed appeals (docs/telephony.md, "Survey calls"). */
  survey: {
    /** 0 stops this process from scheduling and dialling (another one may). */
    enabled: process.env.SURVEY_ENABLED !== '0',
    delayMinutes: int('SURVEY_DELAY_MIN', 60),
    /** Calling hours on the city's clock, [from, to). */
    hours: process.env.SURVEY_HOURS ?? '09:00-20:00',
    /** Outbound channels on the line at once, counted across every server process. */
    channels: int('SURVEY_CHANNELS', 4),
    /** The dial string; {number} is the national form of the resident's number. */
    dial: process.env.SURVEY_DIAL ?? 'PJSIP/{number}@city-trunk',
    callerId: process.env.SURVEY_CALLER_ID ?? '"15-80" <1580>',
    context: process.env.SURVEY_CONTEXT ?? 'misto-survey',
    ringSeconds: int('SURVEY_RING_S', 30),
    maxCallSeconds: int('SURVEY_MAX_CALL_S', 120),
    /** A "done" older than this when first seen gets no call (history loaded into a new database). */
    maxAgeHours: int('SURVEY_MAX_AGE_H', 72),
    /** <outcome>:<attempts in total>@<minutes until the next>, comma-separated. */
    retry: process.env.SURVEY_RETRY ?? 'no_input:2@120,no_pickup:3@60,busy:3@15,failed:3@30',
    /** Not confirmed → Control, due again this many hours later. */
    controlDueHours: int('SURVEY_CONTROL_DUE_H', 72),
    /** The share of closed appeals that get a control call, and overrides per category/executor code. */
    controlShare: process.env.SURVEY_CONTROL_SHARE ?? '0.05',
    controlShares: process.env.SURVEY_CONTROL_SHARES ?? '',
    tickMs: int('SURVEY_TICK_MS', 2000),
  },
  http: {
    /** Longest a client may take to send its request. */
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 60_000),
    keepAliveTimeoutMs: int('HTTP_KEEPALIVE_TIMEOUT_MS', 5_000),
    /** On SIGTERM, in-flight requests get this long to finish. */
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000),
  },
  /** Open311 GeoReport v2 (docs/open311.md). */
  open311: {
    /** The one jurisdiction this server answers for; a request naming another is refused. */
    jurisdictionId: process.env.OPEN311_JURISDICTION_ID ?? 'misto',
    /** Requests per minute one API key may make, counted across every instance. */
    ratePerMinute: int('OPEN311_RATE_PER_MINUTE', 60),
    /** The discovery document's contact and where keys are asked for. */
    contact: process.env.OPEN311_CONTACT ?? 'Контакт-центр 15-80, 1580@misto.local',
    keyService: process.env.OPEN311_KEY_SERVICE ?? 'Ключ API видає адміністратор Місто (1580@misto.local)',
  },
  /** Bearer token for GET /metrics; unset: served to loopback callers only. */
  metricsToken: process.env.METRICS_TOKEN ?? '',
  /** Screen-pop stream keep-alive; a signed-out operator's stream is closed within this time. */
  sseHeartbeatMs: int('SSE_HEARTBEAT_MS', 20_000),
};
export type Config = typeof config;

/** The project's own PostgreSQL cluster (when DATABASE_URL is unset). */
export const projectCluster = (database = 'misto') => ({ dir: config.pgDir, port: config.pgPort, database });
