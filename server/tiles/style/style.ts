// Generates the MapLibre style and the legend of a map from the registry (tiles/config.toml)
// and its styling (tiles/style/style.toml). Glyphs and sprites are served by this server, so
// the style renders with no internet.
import type { MapLayer, Registry, TileMap } from '../registry.ts';
import { applyPalette } from './palettes.ts';
import { BASEMAP_GROUP, type LayerStyle } from './style-config.ts';

interface StyleUrls {
  /** Base of the tile server (TILE_URL, or this server). */
  tiles: string;
  /** Base of this server: glyphs and sprites. */
  assets: string;
  bounds: [number, number, number, number];
  center: [number, number, number];
}

interface Drawn { map: TileMap; layer: MapLayer; style: LayerStyle }

/** The map's own layers, over the basemap group of the map it names as its basemap. */
function drawnLayers(registry: Registry, map: TileMap, basemap?: TileMap): Drawn[] {
  const out: Drawn[] = [];
  if (basemap && basemap !== map) {
    for (const layer of basemap.layers) {
      const style = registry.style.layers[layer.name];
      if (style.group === BASEMAP_GROUP) out.push({ map: basemap, layer, style });
    }
  }
  for (const layer of map.layers) out.push({ map, layer, style: registry.style.layers[layer.name] });
  return out;
}

function styleLayerId(layer: MapLayer, draw: Record<string, unknown>) {
  return draw.suffix ? `${layer.name}-${draw.suffix}` : layer.name;
}

export function buildStyle(registry: Registry, map: TileMap, basemap: TileMap | undefined, urls: StyleUrls) {
  const drawn = drawnLayers(registry, map, basemap);
  const sources: Record<string, unknown> = {};
  for (const m of new Set(drawn.map((d) => d.map))) {
    sources[m.name] = {
      type: 'vector',
      tiles: [`${urls.tiles}/maps/${m.name}/{z}/{x}/{y}.pbf`],
      minzoom: m.minZoom,
      maxzoom: m.maxZoom,
      bounds: urls.bounds,
      attribution: m.attribution,
    };
  }
  const below: unknown[] = [];
  const above: unknown[] = [];
  for (const { map: m, layer, style } of drawn) {
    for (const draw of style.draw) {
      const { suffix: _suffix, minzoom, layout, paint, ...rest } = draw as Record<string, any>;
      const l: Record<string, unknown> = {
        id: styleLayerId(layer, draw),
        source: m.name,
        'source-layer': layer.name,
        ...rest,
        minzoom: Math.max(layer.minZoom, minzoom ?? 0),
        metadata: { 'misto:layer': layer.name, 'misto:group': style.group },
      };
      if (paint) l.paint = applyPalette(paint, style.palette);
      const lay = applyPalette({ ...(layout ?? {}) }, style.palette);
      if (lay['text-field'] && !lay['text-font']) lay['text-font'] = [registry.style.font];
      // Hidden in the style itself, so any MapLibre client starts with it off and it never flashes on.
      if (style.hidden) lay.visibility = 'none';
      if (Object.keys(lay).length) l.layout = lay;
      (draw.type === 'symbol' ? above : below).push(l);
    }
  }
  return {
    version: 8,
    name: `Misto ${map.name}`,
    metadata: { 'misto:map': map.name },
    center: urls.center.slice(0, 2),
    zoom: urls.center[2],
    sources,
    glyphs: `${urls.assets}/fonts/{fontstack}/{range}.pbf`,
    sprite: `${urls.assets}/sprites/misto`,
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': registry.style.background } }, ...below, ...above],
  };
}

/**
 * What the UI knows of a map's layers besides the style: groups in their order with their titles,
 * and per layer its switch, whether it starts hidden, whether its features are pickable objects
 * and of which kinds, and its colours (one, or a palette's swatches).
 */
export function buildLegend(registry: Registry, map: TileMap, basemap?: TileMap) {
  const drawn = drawnLayers(registry, map, basemap);
  const used = new Set(drawn.map((d) => d.style.group));
  return {
    groups: registry.style.groups.filter((g) => used.has(g.id)).map((g) => ({ id: g.id, title: g.title })),
    layers: drawn.map(({ layer, style }) => ({
      id: layer.name,
      title: style.title,
      geometry: layer.geometry,
      icon: style.icon,
      color: style.color,
      swatches: style.palette?.swatches ?? [],
      toggle: style.toggle,
      hidden: style.hidden,
      pickable: style.pickable,
      kinds: style.kinds,
      group: style.group,
      minzoom: layer.minZoom,
      styleLayers: style.draw.map((d) => styleLayerId(layer, d)),
    })),
  };
}
