// npm run backup [-- --out FILE] [--database-url URL] [--keep N]
// One archive of the database and the call recordings (server/ops/backup.ts), by default in
// BACKUP_DIR as misto-backup-<UTC time>.tar; --keep N then deletes all but the newest N there.
import { parseArgs } from 'node:util';
import { dirname } from 'node:path';
import { config } from '../config.ts';
import { databaseUrl } from '../db/provision.ts';
import { createBackup, pruneBackups } from '../ops/backup.ts';

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
try {
  const { values: a } = parseArgs({ options: { out: { type: 'string' }, 'database-url': { type: 'string' }, keep: { type: 'string' } } });
  const keep = a.keep === undefined ? undefined : Number(a.keep);
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) throw new Error('--keep takes a positive number of backups');
  const url = a['database-url'] || databaseUrl(() => {});
  const r = await createBackup({ databaseUrl: url, recordingsDir: config.recordingsDir, out: a.out, dir: config.backupDir, log: (m) => console.log(m) });
  const m = r.manifest;
  console.log(`Backup ${r.file} (${mb(r.bytes)}, ${r.seconds.toFixed(1)} s)`);
  console.log(`  database ${m.database.name}: PostgreSQL ${m.database.serverVersion}, PostGIS ${m.database.postgis ?? '(none)'}, ${m.database.migrations.length} migration(s)`);
  console.log(`  rows: ${Object.entries(m.database.rowCounts).map(([t, n]) => `${t} ${n ?? '–'}`).join(', ')}`);
  console.log(`  recordings: ${m.recordings.files} file(s), ${mb(m.recordings.bytes)}` +
    (m.recordings.missing.length ? `; ${m.recordings.missing.length} referenced but missing, e.g. ${m.recordings.missing[0]}` : ''));
  for (const w of r.warnings) console.log(`  warning: ${w}`);
  if (keep) for (const f of pruneBackups(dirname(r.file), keep)) console.log(`  removed old backup ${f}`);
} catch (e) {
  console.error(`backup: ${(e as Error).message}`);
  process.exit(1);
}
