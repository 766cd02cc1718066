// The map view in the URL hash, so a link restores what the sender saw:
// #map=16.50/48.92260/24.71110&layers=stops,traffic_lights   (zoom/lat/lon as OpenStreetMap writes it)
// `layers` lists the visible toggleable layers; absent means the defaults.
export interface ViewState { zoom: number; lat: number; lon: number; layers: string[] | null }

export function parseViewHash(hash: string): Partial<ViewState> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const out: Partial<ViewState> = {};
  const m = /^(\d{1,2}(?:\.\d+)?)\/(-?\d{1,2}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)$/.exec(params.get('map') ?? '');
  if (m) {
    const [zoom, lat, lon] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (zoom >= 0 && zoom <= 24 && Math.abs(lat) <= 85.06 && Math.abs(lon) <= 180) Object.assign(out, { zoom, lat, lon });
  }
  const layers = params.get('layers');
  if (layers !== null) out.layers = layers.split(',').map((s) => s.trim()).filter((s) => /^[\w-]{1,64}$/.test(s));
  return out;
}

export function formatViewHash(v: ViewState): string {
  // Precision grows with zoom: about a metre at street level, no noise digits when zoomed out.
  const digits = Math.max(2, Math.min(6, Math.ceil(Math.log10(2 ** v.zoom))));
  let hash = `#map=${v.zoom.toFixed(2)}/${v.lat.toFixed(digits)}/${v.lon.toFixed(digits)}`;
  if (v.layers) hash += `&layers=${v.layers.join(',')}`;
  return hash;
}
