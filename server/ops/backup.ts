// Backups a city's IT team can rely on: one tar archive holding the database in pg_dump's custom
// format, the call recordings, and a manifest (versions, migrations, row counts, a sha256 for every
// file). Restoring checks the whole archive before it touches anything, goes only into an empty
// database, never overwrites a different recording, and migrates an older backup forward.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, createReadStream, createWriteStream, existsSync, fsyncSync, linkSync, lstatSync, mkdirSync,
  mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import type { IBaseProtocol } from 'pg-promise';
import type { ReadEntry } from 'tar';
import * as tar from 'tar';
import { root } from '../config.ts';
import { systemClock, type Clock } from '../clock.ts';
import { PG_BIN } from '../db/cluster.ts';
import { connect, pgp } from '../db/db.ts';
import { loadMigrations, migrate } from '../db/migrate.ts';

/** A backup or restore refused or failed for a reason the operator can act on (one line). */
export class BackupError extends Error {}

export const FORMAT = 'misto-backup';
export const FORMAT_VERSION = 1;
/** Tables whose row counts the manifest records and a restore compares. */
export const KEY_TABLES = ['appeal', 'appeal_event', 'resident', 'resident_phone', 'building', 'call', 'recording', 'announcement', 'app_user'] as const;
const MANIFEST = 'manifest.json';
const DUMP = 'database.dump';
const RECORDINGS = 'recordings';
const ARCHIVE_NAME = /^misto-backup-\d{8}T\d{6}Z\.tar$/;

export interface ManifestFile { path: string; bytes: number; sha256: string }
export interface Manifest {
  format: typeof FORMAT;
  formatVersion: number;
  product: { name: string; version: string };
  createdAt: string;
  database: {
    name: string;
    serverVersion: string;
    postgis: string | null;
    migrations: { version: number; name: string; checksum: string }[];
    /** null: the table does not exist in this database. */
    rowCounts: Record<string, number | null>;
  };
  recordings: {
    files: number;
    bytes: number;
    /** Paths the recording table refers to that were not in the recordings folder. */
    missing: string[];
  };
  files: ManifestFile[];
}

/** misto-backup-20261120T100000Z.tar */
export const backupName = (at: Date) => `misto-backup-${at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}.tar`;

// ------------------------------------------------------------------------------ connections

/** pg_dump / pg_restore connection: the URL without its password, which travels in PGPASSWORD. */
function pgConnection(url: string) {
  let u: URL;
  try { u = new URL(url); } catch { throw new BackupError('The database URL is not a valid postgres:// URL'); }
  const password = u.password ? decodeURIComponent(u.password) : u.searchParams.get('password');
  u.password = '';
  u.searchParams.delete('password');
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'misto-backup' };
  if (password) env.PGPASSWORD = password;
  return { dbname: u.toString(), env };
}

const databaseOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
/** "misto on 127.0.0.1:54329": a database named for messages, without credentials. */
export function describeDatabase(url: string) {
  const u = new URL(url);
  return `${databaseOf(url)} on ${u.hostname || 'localhost'}:${u.port || 5432}`;
}
function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** Runs a PostgreSQL client program; its failure becomes one line of its own error text. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => { if (stderr.length < 64_000) stderr += c; });
    child.on('error', (e) => fail(new BackupError(`${basename(cmd)} could not start: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return ok();
      const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
      const errors = lines.filter((l) => /error|fatal/i.test(l));
      const reason = (errors.length ? errors : lines).slice(0, 3).join(' ').slice(0, 600) || `exit ${code ?? signal}`;
      fail(new BackupError(`${basename(cmd)} failed: ${reason}`));
    });
  });
}

function client(bin: string, pgBin = PG_BIN) {
  const path = join(pgBin, bin);
  if (!existsSync(path)) {
    throw new BackupError(`${bin} is missing (${path}): install PostgreSQL 15's client programs (apt-get install postgresql-client-15)`);
  }
  return path;
}

async function rowCounts(t: IBaseProtocol<unknown>): Promise<Record<string, number | null>> {
  const counts: Record<string, number | null> = {};
  for (const table of KEY_TABLES) {
    const { present } = await t.one(`SELECT to_regclass($1) IS NOT NULL AS present`, [`public.${table}`]);
    counts[table] = present ? (await t.one(`SELECT count(*)::bigint AS n FROM public.${table}`)).n : null;
  }
  return counts;
}

// ------------------------------------------------------------------------------ files

function sha256File(path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('error', fail).on('end', () => ok(h.digest('hex')));
  });
}

