// Planners' maps and the mayor's live dashboard: shapes shared by the server and the pages.
// MAP_HEX_SIZES is the list migration 130 (appeal_hex_sizes) keeps rollups for: EPSG:3857 units,
// the circumradius of ST_HexagonGrid's cells (on the ground about 0.66 of that at Kyiv's latitude).
export const MAP_HEX_SIZES = [250, 500, 1000, 2000, 4000] as const;
export type HexSize = (typeof MAP_HEX_SIZES)[number];

/**
 * Cell (i, j) of `size` as ST_Hexagon draws it (flat-topped, EPSG:3857, origin 0, odd columns half
 * a row up), in lon/lat to six decimals. Drawn here rather than by PostGIS: a city at 250 m has
 * thousands of cells, and the arithmetic is the same.
 */
export function hexagonPolygon(size: number, i: number, j: number): [number, number][] {
  const h = (size * Math.sqrt(3)) / 2;
  const cx = 1.5 * size * i, cy = 2 * h * j + (Math.abs(i) % 2 === 1 ? h : 0);
  const corners: [number, number][] = [[-size, 0], [-size / 2, -h], [size / 2, -h], [size, 0], [size / 2, h], [-size / 2, h], [-size, 0]];
  const R = 6378137, deg = 180 / Math.PI, round = (v: number) => Math.round(v * 1e6) / 1e6;
  return corners.map(([dx, dy]) => [round(((cx + dx) / R) * deg), round((2 * Math.atan(Math.exp((cy + dy) / R)) - Math.PI / 2) * deg)]);
}

/** The longest period a planner's map aggregates, days. */
export const MAP_MAX_DAYS = 366;

/** The cell size that suits a map zoom: about 20–40 screen pixels across. */
export function hexSizeForZoom(zoom: number): HexSize {
  if (zoom >= 15) return 250;
  if (zoom >= 14) return 500;
  if (zoom >= 13) return 1000;
  if (zoom >= 12) return 2000;
  return 4000;
}

/**
 * Hotspots: two appeals of one category are linked when their places are within HOTSPOT_RADIUS_M
 * and their registrations within HOTSPOT_WINDOW_DAYS; a hotspot is a connected set of them. The
 * sets are kept by the database as appeals come (migration 132, hotspot_radius_m and
 * hotspot_window_days, the same figures), so the two are the city's definition, not a query's.
 */
export const HOTSPOT_RADIUS_M = 50;
export const HOTSPOT_WINDOW_DAYS = 14;
export const HOTSPOT_MIN_APPEALS = { fallback: 3, min: 2, max: 100 } as const;
/** A hotspot recurs regularly when the spread of its intervals is within this share of their mean. */
export const REGULAR_VARIATION = 0.35;
export const HOTSPOT_LIMIT = 200;

export interface HexCell { i: number; j: number; appeals: number; polygon: [number, number][] }
export interface HexagonsReport { from: string; to: string; size: number; max: number; total: number; cells: HexCell[] }
export interface HexCategoryCount { categoryId: number; code: string; name: string; nameEn: string; appeals: number }

export interface DistrictCount { districtId: number; name: string; nameEn: string | null; appeals: number; geometry: unknown }
export interface DistrictsReport { from: string; to: string; max: number; total: number; districts: DistrictCount[] }

export interface Hotspot {
  categoryId: number; category: string; categoryEn: string;
  address: string | null; lon: number; lat: number;
  appeals: number; first: string; last: string;
  /** Mean days between consecutive appeals; null for a single day. */
  meanIntervalDays: number | null;
  /** Standard deviation of the intervals over their mean. */
  variation: number | null;
  regular: boolean;
}

export interface AnnouncementCalls {
  announcementId: number; utility: string; kind: string; title: string; startsAt: string; endsAt: string;
  buildings: number; calls: number; appeals: number; lon: number; lat: number; zone: unknown;
}
export interface UtilityCalls { utility: string; announcements: number; calls: number; appeals: number }
/** The announcements the page lists (with their outlines) out of a period's; the totals and the CSV have all. */
export const ANNOUNCEMENT_CALLS_LISTED = 300;
export interface AnnouncementCallsReport { from: string; to: string; byUtility: UtilityCalls[]; count: number; announcements: AnnouncementCalls[] }

/** The mayor's dashboard: figures of the Kyiv day, no one's personal data. */
export interface LiveDashboard {
  at: string;
  day: string;
  calls: { offered: number; answered: number; abandoned: number; serviceLevel: number | null; averageSpeedOfAnswerSeconds: number | null };
  appeals: { today: number; open: number; overdue: number };
  topIssues: { categoryId: number; name: string; nameEn: string; appeals: number }[];
  outages: { id: number; utility: string; kind: string; title: string; startsAt: string; endsAt: string; buildings: number; lon: number; lat: number }[];
}
export const LIVE_TOP_ISSUES = 5;
