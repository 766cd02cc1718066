import type { Kind, Utility } from '$vocabulary/announcements';

export interface AnnouncementProps {
  id: number; kind: Kind; utility: Utility; title: string; status: string;
  starts_at: string; ends_at: string; buildings: number; apartments: number; executor: string; executor_id: number; active: boolean;
}
export interface AnnouncementFeature { type: 'Feature'; id: number; geometry: { type: 'Point'; coordinates: [number, number] }; properties: AnnouncementProps }
export interface AnnouncementCollection { type: 'FeatureCollection'; features: AnnouncementFeature[] }

export interface AnnouncementDetail {
  id: number; kind: Kind; utility: Utility; executorId: number; executor: string; executorPhone: string | null;
  title: string; description: string; contact: string; startsAt: string; endsAt: string; status: 'published' | 'cancelled' | 'closed';
  sourceKind: 'polygon' | 'line' | 'buildings'; bufferM: number | null; buildings: number; apartments: number; residents: number;
  lon: number; lat: number; closedAt: string | null; zone: GeoJSON.MultiPolygon | null;
  addresses: { id: number; address: string; apartments: number; lon: number; lat: number }[]; addressesTruncated: boolean;
}
export interface BuildingAnnouncement { id: number; kind: Kind; utility: Utility; title: string; startsAt: string; endsAt: string; executor: string }
export interface Meta {
  utilities: Utility[]; kinds: Kind[];
  districts: { id: number; name: string; nameEn: string | null }[];
  executors: { id: number; code: string; name: string; utility: Utility | null }[];
}

/** Bounds [[w,s],[e,n]] of a (multi)polygon. */
export function bounds(g: GeoJSON.MultiPolygon | GeoJSON.Polygon): [[number, number], [number, number]] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const p of polys) for (const ring of p) for (const [x, y] of ring) { w = Math.min(w, x); s = Math.min(s, y); e = Math.max(e, x); n = Math.max(n, y); }
  return [[w, s], [e, n]];
}
