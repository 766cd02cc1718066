// A project-local PostgreSQL cluster: initdb once, pg_ctl start on every boot. Loopback only, its
// own port, scram passwords; the data survive stopping the product.
//
// PostgreSQL refuses to run as root, so as root its binaries run as the `postgres` system user —
// who cannot enter a checkout under /root (mode 0700). A cluster folder that user cannot reach is
// therefore created under /var/lib/misto/clusters/ and the folder asked for becomes a symbolic link
// to it: `dir` stays the one name everything uses (DATA_DIR/pg), and the data live where PostgreSQL
// can open them.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync, mkdirSync, readFileSync, writeFileSync, chownSync, lstatSync, realpathSync, symlinkSync, unlinkSync,
} from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'misto';
/** Where clusters go when their own folder is out of the postgres user's reach. */
export const SHARED_CLUSTERS = '/var/lib/misto/clusters';

export interface ClusterOptions {
  dir: string;      // cluster home: pgdata/, run/, password, postgres.log
  port: number;
  database?: string;
  log?: (msg: string) => void;
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary; as root it runs as the `postgres` system user, as initdb demands. */
function pg(bin: string, args: string[], opts: { quiet?: boolean } = {}) {
  const cmd = join(PG_BIN, bin);
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  // cwd "/": initdb and pg_ctl change back to the directory they were started in, and the
  // postgres user may not be allowed into the caller's (a checkout under /root).
  const res = spawnSync(file, argv, { encoding: 'utf8', cwd: '/' });
  if (res.status !== 0 && !opts.quiet) {
    throw new Error(`${bin} failed (${res.status}): ${(res.stderr || res.stdout || res.error?.message || '').trim()}`);
  }
  return res;
}

/** Installs PostGIS from Debian when missing (root), or says exactly what to run. */
export function ensurePostgis(log: (m: string) => void = console.log) {
  if (existsSync(join(PG_BIN, 'initdb')) && existsSync('/usr/share/postgresql/15/extension/postgis.control')) return;
  const cmd = 'apt-get -o DPkg::Lock::Timeout=600 install -y postgresql-15-postgis-3';
  if (!isRoot()) throw new Error(`PostgreSQL 15 with PostGIS is missing. Install it with:\n  sudo apt-get update && sudo ${cmd}`);
  log('Installing PostgreSQL 15 + PostGIS from Debian…');
  execFileSync('bash', ['-c', `apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive ${cmd} -qq`], { stdio: 'inherit' });
}

const postgresIds = () => ({
  uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
  gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
});

function giveToPostgres(path: string) {
  if (!isRoot()) return;
  const { uid, gid } = postgresIds();
  chownSync(path, uid, gid);
}

/** Can the postgres user open `path` (every folder on the way must let it through)? */
export function postgresCanReach(path: string): boolean {
  if (!isRoot()) return true;
  let p = resolve(path);
  while (!existsSync(p)) p = dirname(p);
  return spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', p], { cwd: '/' }).status === 0;
}

/**
 * The real folder of the cluster named `dir`, creating it on first use: `dir` itself when the
 * postgres user can reach it, else a folder under SHARED_CLUSTERS that `dir` links to.
 */
export function clusterHome(dir: string, log: (m: string) => void = () => {}): string {
  const wanted = resolve(dir);
  if (existsSync(wanted)) return realpathSync(wanted);
  if (postgresCanReach(dirname(wanted))) {
    mkdirSync(wanted, { recursive: true });
    return wanted;
  }
  const home = join(SHARED_CLUSTERS, `cluster-${createHash('sha256').update(wanted).digest('hex').slice(0, 12)}`);
  mkdirSync(SHARED_CLUSTERS, { recursive: true, mode: 0o755 });
  if (existsSync(home)) {
    // A checkout at this path was removed and cloned again: its cluster is still here, and is this one's.
    const origin = existsSync(join(home, 'ORIGIN')) ? readFileSync(join(home, 'ORIGIN'), 'utf8').trim() : wanted;
    if (origin !== wanted) throw new Error(`${home} belongs to ${origin}, not ${wanted}: set PG_DIR to another folder`);
    log(`Reusing the cluster ${home}, left by an earlier checkout at ${wanted}`);
  } else {
    mkdirSync(home, { mode: 0o700 });
    // Which checkout it belongs to, for whoever finds it under /var/lib.
    writeFileSync(join(home, 'ORIGIN'), `${wanted}\n`);
    giveToPostgres(home);
  }
  mkdirSync(dirname(wanted), { recursive: true });
  // A dangling link left by a removed cluster is replaced.
  try { if (lstatSync(wanted).isSymbolicLink()) unlinkSync(wanted); } catch { /* absent */ }
  symlinkSync(home, wanted);
  log(`The postgres user cannot reach ${dirname(wanted)}: the cluster lives in ${home} (${wanted} links to it)`);
  return home;
}

export function clusterUrl(o: ClusterOptions): string {
  const password = readFileSync(join(o.dir, 'password'), 'utf8').trim();
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${o.port}/${o.database ?? 'misto'}`;
}

function pgdataOf(o: ClusterOptions) {
  return join(realpathSync(o.dir), 'pgdata');
}

export function isRunning(o: ClusterOptions): boolean {
  if (!existsSync(join(o.dir, 'pgdata', 'PG_VERSION'))) return false;
  return pg('pg_ctl', ['-D', pgdataOf(o), 'status'], { quiet: true }).status === 0;
}

/** Creates (first time) and starts the cluster; returns its connection URL. Idempotent. */
export function startCluster(o: ClusterOptions): string {
  const log = o.log ?? (() => {});
  ensurePostgis(log);
  const home = clusterHome(o.dir, log);
  const pgdata = join(home, 'pgdata');
  const run = join(home, 'run');
  if (!postgresCanReach(home)) {
    throw new Error(`The postgres user cannot enter ${home}, where this cluster lives. Move it (or set PG_DIR) to a folder it can reach.`);
  }
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    log(`Creating a PostgreSQL cluster in ${pgdata}`);
    mkdirSync(run, { recursive: true });
    const password = randomBytes(18).toString('base64url');
    writeFileSync(join(home, 'password'), password + '\n', { mode: 0o600 });
    const pwfile = join(run, 'pwfile');
    writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    giveToPostgres(home); giveToPostgres(run); giveToPostgres(pwfile);
    pg('initdb', ['-D', pgdata, '-U', SUPERUSER, '--pwfile', pwfile, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C.UTF-8']);
    writeFileSync(join(pgdata, 'postgresql.auto.conf'), [
      `listen_addresses = '127.0.0.1'`,
      `port = ${o.port}`,
      `unix_socket_directories = '${run}'`,
      `shared_buffers = '512MB'`,
      `work_mem = '32MB'`,
      `maintenance_work_mem = '512MB'`,
      `max_wal_size = '4GB'`,
      `checkpoint_timeout = '15min'`,
      `max_connections = 200`,
      `jit = off`, // JIT compiles tile queries for seconds at a time; they are short
      `logging_collector = off`,
    ].join('\n') + '\n');
    giveToPostgres(join(pgdata, 'postgresql.auto.conf'));
  }
  if (!isRunning(o)) {
    log(`Starting PostgreSQL on 127.0.0.1:${o.port}`);
    const logFile = join(home, 'postgres.log');
    if (!existsSync(logFile)) { writeFileSync(logFile, ''); giveToPostgres(logFile); }
    // After an unclean stop PostgreSQL replays its WAL before it accepts connections: up to max_wal_size
    // (4 GB) of it, minutes on a Kyiv-size database, so the wait is long.
    pg('pg_ctl', ['-D', pgdata, '-l', logFile, '-w', '-t', '900', 'start']);
  }
  ensureDatabase(o, o.database ?? 'misto');
  return clusterUrl({ ...o, database: o.database ?? 'misto' });
}

function ensureDatabase(o: ClusterOptions, name: string) {
  const env = { ...process.env, PGPASSWORD: readFileSync(join(o.dir, 'password'), 'utf8').trim() };
  const base = ['-h', '127.0.0.1', '-p', String(o.port), '-U', SUPERUSER, '-d', 'postgres', '-Atqc'];
  const exists = execFileSync('psql', [...base, `SELECT 1 FROM pg_database WHERE datname = '${name.replace(/'/g, "''")}'`], { env, encoding: 'utf8' });
  if (exists.trim() !== '1') execFileSync('psql', [...base, `CREATE DATABASE "${name.replace(/"/g, '""')}"`], { env });
}

export function stopCluster(o: ClusterOptions, mode: 'fast' | 'immediate' = 'fast') {
  if (!isRunning(o)) return;
  pg('pg_ctl', ['-D', pgdataOf(o), '-m', mode, '-w', 'stop']);
}
