// deck.gl on top of MapLibre 6, interleaved (deck layers share MapLibre's WebGL context and depth).
// Loaded on demand: pages that never draw deck layers do not download deck.gl.
// @deck.gl/maplibre, not @deck.gl/mapbox (9.4 crashes on MapLibre 6), and added only after `load`,
// otherwise interleaved layers ignore beforeId (docs/karta.md, "deck.gl on MapLibre").
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { MapLibreOverlay } from '@deck.gl/maplibre';

/** Call only after the map's `load` event (MapView does). */
export async function attachDeck(map: MapLibreMap, onDraw: () => void): Promise<MapLibreOverlay> {
  const { MapLibreOverlay } = await import('@deck.gl/maplibre');
  const overlay = new MapLibreOverlay({ interleaved: true, layers: [], onAfterRender: onDraw });
  map.addControl(overlay);
  return overlay;
}
