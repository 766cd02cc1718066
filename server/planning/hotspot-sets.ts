// The hotspot definition stated once more, in TypeScript over raw appeals: two appeals of one
// category are linked when their registrations are within HOTSPOT_WINDOW_DAYS and they name the
// same place (object or building, as hotspot_place() of migration 132 resolves it) or, both being
// points that are no place, lie within HOTSPOT_RADIUS_M (measured as the migration does, in
// EPSG:3857 scaled by the two latitudes' mean stretch); sets are the connected groups of two or more. The database keeps the sets
// incrementally; this independent computation is what the tests hold them to, and what the
// benchmark times as the cost of clustering per request.
import { HOTSPOT_RADIUS_M, HOTSPOT_WINDOW_DAYS } from '../../vocabulary/planning.ts';

export interface HotspotInput { id: string; categoryId: number; place: string | null; lon: number; lat: number; at: Date }

const EARTH = 6378137;
const CELL = 125; // as hotspot_cell_size()
const WINDOW_MS = HOTSPOT_WINDOW_DAYS * 86400_000;

/** The sets of linked appeals: each a sorted list of appeal ids, the lists sorted by their first id. */
export function hotspotSets(appeals: readonly HotspotInput[]): string[][] {
  const n = appeals.length;
  const x = new Float64Array(n), y = new Float64Array(n), k = new Float64Array(n), t = new Float64Array(n);
  appeals.forEach((a, i) => {
    const phi = (a.lat * Math.PI) / 180;
    x[i] = (EARTH * a.lon * Math.PI) / 180;
    y[i] = EARTH * Math.log(Math.tan(Math.PI / 4 + phi / 2));
    k[i] = 1 / Math.cos(phi);
    t[i] = a.at.getTime();
  });
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; };
  const union = (a: number, b: number) => { const ra = find(a), rb = find(b); if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb); };

  // Each category in time order: a place links to its own previous appeal within the window; a
  // point to the last window's points in the 3 × 3 grid cells around it.
  const order = [...appeals.keys()].sort((a, b) => appeals[a].categoryId - appeals[b].categoryId || t[a] - t[b]);
  let cells = new Map<string, number[]>();
  let places = new Map<string, number>();
  let category = NaN;
  for (const i of order) {
    if (appeals[i].categoryId !== category) { category = appeals[i].categoryId; cells = new Map(); places = new Map(); }
    const place = appeals[i].place;
    if (place !== null) {
      const previous = places.get(place);
      if (previous !== undefined && t[i] - t[previous] <= WINDOW_MS) union(i, previous);
      places.set(place, i);
      continue;
    }
    const cx = Math.floor(x[i] / CELL), cy = Math.floor(y[i] / CELL);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const list = cells.get(`${cx + dx},${cy + dy}`);
        if (!list) continue;
        for (let q = list.length - 1; q >= 0; q--) {
          const j = list[q];
          if (t[i] - t[j] > WINDOW_MS) { list.splice(0, q + 1); break; }
          const r = (HOTSPOT_RADIUS_M * (k[i] + k[j])) / 2;
          if ((x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2 <= r * r) union(i, j);
        }
      }
    }
    const own = `${cx},${cy}`;
    (cells.get(own) ?? cells.set(own, []).get(own)!).push(i);
  }
  const groups = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    (groups.get(root) ?? groups.set(root, []).get(root)!).push(appeals[i].id);
  }
  const byId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort(byId)).sort((a, b) => byId(a[0], b[0]));
}
