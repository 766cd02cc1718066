// A client of any tegola-compatible tile server: /capabilities, /maps/{map}/style.json and, when the
// server has one (Misto's does), /maps/{map}/legend.json. Nothing here knows Misto's layer names, so
// pointing TILE_URL at a real tegola needs no other change.
import type { StyleSpecification } from 'maplibre-gl';

export interface LocalText { uk: string; en: string }

export interface LegendEntry {
  id: string;
  title: LocalText;
  geometry: 'point' | 'line' | 'polygon';
  icon: string | null;
  color: string;
  /** A palette's colours (e.g. one per utility) when the layer has more than one. */
  swatches: { key: string; color: string; title: LocalText }[];
  toggle: boolean;
  /** Off at start (the style already says so). */
  hidden: boolean;
  /** Its features are infrastructure objects a click may pick. */
  pickable: boolean;
  /** Infrastructure kinds its features carry in `kind`. */
  kinds: string[];
  group: string;
  styleLayers: string[];
}

/** Legend groups in display order. */
export interface LegendGroup { id: string; title: LocalText }

export interface MapCapabilities {
  name: string;
  attribution?: string;
  bounds?: [number, number, number, number];
  center?: [number, number, number];
  tiles?: string[];
  capabilities?: string;
}

export interface TileMap {
  base: string;
  map: MapCapabilities;
  style: StyleSpecification;
  legend: LegendEntry[];
  groups: LegendGroup[];
}

/** Where tiles come from: TILE_URL on the server, this origin when it is empty. */
export async function tileBase(fetchFn: typeof fetch = fetch): Promise<string> {
  const res = await fetchFn('/api/map/config');
  if (!res.ok) throw new Error(`map config: HTTP ${res.status}`);
  const { tileUrl } = (await res.json()) as { tileUrl: string };
  return tileUrl || globalThis.location?.origin || '';
}

async function json<T>(fetchFn: typeof fetch, url: string): Promise<T> {
  const res = await fetchFn(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** MapLibre wants absolute URLs; tegola writes them absolute, other servers may not. Keeps {z}/{x}/{y}. */
function absolute(url: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  const origin = new URL(base).origin;
  return url.startsWith('/') ? origin + url : `${base.replace(/\/+$/, '')}/${url}`;
}

function absolutiseStyle(style: StyleSpecification, base: string): StyleSpecification {
  const s = structuredClone(style);
  if (s.glyphs) s.glyphs = absolute(s.glyphs, base);
  if (typeof s.sprite === 'string') s.sprite = absolute(s.sprite, base);
  else if (Array.isArray(s.sprite)) s.sprite = s.sprite.map((sp) => ({ ...sp, url: absolute(sp.url, base) }));
  for (const src of Object.values(s.sources)) {
    if ('url' in src && src.url) src.url = absolute(src.url, base);
    if ('tiles' in src && src.tiles) src.tiles = src.tiles.map((t) => absolute(t, base));
  }
  return s;
}

/** Without a legend.json (a plain tegola), one toggle per source layer of the style, nothing pickable, no group titles. */
export function legendFromStyle(style: StyleSpecification): LegendEntry[] {
  const bySourceLayer = new Map<string, LegendEntry>();
  for (const layer of style.layers) {
    const sl = 'source-layer' in layer ? layer['source-layer'] : undefined;
    if (!sl) continue;
    let entry = bySourceLayer.get(sl);
    if (!entry) {
      const geometry = layer.type === 'line' ? 'line' : layer.type === 'fill' ? 'polygon' : 'point';
      const paint = (layer.paint ?? {}) as Record<string, unknown>;
      const color = [paint['circle-color'], paint['fill-color'], paint['line-color']].find((c) => typeof c === 'string') as string | undefined;
      entry = {
        id: sl, title: { uk: sl, en: sl }, geometry, icon: null, color: color ?? '#888', swatches: [],
        toggle: true, hidden: false, pickable: false, kinds: [], group: 'layers', styleLayers: [],
      };
      bySourceLayer.set(sl, entry);
    }
    entry.styleLayers.push(layer.id);
  }
  return [...bySourceLayer.values()];
}

export async function loadTileMap(base: string, mapName: string, fetchFn: typeof fetch = fetch): Promise<TileMap> {
  base = base.replace(/\/+$/, '');
  const caps = await json<{ maps?: MapCapabilities[] }>(fetchFn, `${base}/capabilities`);
  const map = caps.maps?.find((m) => m.name === mapName);
  if (!map) throw new Error(`The tile server at ${base} has no map "${mapName}"`);
  const [style, legend] = await Promise.all([
    json<StyleSpecification>(fetchFn, `${base}/maps/${encodeURIComponent(mapName)}/style.json`),
    json<{ groups: LegendGroup[]; layers: LegendEntry[] }>(fetchFn, `${base}/maps/${encodeURIComponent(mapName)}/legend.json`).catch(() => null),
  ]);
  return {
    base, map, style: absolutiseStyle(style, base),
    legend: legend?.layers ?? legendFromStyle(style),
    groups: legend?.groups ?? [],
  };
}
