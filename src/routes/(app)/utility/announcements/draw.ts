// terra-draw on the MapLibre map: one zone at a time, polygon or line; the page listens for changes.
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { GeoJSONStoreFeatures } from 'terra-draw';

export interface ZoneDrawer {
  setMode(mode: 'polygon' | 'line' | 'static'): void;
  clear(): void;
  /** The geometry being drawn or last finished (null when nothing usable yet). */
  current(): GeoJSON.Polygon | GeoJSON.LineString | null;
  destroy(): void;
}

export async function createDrawer(map: MapLibreMap, onchange: (finished: boolean) => void): Promise<ZoneDrawer> {
  const { TerraDraw, TerraDrawPolygonMode, TerraDrawLineStringMode } = await import('terra-draw');
  const { TerraDrawMapLibreGLAdapter } = await import('terra-draw-maplibre-gl-adapter');
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map }),
    modes: [
      new TerraDrawPolygonMode({ styles: { fillColor: '#0b5cad', fillOpacity: 0.15, outlineColor: '#0b5cad', outlineWidth: 2 } }),
      new TerraDrawLineStringMode({ styles: { lineStringColor: '#0b5cad', lineStringWidth: 3 } }),
    ],
  });
  draw.start();
  let last: GeoJSONStoreFeatures | undefined;

  const usable = (f: GeoJSONStoreFeatures | undefined) => {
    if (!f) return null;
    const g = f.geometry;
    if (g.type === 'Polygon' && g.coordinates[0] && new Set(g.coordinates[0].map((c) => c.join())).size >= 3) return g as GeoJSON.Polygon;
    if (g.type === 'LineString' && g.coordinates.length >= 2) return g as GeoJSON.LineString;
    return null;
  };

  draw.on('change', (ids, type) => {
    if (type === 'delete') return;
    const snap = draw.getSnapshot().filter((f) => ids.includes(f.id!));
    if (snap.length) last = snap[snap.length - 1];
    onchange(false);
  });
  draw.on('finish', (id) => {
    // One zone at a time: a finished drawing replaces the previous one.
    const old = draw.getSnapshot().filter((f) => f.id !== id).map((f) => f.id!);
    if (old.length) draw.removeFeatures(old);
    last = draw.getSnapshotFeature(id);
    onchange(true);
  });

  return {
    setMode: (m) => draw.setMode(m === 'line' ? 'linestring' : m),
    clear: () => { draw.clear(); last = undefined; },
    current: () => usable(last),
    destroy: () => { try { draw.stop(); } catch { /* map already gone */ } },
  };
}
