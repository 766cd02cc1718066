// Reads tiles/style/style.toml: how each registry layer is drawn and what the UI may do with it
// (legend group and order, switch, hidden at start, pickable objects and their kinds, palette).
import { parse } from 'smol-toml';
import { isInfraKind, type InfraKind } from '../../../vocabulary/city.ts';
import { PALETTES, usesPalette, type Palette } from './palettes.ts';

export interface LocalText { uk: string; en: string }

/** The group whose layers a map naming another as its `basemap` draws beneath its own. */
export const BASEMAP_GROUP = 'basemap';

export interface LegendGroup {
  id: string;
  title: LocalText;
  /** Default for the group's layers: shown as a switch. */
  toggle: boolean;
}

export interface LayerStyle {
  title: LocalText;
  group: string;
  toggle: boolean;
  /** Drawn but switched off until the user (or a link) turns it on. */
  hidden: boolean;
  /** Its features are infrastructure objects a click may pick (the desk pins an appeal on them). */
  pickable: boolean;
  /** Infrastructure kinds (vocabulary/city.ts) its features carry in their `kind` property. */
  kinds: InfraKind[];
  icon: string | null;
  color: string;
  palette: Palette | null;
  /** MapLibre layers drawn for this registry layer, without id/source/source-layer. */
  draw: Record<string, unknown>[];
}

export interface StyleConfig {
  background: string;
  font: string;
  /** In the order the legend lists them. */
  groups: LegendGroup[];
  maps: Record<string, { basemap?: string; cacheTtlSeconds?: number; title?: LocalText }>;
  layers: Record<string, LayerStyle>;
}

const where = 'tiles/style/style.toml';

function text(v: any, what: string): LocalText {
  if (typeof v?.uk !== 'string' || typeof v?.en !== 'string' || !v.uk || !v.en) throw new Error(`${where}: ${what} needs uk and en`);
  return { uk: v.uk, en: v.en };
}
function flag(v: unknown, fallback: boolean, what: string): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${where}: ${what} must be true or false`);
  return v;
}

export function parseStyle(source: string): StyleConfig {
  const s = parse(source) as Record<string, any>;
  const groups: LegendGroup[] = [];
  for (const g of (s.groups ?? []) as any[]) {
    if (typeof g.id !== 'string' || !/^[a-z][a-z0-9_]*$/.test(g.id)) throw new Error(`${where}: every [[groups]] needs an id (a lowercase slug)`);
    if (groups.some((x) => x.id === g.id)) throw new Error(`${where}: group ${g.id} is declared twice`);
    groups.push({ id: g.id, title: text(g.title, `groups.${g.id}.title`), toggle: flag(g.toggle, true, `groups.${g.id}.toggle`) });
  }
  const layers: Record<string, LayerStyle> = {};
  for (const [name, l] of Object.entries((s.layers ?? {}) as Record<string, any>)) {
    const group = groups.find((g) => g.id === l.group);
    if (!group) throw new Error(`${where}: layers.${name}.group "${l.group}" is not one of the [[groups]] (${groups.map((g) => g.id).join(', ')})`);
    if (!Array.isArray(l.draw) || !l.draw.length) throw new Error(`${where}: layers.${name} needs [[layers.${name}.draw]] entries`);
    const kinds = (l.kinds ?? []) as unknown[];
    if (!Array.isArray(kinds) || !kinds.every(isInfraKind)) throw new Error(`${where}: layers.${name}.kinds must list infrastructure kinds of vocabulary/city.ts`);
    const pickable = flag(l.pickable, false, `layers.${name}.pickable`);
    if (pickable && !kinds.length) throw new Error(`${where}: layers.${name} is pickable: name the kinds its features carry (kinds = [...])`);
    const toggle = flag(l.toggle, group.toggle, `layers.${name}.toggle`);
    const hidden = flag(l.hidden, false, `layers.${name}.hidden`);
    if (hidden && !toggle) throw new Error(`${where}: layers.${name} is hidden but has no switch to show it`);
    let palette: Palette | null = null;
    if (l.palette !== undefined) {
      palette = PALETTES[l.palette] ?? null;
      if (!palette) throw new Error(`${where}: layers.${name}.palette "${l.palette}" is none of ${Object.keys(PALETTES).join(', ')}`);
    }
    if (!palette && usesPalette(l.draw)) throw new Error(`${where}: layers.${name} uses "@palette" but names no palette`);
    layers[name] = {
      title: text(l.title, `layers.${name}.title`),
      group: group.id,
      toggle,
      hidden,
      pickable,
      kinds: kinds as InfraKind[],
      icon: l.icon ?? null,
      color: l.color ?? palette?.fallback ?? '#888888',
      palette,
      draw: l.draw,
    };
  }
  const maps: StyleConfig['maps'] = {};
  for (const [name, m] of Object.entries((s.maps ?? {}) as Record<string, any>)) {
    maps[name] = { basemap: m.basemap, cacheTtlSeconds: m.cache_ttl_seconds, title: m.title };
  }
  return { background: s.background ?? '#f2efe9', font: s.font ?? 'DejaVu Sans', groups, maps, layers };
}
