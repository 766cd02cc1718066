// One import: file → ogr2ogr → staging tables → one transaction that checks and merges every model
// layer → report. The staging tables are dropped whatever happens; a dry run rolls the merge back.
import { basename } from 'node:path';
import type { Db } from '../../server/db/db.ts';
import { fileTarget, isLayer, LAYERS, osmTargets, Props, type LayerName, type Target } from './layers.ts';
import { dropStaging, logRun, mergeTarget, normalise, unusedProperties } from './merge.ts';
import { describeSource, listLayers, loadIntoStaging, type Source } from './ogr.ts';
import { ImportError, type ImportReport } from './report.ts';

export interface ImportOptions {
  layer: string;
  file: string;
  databaseUrl: string;
  dryRun?: boolean;
  /** Layer inside a multi-layer file (GeoPackage, zip with several Shapefiles). */
  sourceLayer?: string;
  /** Source SRS when the file does not declare one, e.g. EPSG:32635. */
  srs?: string;
  /** Character set of a Shapefile without a .cpg, e.g. CP1251. */
  encoding?: string;
  log?: (m: string) => void;
}

const OSM_STAGES = ['points', 'lines', 'multipolygons'] as const;
const OSM_LAYERS = ['streets', 'buildings', 'traffic_lights', 'stops', 'containers', 'kiosks'];
const LOCK = 1580_0060;

class Rollback extends Error {}

/** Checks what needs no database: the layer exists, the file exists, the two fit together. */
export function checkRequest(layerName: string, file: string): { layer: LayerName; source: Source } {
  if (!isLayer(layerName)) throw new ImportError(`Unknown layer "${layerName}". Layers: ${LAYERS.join(', ')}`, 'usage');
  const layer: LayerName = layerName;
  const source = describeSource(file);
  const isOsm = source.format === 'OSM';
  if (layer === 'osm' && !isOsm) throw new ImportError('The osm layer reads an OpenStreetMap extract (.osm or .osm.pbf)', 'usage');
  if (isOsm && layer !== 'osm' && !OSM_LAYERS.includes(layer)) {
    throw new ImportError(`An OSM extract holds no ${layer}; from OSM use one of: osm, ${OSM_LAYERS.join(', ')}`, 'usage');
  }
  return { layer, source };
}

export async function importFile(db: Db, o: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const { layer, source } = checkRequest(o.layer, o.file);
  const isOsm = source.format === 'OSM';

  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const stages: { stage: string; table: string; layer?: string }[] = [];
  let targets: Target[];
  const props = new Props();
  if (isOsm) {
    targets = osmTargets().filter((t) => layer === 'osm' || t.layer === layer);
    const needed = new Set(targets.flatMap((t) => t.feeds.map((f) => f.stage)));
    for (const s of OSM_STAGES) if (needed.has(s)) stages.push({ stage: s, table: `imp_${tag}_${s}`, layer: s });
  } else {
    const layers = await listLayers(source.gdalPath);
    let sourceLayer = o.sourceLayer;
    if (sourceLayer && !layers.includes(sourceLayer)) {
      throw new ImportError(`No layer "${sourceLayer}" in ${o.file}; it has: ${layers.join(', ') || 'none'}`, 'usage');
    }
    if (!sourceLayer && layers.length > 1) {
      throw new ImportError(`${o.file} has ${layers.length} layers (${layers.join(', ')}): choose one with --source-layer`, 'usage');
    }
    if (!layers.length) throw new ImportError(`GDAL finds no vector layer in ${o.file}`, 'data');
    sourceLayer ??= layers[0];
    // Sources are named after GDAL's layer (a GeoJSON's or Shapefile's file name, a GeoPackage's
    // table), so the same data re-imported from another format or file keeps its identity.
    targets = [fileTarget(layer as Exclude<LayerName, 'osm'>, sourceLayer, props)];
    stages.push({ stage: 'file', table: `imp_${tag}_file`, layer: sourceLayer });
  }

  const report: ImportReport = { layer, file: basename(o.file), format: source.format, dryRun: !!o.dryRun, layers: [], ignoredProperties: [], ms: 0 };
  // One import at a time, from staging to commit: candidates are matched against the model as it
  // is, and any staging table found while holding the lock is the leftover of a killed import.
  const session = await db.connect();
  try {
    await session.one('SELECT pg_advisory_lock($1)', [LOCK]);
    const stale = await session.map(`SELECT tablename FROM pg_tables WHERE schemaname = 'staging' AND tablename LIKE 'imp\\_%'`, [], (r) => r.tablename as string);
    if (stale.length) {
      log(`dropping ${stale.length} staging table(s) left by an interrupted import`);
      await dropStaging(session, stale);
    }
    for (const s of stages) {
      log(`ogr2ogr: ${s.layer ?? ''} → staging.${s.table}`);
      await loadIntoStaging({ databaseUrl: o.databaseUrl, source, layer: s.layer, table: s.table, srs: o.srs, encoding: o.encoding });
    }
    await session.tx('import', async (t) => {
      for (const s of stages) await normalise(t, s.table, s.stage);
      if (!isOsm) report.ignoredProperties = await unusedProperties(t, 'file', props.used);
      for (const target of targets) {
        log(`merging ${target.layer}`);
        report.layers.push(await mergeTarget(t, target));
      }
      report.ms = Date.now() - started;
      if (o.dryRun) throw new Rollback();
      await logRun(t, layer, o.file, report);
    }).catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  } finally {
    await dropStaging(session, stages.map((s) => s.table)).catch(() => {});
    await session.one('SELECT pg_advisory_unlock($1)', [LOCK]).catch(() => {});
    session.done();
  }
  report.ms = Date.now() - started;
  return report;
}
