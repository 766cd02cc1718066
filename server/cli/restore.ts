// npm run restore -- FILE [--database-url URL] [--create NAME] [--recordings-dir DIR] [--verify]
// Checks the archive, then restores it into an empty database (the configured one, --database-url,
// or a new one made by --create NAME on that server) and the recordings folder. --verify only checks.
import { parseArgs } from 'node:util';
import { config } from '../config.ts';
import { databaseUrl } from '../db/provision.ts';
import { restoreBackup, verifyBackup } from '../ops/backup.ts';

try {
  const { values: a, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'database-url': { type: 'string' }, create: { type: 'string' }, 'recordings-dir': { type: 'string' }, verify: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new Error('usage: npm run restore -- FILE [--database-url URL] [--create NAME] [--recordings-dir DIR] [--verify]');
  const file = positionals[0];
  if (a.verify) {
    const { manifest: m, file: path } = await verifyBackup(file);
    console.log(`${path}: intact, ${m.files.length} file(s) match their checksums`);
    console.log(`  made ${m.createdAt} by ${m.product.name} ${m.product.version} from ${m.database.name} (${m.database.migrations.length} migration(s))`);
    process.exit(0);
  }
  const r = await restoreBackup(file, {
    databaseUrl: () => a['database-url'] || databaseUrl(() => {}),
    create: a.create,
    recordingsDir: a['recordings-dir'] ?? config.recordingsDir,
    log: (m) => console.log(m),
  });
  const m = r.manifest;
  console.log(`Restored ${r.file} (made ${m.createdAt} by ${m.product.name} ${m.product.version}) into ${r.database}${r.created ? ' (created)' : ''} in ${r.seconds.toFixed(1)} s`);
  for (const c of r.counts) {
    console.log(`  ${c.table.padEnd(15)} ${String(c.expected ?? '–').padStart(10)} in the backup ${String(c.restored ?? '–').padStart(10)} restored${c.expected === c.restored ? '' : '  MISMATCH'}`);
  }
  console.log(`  migrations applied after the restore: ${r.migrationsApplied.length ? r.migrationsApplied.join(', ') : 'none (already current)'}`);
  console.log(`  recordings: ${r.recordings.restored} restored, ${r.recordings.alreadyPresent} already in place` +
    (r.recordings.missing.length ? `, ${r.recordings.missing.length} were missing when the backup was made` : ''));
  if (!r.countsMatch) throw new Error('the restored row counts differ from the backup manifest (see above)');
} catch (e) {
  console.error(`restore: ${(e as Error).message}`);
  process.exit(1);
}
