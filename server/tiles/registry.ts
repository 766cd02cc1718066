// Reads tiles/config.toml (tegola's format, the one layer registry) and tiles/style/style.toml
// (styling, icons and legend beside it). Only keys tegola knows are read from config.toml, so the
// same file stays loadable by a real tegola server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { root } from '../config.ts';
import { parseStyle, type StyleConfig } from './style/style-config.ts';

export type { LayerStyle, LegendGroup, LocalText, StyleConfig } from './style/style-config.ts';

export const tilesDir = join(root, 'tiles');

export type GeometryKind = 'point' | 'line' | 'polygon';

export interface ProviderLayer {
  /** "provider.layer", as map layers reference it. */
  ref: string;
  name: string;
  sql: string;
  /** The table the SQL reads (`tablename`): a change to it invalidates this layer's tiles. */
  table: string;
  /** That table's EPSG:3857 geometry column, which the SQL also yields under this name. */
  geometryField: string;
  idField: string;
  geometryType: string;
  srid: number;
}

export interface MapLayer {
  /** The MVT layer name (tegola: the map layer's `name`, else the provider layer's). */
  name: string;
  provider: ProviderLayer;
  minZoom: number;
  maxZoom: number;
  geometry: GeometryKind;
}

export interface TileMap {
  name: string;
  attribution: string;
  center?: [number, number, number];
  bounds?: [number, number, number, number];
  layers: MapLayer[];
  minZoom: number;
  maxZoom: number;
}

/** A table tiles are built from, with the column its invalidation triggers must report. */
export interface TileSource {
  table: string;
  geometryColumn: string;
  /** Provider layers ("provider.layer") reading it. */
  layers: string[];
}

export interface Registry {
  maps: Map<string, TileMap>;
  /** Every table a served layer declares, once: what the invalidation triggers must cover. */
  sources: TileSource[];
  style: StyleConfig;
}

const TEGOLA_MAX_ZOOM = 22;

function geometryKind(type: string, layer: string): GeometryKind {
  const t = type.toLowerCase().replace(/^multi/, '');
  if (t === 'point') return 'point';
  if (t === 'linestring') return 'line';
  if (t === 'polygon') return 'polygon';
  throw new Error(`tiles/config.toml: layer ${layer} needs geometry_type Point|LineString|Polygon (or Multi…), got "${type}"`);
}

/** tegola's ${VAR} substitution (used for the provider uri). */
export function substituteEnv(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? '');
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new Error(`tiles/config.toml: ${what} must be a non-empty string`);
  return v;
}
function ident(v: unknown, what: string): string {
  if (typeof v !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(v)) throw new Error(`tiles/config.toml: ${what} must be a plain lowercase SQL name`);
  return v;
}
function int(v: unknown, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`tiles/config.toml: ${what} must be an integer`);
  return v;
}

/** The tables the served layers read, each with the one geometry column its triggers report. */
function sourcesOf(maps: Map<string, TileMap>): TileSource[] {
  const sources = new Map<string, TileSource>();
  for (const m of maps.values()) {
    for (const { provider: p } of m.layers) {
      const s = sources.get(p.table);
      if (!s) { sources.set(p.table, { table: p.table, geometryColumn: p.geometryField, layers: [p.ref] }); continue; }
      if (s.geometryColumn !== p.geometryField) {
        throw new Error(`tiles/config.toml: ${p.ref} reads ${p.table}.${p.geometryField} but ${s.layers[0]} reads ${p.table}.${s.geometryColumn}: the invalidation triggers report one column per table`);
      }
      if (!s.layers.includes(p.ref)) s.layers.push(p.ref);
    }
  }
  return [...sources.values()];
}

