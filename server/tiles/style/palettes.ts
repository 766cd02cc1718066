// Colours a style layer takes from the vocabulary instead of writing them in style.toml, so the
// tiles, the legend and the pages that draw with vocabulary/ colours (the public announcement map's
// circles, the statistics chart) cannot disagree. A layer names its palette (`palette = "utility"`)
// and writes "@palette" where a MapLibre colour goes.
import { UNKNOWN_COLOR, UTILITIES, UTILITY_COLOR } from '../../../vocabulary/announcements.ts';
import { messages } from '../../../vocabulary/i18n/messages.ts';

export interface Swatch { key: string; color: string; title: { uk: string; en: string } }

export interface Palette {
  /** The feature property the colour follows. */
  property: string;
  swatches: Swatch[];
  /** For a value the palette does not know. */
  fallback: string;
}

export const PALETTES: Record<string, Palette> = {
  utility: {
    property: 'utility',
    swatches: UTILITIES.map((u) => ({ key: u, color: UTILITY_COLOR[u], title: messages[`ann.utility.${u}`] })),
    fallback: UNKNOWN_COLOR,
  },
};

export const PALETTE_TOKEN = '@palette';

/** ["match", ["get", property], value, colour, …, fallback] */
export function paletteExpression(p: Palette): unknown[] {
  return ['match', ['get', p.property], ...p.swatches.flatMap((s) => [s.key, s.color]), p.fallback];
}

/** A copy of a paint/layout object with every "@palette" replaced by the palette's expression. */
export function applyPalette<T>(value: T, p: Palette | null): T {
  if (value === PALETTE_TOKEN) {
    if (!p) throw new Error('"@palette" used by a layer without a palette');
    return paletteExpression(p) as T;
  }
  if (Array.isArray(value)) return value.map((v) => applyPalette(v, p)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, applyPalette(v, p)])) as T;
  }
  return value;
}

/** Whether "@palette" occurs anywhere in a value. */
export function usesPalette(value: unknown): boolean {
  if (value === PALETTE_TOKEN) return true;
  if (Array.isArray(value)) return value.some(usesPalette);
  if (value && typeof value === 'object') return Object.values(value).some(usesPalette);
  return false;
}
