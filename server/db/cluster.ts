// A project-local PostgreSQL cluster under DATA_DIR: initdb once, pg_ctl start on every boot.
// Loopback only, its own port, scram passwords; the data survives stopping the product.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chownSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'misto';

export interface ClusterOptions {
  dir: string;      // cluster home: pgdata/, run/, password, log
  port: number;
  database?: string;
  log?: (msg: string) => void;
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary; as root it runs as the `postgres` system user, as initdb demands. */
function pg(bin: string, args: string[], opts: { quiet?: boolean } = {}) {
  const cmd = join(PG_BIN, bin);
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const res = spawnSync(file, argv, { encoding: 'utf8' });
  if (res.status !== 0 && !opts.quiet) {
    throw new Error(`${bin} failed (${res.status}): ${res.stderr || res.stdout}`);
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

function giveToPostgres(path: string) {
  if (isRoot()) chownSync(path, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
}

export function clusterUrl(o: ClusterOptions): string {
  const password = readFileSync(join(o.dir, 'password'), 'utf8').trim();
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${o.port}/${o.database ?? 'misto'}`;
}

export function isRunning(o: ClusterOptions): boolean {
  const res = pg('pg_ctl', ['-D', join(o.dir, 'pgdata'), 'status'], { quiet: true });
  return res.status === 0;
}

/** Creates (first time) and starts the cluster; returns its connection URL. Idempotent. */
export function startCluster(o: ClusterOptions): string {
  const log = o.log ?? (() => {});
  ensurePostgis(log);
  const pgdata = join(o.dir, 'pgdata');
  const run = join(o.dir, 'run');
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    log(`Creating a PostgreSQL cluster in ${pgdata}`);
    mkdirSync(o.dir, { recursive: true });
    mkdirSync(run, { recursive: true });
    const password = randomBytes(18).toString('base64url');
    writeFileSync(join(o.dir, 'password'), password + '\n', { mode: 0o600 });
    const pwfile = join(run, 'pwfile');
    writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    giveToPostgres(o.dir); giveToPostgres(run); giveToPostgres(pwfile);
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
    const logFile = join(o.dir, 'postgres.log');
    if (!existsSync(logFile)) { writeFileSync(logFile, ''); giveToPostgres(logFile); }
    pg('pg_ctl', ['-D', pgdata, '-l', logFile, '-w', '-t', '60', 'start']);
  }
  const url = clusterUrl({ ...o, database: 'postgres' });
  ensureDatabase(o, o.database ?? 'misto');
  return url.replace(/\/postgres$/, `/${o.database ?? 'misto'}`);
}

function ensureDatabase(o: ClusterOptions, name: string) {
  const env = { ...process.env, PGPASSWORD: readFileSync(join(o.dir, 'password'), 'utf8').trim() };
  const base = ['-h', '127.0.0.1', '-p', String(o.port), '-U', SUPERUSER, '-d', 'postgres', '-Atqc'];
  const exists = execFileSync('psql', [...base, `SELECT 1 FROM pg_database WHERE datname = '${name.replace(/'/g, "''")}'`], { env, encoding: 'utf8' });
  if (exists.trim() !== '1') execFileSync('psql', [...base, `CREATE DATABASE "${name.replace(/"/g, '""')}"`], { env });
}

export function stopCluster(o: ClusterOptions, mode: 'fast' | 'immediate' = 'fast') {
  if (!existsSync(join(o.dir, 'pgdata', 'PG_VERSION')) || !isRunning(o)) return;
  pg('pg_ctl', ['-D', join(o.dir, 'pgdata'), '-m', mode, '-w', 'stop']);
}

export function clusterExists(dir: string) {
  try { return statSync(join(dir, 'pgdata', 'PG_VERSION')).isFile(); } catch { return false; }
}
