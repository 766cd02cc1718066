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

/**
 * The drawing so far, if it already is a zone: a polygon with three distinct corners, a line with two
 * distinct points. While drawing, terra-draw's last point follows the cursor and may sit on the
 * previous one; such a zero-length line has no area, and the server would refuse it.
 */
export function usableZone(g: GeoJSON.Geometry | undefined): GeoJSON.Polygon | GeoJSON.LineString | null {
  const distinct = (cs: GeoJSON.Position[]) => new Set(cs.map((c) => c.join())).size;
  if (g?.type === 'Polygon' && g.coordinates[0] && distinct(g.coordinates[0]) >= 3) return g;
  if (g?.type === 'LineString' && distinct(g.coordinates) >= 2) return g;
  return null;
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
    current: () => usableZone(last?.geometry),
    destroy: () => { try { draw.stop(); } catch { /* map already gone */ } },
  };
}
