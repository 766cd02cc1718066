// "Pick an object or a point": a click on the map attaches the nearest pickable registry object
// (traffic light, stop, container site, kiosk, cleaning zone — legend.json's `pickable`) within a
// few pixels, else the clicked point. The desk's map and the residents' /report share it.
import type { MapMouseEvent, MapGeoJSONFeature } from 'maplibre-gl';
import type { MapApi } from './types';

export interface Picked { infraObjectId: number | null; kind: string | null; name: string | null; lon: number; lat: number }

/** How far from a point object a click still picks it: a fingertip on a phone. */
export const SNAP_PX = 8;

/** Shows every pickable layer: what can be picked is on the map. */
export function showPickable(api: MapApi) {
  for (const e of api.legend) if (e.pickable) api.setLayerVisible(e.id, true);
}

export function pickAt(api: MapApi, e: MapMouseEvent, snapPx = SNAP_PX): Picked {
  const pickable = api.legend.filter((x) => x.pickable);
  const kinds = new Set(pickable.flatMap((x) => x.kinds));
  const layers = api.queryableLayers().filter((id) => pickable.some((x) => x.styleLayers.includes(id)));
  const box: [[number, number], [number, number]] = [[e.point.x - snapPx, e.point.y - snapPx], [e.point.x + snapPx, e.point.y + snapPx]];
  const features = layers.length ? api.map.queryRenderedFeatures(box, { layers }) : [];
  let best: { f: MapGeoJSONFeature; d: number; lon: number; lat: number } | null = null;
  for (const f of features) {
    if (!kinds.has(f.properties?.kind)) continue;
    let lon = e.lngLat.lng, lat = e.lngLat.lat, d = 0;
    if (f.geometry.type === 'Point') {
      [lon, lat] = f.geometry.coordinates as [number, number];
      const p = api.map.project([lon, lat]);
      d = Math.hypot(p.x - e.point.x, p.y - e.point.y);
    } else {
      d = snapPx; // an area under the cursor loses to a point object close by
    }
    if (!best || d < best.d) best = { f, d, lon, lat };
  }
  if (!best) return { infraObjectId: null, kind: null, name: null, lon: e.lngLat.lng, lat: e.lngLat.lat };
  const id = Number(best.f.properties?.id ?? best.f.id);
  return { infraObjectId: Number.isFinite(id) ? id : null, kind: best.f.properties?.kind ?? null, name: best.f.properties?.name ?? null, lon: best.lon, lat: best.lat };
}
