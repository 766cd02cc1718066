import type { Map as MapLibreMap } from 'maplibre-gl';
import type { MapLibreOverlay } from '@deck.gl/maplibre';
import type { LegendEntry, LegendGroup, TileMap } from './tegola';
import type { SpriteIndex } from './sprite';

/** What MapView hands to its owner in `onready`. */
export interface MapApi {
  map: MapLibreMap;
  tiles: TileMap;
  /** Registry layers in legend order (legend.json, or one per source layer on a plain tegola). */
  legend: LegendEntry[];
  /** The legend's groups in display order, with their titles (empty on a plain tegola). */
  groups: LegendGroup[];
  sprite: SpriteIndex;
  setLayerVisible(id: string, visible: boolean): void;
  isLayerVisible(id: string): boolean;
  /** Visible style layer ids of the registry layers in `group` (all groups when omitted). */
  queryableLayers(group?: string): string[];
  /** The deck.gl overlay (interleaved), attached on first call; `overlay.setProps({ layers })`. */
  deck(): Promise<MapLibreOverlay>;
  /** Resolves at the next `idle` (at once when nothing is loading or moving). */
  idle(): Promise<void>;
}
