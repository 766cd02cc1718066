// Reads tiles/config.toml (tegola's format, the one layer registry) and tiles/style/style.toml
// (styling, icons and legend beside it). Only keys tegola knows are read from config.toml, so the
// same file stays loadable by a real tegola server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { root } from '../config.ts';

export const tilesDir = join(root, 'tiles');

export type GeometryKind = 'point' | 'line' | 'polygon';

export interface ProviderLayer {
  /** "provider.layer", as map layers reference it. */
  ref: string;
  name: string;
  sql: string;
  geometryField: string;
  idField: string;
  geometryType: string;
  srid: number;
  /** Source tables named in the SQL: a change to one of them invalidates this layer's tiles. */
  tables: string[];
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

export interface Registry {
  maps: Map<string, TileMap>;
  /** Tables whose changes the invalidation triggers report (migration 010). */
  tables: string[];
  style: StyleConfig;
}

export interface LocalText { uk: string; en: string }

export interface LayerStyle {
  title: LocalText;
  group: 'basemap' | 'infrastructure' | 'announcements';
  toggle: boolean;
  icon: string | null;
  color: string;
  /** MapLibre layers drawn for this registry layer, without id/source/source-layer. */
  draw: Record<string, unknown>[];
}

export interface StyleConfig {
  background: string;
  font: string;
  maps: Record<string, { basemap?: string; cacheTtlSeconds?: number; title?: LocalText }>;
  layers: Record<string, LayerStyle>;
}

// Tables that carry invalidation triggers; layers find theirs by naming them in the SQL.
export const SOURCE_TABLES = ['landuse', 'district', 'street', 'building', 'infra_object', 'announcement'];

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
function int(v: unknown, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`tiles/config.toml: ${what} must be an integer`);
  return v;
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
      providers.set(ref, {
        ref, name, sql: sql.trim(), srid,
        geometryField: l.geometry_fieldname ?? 'geom',
        idField: l.id_fieldname ?? 'gid',
        geometryType: str(l.geometry_type, `geometry_type of ${ref}`),
        tables: SOURCE_TABLES.filter((t) => new RegExp(`\\b${t}\\b`, 'i').test(sql)),
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
  return { maps, tables: SOURCE_TABLES, style };
}

function parseStyle(text: string): StyleConfig {
  const s = parse(text) as Record<string, any>;
  const layers: Record<string, LayerStyle> = {};
  for (const [name, l] of Object.entries((s.layers ?? {}) as Record<string, any>)) {
    if (!l.title?.uk || !l.title?.en) throw new Error(`tiles/style/style.toml: layers.${name}.title needs uk and en`);
    if (!['basemap', 'infrastructure', 'announcements'].includes(l.group)) throw new Error(`tiles/style/style.toml: layers.${name}.group is invalid`);
    if (!Array.isArray(l.draw) || !l.draw.length) throw new Error(`tiles/style/style.toml: layers.${name} needs [[layers.${name}.draw]] entries`);
    layers[name] = {
      title: { uk: l.title.uk, en: l.title.en },
      group: l.group,
      toggle: l.toggle ?? l.group !== 'basemap',
      icon: l.icon ?? null,
      color: l.color ?? '#888888',
      draw: l.draw,
    };
  }
  const maps: StyleConfig['maps'] = {};
  for (const [name, m] of Object.entries((s.maps ?? {}) as Record<string, any>)) {
    maps[name] = { basemap: m.basemap, cacheTtlSeconds: m.cache_ttl_seconds, title: m.title };
  }
  return { background: s.background ?? '#f2efe9', font: s.font ?? 'DejaVu Sans', maps, layers };
}

export function loadRegistry(dir = tilesDir): Registry {
  return parseRegistry(readFileSync(join(dir, 'config.toml'), 'utf8'), readFileSync(join(dir, 'style', 'style.toml'), 'utf8'));
}