/** Regular files under `dir`, as sorted relative POSIX paths. */
function listFiles(dir: string, sub = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/** The archive path of a recording the database refers to; null when it cannot be in the folder. */
function recordingEntry(path: string): string | null {
  const p = posix.normalize(path);
  if (p.startsWith('/') || p === '..' || p.startsWith('../') || p === '.') return null;
  return `${RECORDINGS}/${p}`;
}

function fsyncPath(path: string) {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

interface Scanned { bytes: number; sha256: string }

/**
 * Reads a whole archive once: the size and sha256 of every file entry, and the manifest's text.
 * `keep` may name a file to copy an entry into while it is hashed. Entries that are not plain
 * files or folders, unsafe or repeated paths, are reported as problems.
 */
async function scan(file: string, keep?: (path: string) => string | undefined) {
  const files = new Map<string, Scanned>();
  const problems: string[] = [];
  const pending: Promise<void>[] = [];
  let manifest: Buffer | undefined;
  const onReadEntry = (entry: ReadEntry) => {
    const path = entry.path;
    if (entry.type === 'Directory') return;
    if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
      problems.push(`unexpected ${entry.type} entry ${path}`);
      return;
    }
    if (path.startsWith('/') || posix.normalize(path) !== path || path.split('/').includes('..')) {
      problems.push(`unsafe path ${path}`);
      return;
    }
    if (files.has(path)) { problems.push(`${path} appears twice`); return; }
    files.set(path, { bytes: -1, sha256: '' });
    const hash = createHash('sha256');
    let bytes = 0;
    const chunks: Buffer[] = [];
    entry.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
      if (path === MANIFEST && bytes <= 64 << 20) chunks.push(c);
    });
    const target = keep?.(path);
    if (target) {
      const ws = createWriteStream(target, { flags: 'wx', mode: 0o600 });
      pending.push(new Promise((ok, fail) => {
        ws.on('finish', ok);
        ws.on('error', (e) => {
          // Unblock the entry (the archive is still read to its end), then say what failed.
          entry.unpipe(ws);
          entry.resume();
          fail(new BackupError(`Could not write ${target}: ${e.message}`));
        });
      }));
      entry.pipe(ws);
    }
    pending.push(new Promise((ok) => entry.on('end', () => {
      files.set(path, { bytes, sha256: hash.digest('hex') });
      if (path === MANIFEST) manifest = Buffer.concat(chunks);
      ok();
    })));
  };
  try {
    await tar.t({ file, strict: true, onReadEntry });
    await Promise.all(pending);
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError(`${file} is not a readable backup archive (corrupt or not a tar file): ${(e as Error).message}`);
  }
  return { files, problems, manifest };
}

// ------------------------------------------------------------------------------ backup

export interface BackupOptions {
  databaseUrl: string;
  recordingsDir: string;
  /** The archive to write; default: `dir`/misto-backup-<UTC time>.tar. */
  out?: string;
  dir?: string;
  /** Where pg_dump and pg_restore are (PostgreSQL 15's). */
  pgBin?: string;
  clock?: Clock;
  log?: (m: string) => void;
}

export interface BackupReport { file: string; bytes: number; manifest: Manifest; warnings: string[]; seconds: number }

