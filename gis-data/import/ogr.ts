// GDAL's command-line tools as the importer's file reader: every format GDAL knows (GeoJSON,
// Shapefile, zipped Shapefile, GeoPackage, OSM XML/PBF…) lands in a plain PostGIS table in the
// `staging` schema, reprojected to WGS 84.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { ImportError } from './report.ts';

export const OSM_CONF = join(import.meta.dirname, 'osmconf.ini');

export type Format = 'GeoJSON' | 'ESRI Shapefile' | 'GPKG' | 'OSM' | 'other';

export interface Source {
  /** The path GDAL opens (with /vsizip/ for archives). */
  gdalPath: string;
  format: Format;
}

export function describeSource(file: string): Source {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new ImportError(`File not found: ${file}`, 'input');
  const lower = path.toLowerCase();
  if (lower.endsWith('.osm') || lower.endsWith('.pbf')) return { gdalPath: path, format: 'OSM' };
  if (lower.endsWith('.zip')) return { gdalPath: `/vsizip/${path}`, format: 'ESRI Shapefile' };
  const ext = extname(lower);
  const format: Format = ext === '.geojson' || ext === '.json' ? 'GeoJSON' : ext === '.shp' ? 'ESRI Shapefile' : ext === '.gpkg' ? 'GPKG' : 'other';
  return { gdalPath: path, format };
}

/** libpq key=value connection string for GDAL's "PG:" datasource; the password travels in PGPASSWORD. */
export function pgConnection(databaseUrl: string): { conninfo: string; env: NodeJS.ProcessEnv } {
  const u = new URL(databaseUrl);
  const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const parts = [
    u.hostname && `host=${quote(decodeURIComponent(u.hostname))}`,
    u.port && `port=${u.port}`,
    `dbname=${quote(decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres')}`,
    u.username && `user=${quote(decodeURIComponent(u.username))}`,
    ...[...u.searchParams].map(([k, v]) => `${k}=${quote(v)}`),
  ].filter(Boolean);
  const env = { ...process.env };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  return { conninfo: parts.join(' '), env };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => fail(new ImportError(e.code === 'ENOENT'
      ? `${cmd} is not installed: install GDAL (apt-get install -y gdal-bin, or bash scripts/system-deps.sh)`
      : `${cmd} failed to start: ${e.message}`, 'ogr')));
    child.on('close', (code) => {
      if (code === 0) done({ stdout, stderr });
      else {
        const detail = stderr.split('\n').filter((l) => /ERROR|FAILURE|Unable|error/i.test(l)).slice(0, 5).join('\n') || stderr.trim().slice(0, 800);
        const hint = /Non UTF-8 content/.test(stderr) ? '\nThe file is not in UTF-8: give its encoding with --encoding (e.g. CP1251).' : '';
        fail(new ImportError(`${cmd} failed (exit ${code}): ${detail}${hint}`, 'ogr'));
      }
    });
  });
}

/** Vector layers of a file, as GDAL names them. */
export async function listLayers(gdalPath: string): Promise<string[]> {
  const { stdout } = await run('ogrinfo', ['-ro', '-q', gdalPath], process.env);
  return stdout.split('\n').map((l) => /^\d+: (.+?)(?: \([^()]*\))?$/.exec(l.trim())?.[1]).filter((n): n is string => !!n);
}

export interface LoadOptions {
  databaseUrl: string;
  source: Source;
  /** Layer inside the file (OSM: points, lines, multipolygons). */
  layer?: string;
  table: string;
  /** Source SRS for files that do not declare one (e.g. a Shapefile without .prj). */
  srs?: string;
  /** Character set of a Shapefile without a .cpg (Ukrainian data is often CP1251). */
  encoding?: string;
}

/** Loads one layer of the file into staging.<table>. */
export async function loadIntoStaging(o: LoadOptions): Promise<void> {
  const { conninfo, env } = pgConnection(o.databaseUrl);
  const args = [
    '-q', '-f', 'PostgreSQL', `PG:${conninfo}`, o.source.gdalPath,
    ...(o.layer ? [o.layer] : []),
    '-nln', o.table,
    '-lco', 'SCHEMA=staging', '-lco', 'GEOMETRY_NAME=geom', '-lco', 'FID=ogc_fid',
    '-lco', 'SPATIAL_INDEX=NONE', '-lco', 'PRECISION=NO',
    '-t_srs', 'EPSG:4326', '-dim', 'XY',
    ...(o.srs ? ['-s_srs', o.srs] : []),
  ];
  if (o.encoding) args.unshift('--config', 'SHAPE_ENCODING', o.encoding);
  if (o.source.format === 'OSM') {
    args.unshift('--config', 'OSM_CONFIG_FILE', OSM_CONF);
  } else {
    // Mixed single/multi parts (common in Shapefiles) and wrong types must reach SQL, which reports
    // them per feature, instead of failing the whole load; FIDs are kept as stable feature ids.
    args.push('-nlt', 'GEOMETRY', '-preserve_fid');
  }
  await run('ogr2ogr', args, env);
}
