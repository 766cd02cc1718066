// Announcements of utilities: which utilities and kinds there are, their one palette (the public
// map's circles and zones, the tiles' style, the legend, the utility page and the statistics chart
// all read these colours), how circles are sized, and what a drawn zone and its texts may be.

export const UTILITIES = ['electricity', 'gas', 'cold_water', 'hot_water', 'heating'] as const;
export const KINDS = ['outage', 'excavation'] as const;
export type Utility = (typeof UTILITIES)[number];
export type Kind = (typeof KINDS)[number];
export const isUtility = (v: unknown): v is Utility => (UTILITIES as readonly unknown[]).includes(v);
export const isKind = (v: unknown): v is Kind => (KINDS as readonly unknown[]).includes(v);

export const UTILITY_COLOR: Record<Utility, string> = {
  electricity: '#f2a900', // amber
  gas: '#7b3fd0',         // violet
  cold_water: '#1c6fd6',  // blue
  hot_water: '#e0301e',   // red
  heating: '#2f9e44',     // green
};
export const KIND_COLOR: Record<Kind, string> = { outage: '#c92a2a', excavation: '#8d5a2b' };
/** A colour for a utility this table does not know (data from an older import). */
export const UNKNOWN_COLOR = '#868e96';
/** Series colours for keys without a meaning of their own (executors, districts). */
export const SERIES = ['#1c6fd6', '#e0301e', '#2f9e44', '#f2a900', '#7b3fd0', '#0ca5b0', '#d6336c', '#5c940d', '#8d5a2b', '#495057'];

export function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
export const utilityRgb = (u: string): [number, number, number] => hexToRgb(UTILITY_COLOR[u as Utility] ?? UNKNOWN_COLOR);

/** Circle radius in pixels: the AREA grows with the number of affected buildings. */
export const RADIUS_PER_SQRT_BUILDING = 5;
export const MIN_RADIUS = 5;
export const MAX_RADIUS = 90;
export const circleRadius = (buildings: number) =>
  Math.min(MAX_RADIUS, Math.max(MIN_RADIUS, RADIUS_PER_SQRT_BUILDING * Math.sqrt(Math.max(0, buildings))));

/** From this zoom on the real zone polygons replace the circles. */
export const ZONES_FROM_ZOOM = 15;

/** A drawn zone: more vertices than this is a mistake or an attack, not a zone. */
export const MAX_VERTICES = 1000;
export const MAX_PICKED = 2000;
export const MIN_WIDTH_M = 1;
export const MAX_WIDTH_M = 500;
/** Picked footprints are grown by this much so neighbours sharing a wall form one zone. */
export const PICK_GROW_M = 1.5;
export const TEXT_MAX = { title: 200, description: 4000, contact: 300, reason: 1000 } as const;