export function parseRegistry(configToml: string, styleToml: string): Registry {
  const cfg = parse(configToml) as Record<string, any>;
  const providers = new Map<string, ProviderLayer>();
  for (const p of (cfg.providers ?? []) as any[]) {
    const pname = str(p.name, 'providers.name');
    if (p.type !== 'mvt_postgis') throw new Error(`tiles/config.toml: provider ${pname} must be type "mvt_postgis"`);
    for (const l of (p.layers ?? []) as any[]) {
      const name = str(l.name, `layer name in provider ${pname}`);
      const sql = str(l.sql, `sql of ${pname}.${name}`);
      if (!/!BBOX!/i.test(sql)) throw new Error(`tiles/config.toml: ${pname}.${name} must use !BBOX!`);
      if (!/ST_AsMVTGeom/i.test(sql)) throw new Error(`tiles/config.toml: ${pname}.${name} must wrap its geometry in ST_AsMVTGeom`);
      const srid = int(l.srid ?? p.srid, 3857, `${pname}.${name}.srid`);
      if (srid !== 3857) throw new Error(`tiles/config.toml: ${pname}.${name}: only srid 3857 is served`);
      const ref = `${pname}.${name}`;
      const table = ident(l.tablename, `tablename of ${ref} (the one table its SQL reads; tile invalidation follows it)`);
      const geometryField = ident(l.geometry_fieldname ?? 'geom', `geometry_fieldname of ${ref}`);
      // tegola's own check: the statement must yield the geometry under that name.
      if (!new RegExp(`\\bAS\\s+${geometryField}\\b`, 'i').test(sql)) throw new Error(`tiles/config.toml: ${ref} must yield its geometry AS ${geometryField} (its geometry_fieldname)`);
      providers.set(ref, {
        ref, name, sql: sql.trim(), srid, table, geometryField,
        idField: l.id_fieldname ?? 'gid',
        geometryType: str(l.geometry_type, `geometry_type of ${ref}`),
      });
    }
  }
  const style = parseStyle(styleToml);
  const maps = new Map<string, TileMap>();
  for (const m of (cfg.maps ?? []) as any[]) {
    const name = str(m.name, 'maps.name');
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`tiles/config.toml: map name "${name}" must be a lowercase slug`);
    const layers: MapLayer[] = [];
    for (const ml of (m.layers ?? []) as any[]) {
      const ref = str(ml.provider_layer, `provider_layer in map ${name}`);
      const provider = providers.get(ref);
      if (!provider) throw new Error(`tiles/config.toml: map ${name} refers to unknown provider layer ${ref}`);
      const layerName = ml.name ?? provider.name;
      const minZoom = int(ml.min_zoom, 0, `${name}.${layerName}.min_zoom`);
      const maxZoom = int(ml.max_zoom, TEGOLA_MAX_ZOOM, `${name}.${layerName}.max_zoom`);
      if (minZoom < 0 || maxZoom > TEGOLA_MAX_ZOOM || minZoom > maxZoom) throw new Error(`tiles/config.toml: ${name}.${layerName}: bad zoom range`);
      if (layers.some((l) => l.name === layerName)) throw new Error(`tiles/config.toml: map ${name} has layer ${layerName} twice`);
      if (!style.layers[layerName]) throw new Error(`tiles/style/style.toml: no [layers.${layerName}] entry for map ${name}`);
      layers.push({ name: layerName, provider, minZoom, maxZoom, geometry: geometryKind(provider.geometryType, ref) });
    }
    if (!layers.length) throw new Error(`tiles/config.toml: map ${name} has no layers`);
    maps.set(name, {
      name,
      attribution: m.attribution ?? '',
      center: m.center,
      bounds: m.bounds,
      layers,
      minZoom: Math.min(...layers.map((l) => l.minZoom)),
      maxZoom: Math.max(...layers.map((l) => l.maxZoom)),
    });
  }
  for (const [mapName, ms] of Object.entries(style.maps)) {
    if (!maps.has(mapName)) throw new Error(`tiles/style/style.toml: [maps.${mapName}] is not a map of tiles/config.toml`);
    if (ms.basemap && !maps.has(ms.basemap)) throw new Error(`tiles/style/style.toml: maps.${mapName}.basemap names no map`);
  }
  return { maps, sources: sourcesOf(maps), style };
}

export function loadRegistry(dir = tilesDir): Registry {
  return parseRegistry(readFileSync(join(dir, 'config.toml'), 'utf8'), readFileSync(join(dir, 'style', 'style.toml'), 'utf8'));
}
