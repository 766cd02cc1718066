// Registry layers (legend.json entries) on a MapLibre map: one entry may be several style layers
// (a fill and its outline, an icon and its label), so visibility is switched per entry.
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { LegendEntry } from './tegola';

export function setEntryVisible(map: MapLibreMap, entry: LegendEntry, visible: boolean) {
  for (const id of entry.styleLayers) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }
}

export function isEntryVisible(map: MapLibreMap, entry: LegendEntry): boolean {
  return entry.styleLayers.some((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
}

/** Style layer ids of the given entries that exist and are shown: what a click should query. */
export function visibleStyleLayers(map: MapLibreMap, entries: LegendEntry[]): string[] {
  return entries.flatMap((e) => e.styleLayers).filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
}