export async function createBackup(opts: BackupOptions): Promise<BackupReport> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const pgDump = client('pg_dump', opts.pgBin);
  const createdAt = (opts.clock ?? systemClock).now();
  if (!opts.out && !opts.dir) throw new BackupError('Say where the backup goes: an output file or a backup folder');
  const out = resolve(opts.out ?? join(opts.dir!, backupName(createdAt)));
  if (existsSync(out)) throw new BackupError(`${out} already exists`);
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  const conn = pgConnection(opts.databaseUrl);

  // Everything is assembled in a hidden folder beside the archive and linked into place at the
  // end: a crash leaves a ".misto-backup-…" folder, never a half archive under the final name.
  const work = mkdtempSync(join(dirname(out), '.misto-backup-'));
  const tmp = join(work, 'archive.tar');
  const db = connect(opts.databaseUrl, 1);
  try {
    const { TransactionMode, isolationLevel } = pgp.txMode;
    const mode = new TransactionMode({ tiLevel: isolationLevel.repeatableRead, readOnly: true });
    // pg_dump dumps the snapshot this transaction exports, so the migrations, row counts and
    // recordings read here describe exactly the data in the dump while the product keeps writing.
    const facts = await db.tx({ mode }, async (t) => {
      await t.none('SET LOCAL idle_in_transaction_session_timeout = 0');
      const { snapshot } = await t.one('SELECT pg_export_snapshot() AS snapshot');
      const info = await t.one(`SELECT current_database() AS name, current_setting('server_version') AS server,
        (SELECT extversion FROM pg_extension WHERE extname = 'postgis') AS postgis,
        to_regclass('public.schema_migration') IS NOT NULL AS migrated`);
      const migrations = info.migrated
        ? await t.any<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migration ORDER BY version')
        : [];
      const counts = await rowCounts(t);
      const referenced = counts.recording === null ? [] : await t.map('SELECT DISTINCT path FROM recording ORDER BY path', [], (r) => r.path as string);
      log(`Dumping ${describeDatabase(opts.databaseUrl)}`);
      await run(pgDump, ['--format=custom', `--snapshot=${snapshot}`, `--file=${join(work, DUMP)}`, '--no-password', `--dbname=${conn.dbname}`], conn.env);
      return { info, migrations, counts, referenced };
    });

    await tar.c({ file: tmp, cwd: work, portable: true, strict: true }, [DUMP]);
    const warnings: string[] = [];
    // Backups kept in (or under) the recordings folder must not end up in the next backup.
    const outDir = relative(resolve(opts.recordingsDir), dirname(out)).split(sep).join('/');
    const isBackup = (p: string) => {
      if (outDir.startsWith('../') || outDir === '..' || isAbsolute(outDir)) return false;
      if (outDir === '') return p.startsWith('.misto-backup-') || ARCHIVE_NAME.test(p) || p === basename(out);
      return p.startsWith(`${outDir}/`);
    };
    const recordings = (existsSync(opts.recordingsDir) ? listFiles(opts.recordingsDir) : []).filter((p) => !isBackup(p));
    if (recordings.length) {
      log(`Adding ${recordings.length} recording(s) from ${opts.recordingsDir}`);
      // "./": a name starting with "@" would otherwise be read as an archive to merge.
      await tar.r({ file: tmp, cwd: opts.recordingsDir, prefix: RECORDINGS, portable: true, onwarn: (_c, m) => warnings.push(m) },
        recordings.map((p) => `./${p}`));
    }
    // The checksums are of what the archive holds (read back), not of files that may still grow.
    const { files } = await scan(tmp);
    const listed = [...files].map(([path, f]) => ({ path, ...f }));
    const recorded = listed.filter((f) => f.path.startsWith(`${RECORDINGS}/`));
    const missing = facts.referenced.filter((p) => { const e = recordingEntry(p); return !e || !files.has(e); });
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const manifest: Manifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      product: { name: pkg.name, version: pkg.version },
      createdAt: createdAt.toISOString(),
      database: {
        name: facts.info.name, serverVersion: facts.info.server, postgis: facts.info.postgis,
        migrations: facts.migrations, rowCounts: facts.counts,
      },
      recordings: { files: recorded.length, bytes: recorded.reduce((s, f) => s + f.bytes, 0), missing },
      files: listed,
    };
    writeFileSync(join(work, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    await tar.r({ file: tmp, cwd: work, portable: true, strict: true }, [MANIFEST]);
    // Residents' names and phones are inside: the archive is for its owner only.
    chmodSync(tmp, 0o600);
    fsyncPath(tmp);
    // A link, not a rename: an archive that appeared under the same name meanwhile is never replaced.
    try { linkSync(tmp, out); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError(`${out} already exists`);
      throw e;
    }
    fsyncPath(dirname(out));
    return { file: out, bytes: statSync(out).size, manifest, warnings, seconds: (performance.now() - started) / 1000 };
  } finally {
    await db.$pool.end();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Deletes all but the newest `keep` backups named misto-backup-<UTC time>.tar in `dir`. */
export function pruneBackups(dir: string, keep: number): string[] {
  if (!Number.isInteger(keep) || keep < 1) throw new BackupError('The number of backups to keep must be a positive integer');
  const names = readdirSync(dir).filter((n) => ARCHIVE_NAME.test(n)).sort().reverse();
  const removed = names.slice(keep).map((n) => join(dir, n));
  for (const f of removed) unlinkSync(f);
  return removed;
}

// ------------------------------------------------------------------------------ verify

export interface VerifyReport { file: string; bytes: number; manifest: Manifest }

function parseManifest(file: string, text: Buffer | undefined): Manifest {
  if (!text) throw new BackupError(`${file} has no ${MANIFEST}: not a Misto backup, or cut short`);
  let m: Manifest;
  try { m = JSON.parse(text.toString('utf8')); } catch { throw new BackupError(`${file}: ${MANIFEST} is not valid JSON`); }
  if (m?.format !== FORMAT || !Number.isInteger(m.formatVersion)) throw new BackupError(`${file}: ${MANIFEST} is not a Misto backup manifest`);
  if (m.formatVersion > FORMAT_VERSION) {
    throw new BackupError(`${file} is in backup format ${m.formatVersion}, newer than this Misto reads (${FORMAT_VERSION}): upgrade first`);
  }
  if (!Array.isArray(m.files) || !m.database || !Array.isArray(m.database.migrations)) throw new BackupError(`${file}: ${MANIFEST} is incomplete`);
  return m;
}

/**
 * Checks an archive end to end without touching anything: a manifest, every file it lists present
 * with its size and sha256, nothing else in it. `dumpTo` also copies the database dump there.
 */
export async function verifyBackup(file: string, opts: { dumpTo?: string } = {}): Promise<VerifyReport> {
  const path = resolve(file);
  if (!existsSync(path)) throw new BackupError(`${path} does not exist`);
  if (!statSync(path).isFile()) throw new BackupError(`${path} is not a file`);
  const { files, problems, manifest: text } = await scan(path, (p) => (p === DUMP ? opts.dumpTo : undefined));
  if (problems.length) throw new BackupError(`${path} is not a valid backup: ${problems.slice(0, 3).join('; ')}`);
  const manifest = parseManifest(path, text);
  if (!manifest.files.some((f) => f.path === DUMP)) throw new BackupError(`${path}: the manifest lists no ${DUMP}`);
  for (const f of manifest.files) {
    const got = files.get(f.path);
    if (!got) throw new BackupError(`${path}: ${f.path} is listed in the manifest but missing from the archive`);
    if (got.bytes !== f.bytes || got.sha256 !== f.sha256) {
      throw new BackupError(`${path}: checksum mismatch for ${f.path} (the archive was altered or damaged)`);
    }
  }
  const listed = new Set(manifest.files.map((f) => f.path));
  const extra = [...files.keys()].filter((p) => p !== MANIFEST && !listed.has(p));
  if (extra.length) throw new BackupError(`${path}: ${extra[0]} is in the archive but not in the manifest`);
  return { file: path, bytes: statSync(path).size, manifest };
}

// ------------------------------------------------------------------------------ restore

export interface RestoreOptions {
  /** The database to restore into, or with `create`, a database on the server to create it from.
   *  A function is called only once the archive checks out (the CLI's may start the project cluster). */
  databaseUrl: string | (() => string);
  /** Create this database (it must not exist) and restore into it. */
  create?: string;
  recordingsDir: string;
  pgBin?: string;
  /** Where the dump is unpacked for pg_restore (default: the system's temp folder). */
  workDir?: string;
  log?: (m: string) => void;
}

export interface RestoreReport {
  file: string;
  database: string;
  created: boolean;
  manifest: Manifest;
  counts: { table: string; expected: number | null; restored: number | null }[];
  countsMatch: boolean;
  migrationsApplied: string[];
  recordings: { restored: number; alreadyPresent: number; missing: string[] };
  seconds: number;
}

/** Tables in schema public that are not an extension's own (PostGIS keeps spatial_ref_sys there). */
const USER_TABLES = `
  SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  ORDER BY c.relname`;

export async function restoreBackup(file: string, opts: RestoreOptions): Promise<RestoreReport> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const pgRestore = client('pg_restore', opts.pgBin);
  const work = mkdtempSync(join(opts.workDir ?? tmpdir(), 'misto-restore-'));
  try {
    const dump = join(work, DUMP);
    log(`Verifying ${resolve(file)}`);
    const { manifest, file: path } = await verifyBackup(file, { dumpTo: dump });

    // A backup of a newer (or differently edited) schema would confuse this version's migrations.
    const local = new Map(loadMigrations().map((m) => [m.version, m]));
    for (const m of manifest.database.migrations) {
      const here = local.get(m.version);
      if (!here) throw new BackupError(`The backup comes from a newer Misto (migration ${m.name} is unknown here): upgrade this checkout first`);
      if (here.checksum !== m.checksum) throw new BackupError(`Migration ${m.name} differs between the backup and this checkout`);
    }

    // Recordings already in place must be the same files; anything else is refused now, before the database.
    const dir = resolve(opts.recordingsDir);
    const toWrite: { entry: string; target: string; sha256: string }[] = [];
    let alreadyPresent = 0;
    const conflicts: string[] = [];
    for (const f of manifest.files.filter((x) => x.path.startsWith(`${RECORDINGS}/`))) {
      const target = resolve(dir, f.path.slice(RECORDINGS.length + 1));
      if (!target.startsWith(dir + sep)) throw new BackupError(`${path}: ${f.path} points outside the recordings folder`);
      if (!existsSync(target) && !isLink(target)) { toWrite.push({ entry: f.path, target, sha256: f.sha256 }); continue; }
      if (lstatSync(target).isFile() && await sha256File(target) === f.sha256) alreadyPresent++;
      else conflicts.push(target);
    }
    if (conflicts.length) {
      throw new BackupError(`${conflicts.length} recording(s) in ${dir} differ from the backup's (e.g. ${conflicts[0]}): refusing to overwrite them`);
    }

    // The target: a database created now, or an existing one that must be empty.
    const serverUrl = typeof opts.databaseUrl === 'function' ? opts.databaseUrl() : opts.databaseUrl;
    let target = serverUrl;
    let created = false;
    if (opts.create) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(opts.create)) throw new BackupError(`"${opts.create}" is not a database name this restore creates (lower-case letters, digits, _)`);
      const server = connect(serverUrl, 1);
      try {
        if (await server.oneOrNone('SELECT 1 FROM pg_database WHERE datname = $1', [opts.create])) {
          throw new BackupError(`The database "${opts.create}" already exists: choose a new name`);
        }
        await server.none('CREATE DATABASE $1:name', [opts.create]);
      } finally { await server.$pool.end(); }
      target = withDatabase(serverUrl, opts.create);
      created = true;
    } else {
      const db = connect(target, 1);
      try {
        const tables = await db.map(USER_TABLES, [], (r) => r.relname as string);
        if (tables.length) {
          throw new BackupError(`The database ${describeDatabase(target)} is not empty (${tables.length} table(s) in schema public, e.g. ${tables[0]}): ` +
            'restore into an empty database or create a new one');
        }
      } finally { await db.$pool.end(); }
    }

    log(`Restoring the database into ${describeDatabase(target)}`);
    const conn = pgConnection(target);
    try {
      // --no-comments: the product's schema has none, and COMMENT ON EXTENSION fails for a role that
      // does not own an extension an administrator created beforehand.
      await run(pgRestore, ['--no-owner', '--no-privileges', '--no-comments', '--exit-on-error', '--single-transaction',
        '--no-password', `--dbname=${conn.dbname}`, dump], conn.env);
    } catch (e) {
      if (created) await dropDatabase(serverUrl, opts.create!);
      throw e;
    }
    rmSync(dump, { force: true });

    const db = connect(target, 2);
    let counts: RestoreReport['counts'];
    let migrationsApplied: string[];
    try {
      const restored = await rowCounts(db);
      counts = KEY_TABLES.map((table) => ({ table, expected: manifest.database.rowCounts[table] ?? null, restored: restored[table] }));
      migrationsApplied = await migrate(db, undefined, log);
      log('Updating planner statistics (ANALYZE)');
      await db.none('ANALYZE');
    } finally { await db.$pool.end(); }

    // Recordings last, each written under a temporary name and linked into place (never over a file).
    if (toWrite.length) {
      log(`Restoring ${toWrite.length} recording(s) into ${dir}`);
      const byEntry = new Map(toWrite.map((w) => [w.entry, w]));
      const partial = (w: { target: string }) => `${w.target}.restoring-${process.pid}`;
      for (const w of toWrite) mkdirSync(dirname(w.target), { recursive: true });
      try {
        const { files } = await scan(path, (p) => { const w = byEntry.get(p); return w && partial(w); });
        for (const w of toWrite) {
          const tmp = partial(w);
          if (files.get(w.entry)?.sha256 !== w.sha256) throw new BackupError(`${w.entry} changed in ${path} during the restore`);
          chmodSync(tmp, 0o644);
          try { linkSync(tmp, w.target); } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError(`${w.target} appeared during the restore: refusing to overwrite it`);
            throw e;
          }
        }
      } finally {
        for (const w of toWrite) rmSync(partial(w), { force: true });
      }
    }
    return {
      file: path, database: describeDatabase(target), created, manifest, counts,
      countsMatch: counts.every((c) => c.expected === c.restored),
      migrationsApplied,
      recordings: { restored: toWrite.length, alreadyPresent, missing: manifest.recordings.missing },
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function isLink(p: string) {
  try { return lstatSync(p).isSymbolicLink(); } catch { return false; }
}

async function dropDatabase(serverUrl: string, name: string) {
  const server = connect(serverUrl, 1);
  try { await server.none('DROP DATABASE IF EXISTS $1:name', [name]); } catch { /* left for the operator */ } finally { await server.$pool.end(); }
}
