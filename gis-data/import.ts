// npm run import -- <layer> <file> [--database-url URL] [--dry-run] [--source-layer NAME] [--srs EPSG:xxxx] [--encoding CP1251]
// Loads real data (GeoJSON, Shapefile, zipped Shapefile, GeoPackage, OSM XML/PBF) into the model
// through GDAL's ogr2ogr and prints what was imported, updated and skipped, and why.
// npm run import -- appeals <file.csv> [--mapping FILE] [--skip-unknown] [--dry-run] [--delimiter ;] [--encoding CP1251]
// Loads historic appeals from another system (docs/import.md).
import { parseArgs } from 'node:util';
import { connectForMaintenance } from '../server/db/db.ts';
import { migrate } from '../server/db/migrate.ts';
import { databaseUrl as defaultDatabaseUrl } from '../server/db/provision.ts';
import { checkRequest, importFile } from './import/importer.ts';
import { LAYERS } from './import/layers.ts';
import { formatReport, ImportError } from './import/report.ts';
import { AppealImportRefused, formatAppealReport, importAppeals, isRollupMode, ROLLUP_MODES } from './import/appeals.ts';

const USAGE = `Usage: npm run import -- <layer> <file> [--database-url URL] [--dry-run] [--source-layer NAME] [--srs EPSG:xxxx] [--encoding CP1251]
Layers: ${LAYERS.join(', ')}
       npm run import -- appeals <file.csv> [--database-url URL] [--mapping FILE] [--skip-unknown] [--dry-run] [--delimiter ;] [--encoding CP1251]
         [--rollups auto|triggers|add|rebuild]`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        'database-url': { type: 'string' }, 'dry-run': { type: 'boolean' }, 'source-layer': { type: 'string' },
        srs: { type: 'string' }, encoding: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        mapping: { type: 'string' }, 'skip-unknown': { type: 'boolean' }, delimiter: { type: 'string' }, rollups: { type: 'string' },
      },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) { console.log(USAGE); return 0; }
  const [layer, file, ...extra] = args.positionals;
  if (!layer || !file || extra.length) { console.error(USAGE); return 2; }

  if (layer === 'appeals') return appeals(file, args.values);
  try {
    checkRequest(layer, file);
  } catch (e) {
    return fail(e);
  }
  const url = args.values['database-url'] ?? defaultDatabaseUrl((m) => console.error(m));
  const db = connectForMaintenance(url, 2);
  try {
    await migrate(db);
    const report = await importFile(db, {
      layer, file, databaseUrl: url, dryRun: args.values['dry-run'], sourceLayer: args.values['source-layer'], srs: args.values.srs, encoding: args.values.encoding,
      log: (m) => console.error(m),
    });
    console.log(formatReport(report));
    return 0;
  } catch (e) {
    return fail(e);
  } finally {
    await db.$pool.end();
  }
}

async function appeals(file: string, v: { 'database-url'?: string; mapping?: string; 'skip-unknown'?: boolean; 'dry-run'?: boolean; delimiter?: string; encoding?: string; rollups?: string }): Promise<number> {
  const url = v['database-url'] ?? defaultDatabaseUrl((m) => console.error(m));
  const db = connectForMaintenance(url, 2);
  try {
    const rollups = v.rollups ?? 'auto';
    if (!isRollupMode(rollups)) throw new ImportError(`--rollups must be ${ROLLUP_MODES.join(', ')}, not "${rollups}"`, 'usage');
    await migrate(db);
    // Each phase with the seconds since the start: where a large file's time goes.
    const started = Date.now();
    const report = await importAppeals(db, {
      file, mapping: v.mapping, skipUnknown: v['skip-unknown'], dryRun: v['dry-run'], delimiter: v.delimiter, encoding: v.encoding, rollups,
      log: (m) => console.error(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${m}`),
    });
    console.log(formatAppealReport(report));
    return 0;
  } catch (e) {
    if (e instanceof AppealImportRefused) console.log(formatAppealReport(e.report));
    return fail(e);
  } finally {
    await db.$pool.end();
  }
}

function fail(e: unknown): number {
  if (e instanceof ImportError) {
    console.error(`import failed: ${e.message}${e.kind === 'usage' ? `\n${USAGE}` : ''}\nNothing was written.`);
    return e.kind === 'usage' || e.kind === 'input' ? 2 : 1;
  }
  console.error(`import failed: ${(e as Error).message}\nNothing was written.`);
  return 1;
}

process.exit(await main());
