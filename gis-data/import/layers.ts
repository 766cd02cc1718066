// Which properties of a file (or tags of an OSM extract) feed which column of the model. Property
// names are compared normalised: lower case, runs of other characters as "_" ("addr:street" →
// "addr_street"); Shapefile's 10-character truncations are listed as aliases.

export const LAYERS = ['districts', 'streets', 'buildings', 'traffic_lights', 'stops', 'containers', 'kiosks', 'cleaning_zones', 'other', 'osm'] as const;
export type LayerName = (typeof LAYERS)[number];

import type { InfraKind } from '../../vocabulary/city.ts';

export type { InfraKind };
export type GeometryClass = 'point' | 'line' | 'polygon';
export type Model = 'district' | 'street' | 'building' | 'infra';

/** SQL expressions over a staged row: `p` (normalised properties, jsonb) and `fid`. */
export interface Feed {
  stage: string;
  /** Rows of the stage that are candidates for this layer. */
  where: string;
  src: string;
  label: string;
  name: string;
  nameEn: string;
  streetRaw: string;
  streetKind: string;
  number: string;
  levels: string;
  flats: string;
  buildingType: string;
  rank: string;
  org: string;
  address: string;
  attrs: string;
  /** A candidate that must not be imported: SQL returning a text detail (e.g. the tag) or NULL. */
  unsupported: string;
}

export interface Target {
  layer: string;
  model: Model;
  geometry: GeometryClass;
  infraKind?: InfraKind;
  feeds: Feed[];
}

const NULL = 'NULL::text';
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Builds expressions and remembers every property name they read. */
export class Props {
  used = new Set<string>(['ogc_fid']);
  pick(...keys: string[]): string {
    keys.forEach((k) => this.used.add(k));
    return `NULLIF(btrim(COALESCE(${keys.map((k) => `p->>${lit(k)}`).join(', ')})), '')`;
  }
}

type AttrType = 'text' | 'int' | 'list' | 'bool';
// Keys as the demo city and the map's object card (karta.attr.*) name them.
const INFRA_ATTRIBUTES: Record<InfraKind, Record<string, [AttrType, ...string[]]>> = {
  traffic_light: {
    ref: ['text', 'ref', 'code'], phases: ['int', 'phases'], sound: ['bool', 'sound', 'traffic_signals_sound', 'traffic_si'],
    pedestrian_button: ['bool', 'pedestrian_button', 'button', 'button_operated', 'button_ope'],
    countdown: ['bool', 'countdown'], installed: ['int', 'installed', 'year'],
  },
  stop: {
    routes: ['list', 'routes', 'route_ref', 'route'], shelter: ['bool', 'shelter'], bench: ['bool', 'bench'],
    e_board: ['bool', 'e_board', 'departures_board', 'departures'], ref: ['text', 'ref', 'code'],
  },
  container_site: {
    containers: ['int', 'containers', 'container_count', 'container_', 'count'], waste: ['list', 'waste', 'waste_type', 'types', 'recycling_type', 'recycling_'],
    schedule: ['text', 'schedule', 'collection_times', 'collection'], underground: ['bool', 'underground'], ref: ['text', 'ref', 'code'],
  },
  kiosk: {
    owner: ['text', 'owner', 'tenant'], purpose: ['text', 'purpose', 'goods', 'use', 'kind'], permit: ['text', 'permit', 'permit_number', 'permit_num', 'license', 'licence'],
    valid_until: ['text', 'valid_until', 'permit_until', 'permit_unt', 'expires'], area_m2: ['int', 'area_m2', 'area'],
    opening_hours: ['text', 'opening_hours', 'opening_ho', 'hours'],
  },
  cleaning_zone: { schedule: ['text', 'schedule', 'cleaning'], winter: ['text', 'winter'], ref: ['text', 'ref', 'code'] },
  other: { type: ['text', 'type', 'category'], capacity: ['int', 'capacity'], description: ['text', 'description', 'descriptio', 'note'] },
};

function attrsExpr(props: Props, kind: InfraKind, operatorKeys: string[]): string {
  const pairs: string[] = [];
  for (const [key, [type, ...aliases]] of Object.entries(INFRA_ATTRIBUTES[kind])) {
    const v = props.pick(...aliases);
    const value = type === 'int' ? `to_jsonb(NULLIF(substring(${v} from '^\\s*(\\d+)'), '')::int)`
      : type === 'list' ? `to_jsonb(regexp_replace(btrim(${v}, '[]"'), '"\\s*,\\s*"|\\s*[;,]\\s*', ', ', 'g'))`
      // yes/no as OSM and people write it; anything else is kept as written.
      : type === 'bool' ? `CASE WHEN lower(${v}) IN ('yes', 'true', '1', 'так', 't') THEN 'true'::jsonb
                               WHEN lower(${v}) IN ('no', 'false', '0', 'ні', 'f') THEN 'false'::jsonb ELSE to_jsonb(${v}) END`
      : `to_jsonb(${v})`;
    pairs.push(lit(key), value);
  }
  // The operator's name is shown even when it matches no executor of the city.
  pairs.push(`'operator'`, `to_jsonb(${props.pick(...operatorKeys)})`);
  return `jsonb_strip_nulls(jsonb_build_object(${pairs.join(', ')}))`;
}

const INFRA_LAYERS: Record<string, InfraKind> = {
  traffic_lights: 'traffic_light', stops: 'stop', containers: 'container_site', kiosks: 'kiosk', cleaning_zones: 'cleaning_zone', other: 'other',
};

const ORG_KEYS = ['organisation', 'organization', 'executor', 'responsible', 'operator', 'organisati', 'organizati'];

function blankFeed(stage: string): Feed {
  return {
    stage, where: 'true', src: NULL, label: `'#' || fid`, name: NULL, nameEn: NULL, streetRaw: NULL, streetKind: NULL, number: NULL,
    levels: NULL, flats: NULL, buildingType: NULL, rank: 'NULL::int', org: NULL, address: NULL, attrs: `'{}'::jsonb`, unsupported: NULL,
  };
}

/** The mapping for a plain file (GeoJSON, Shapefile, GeoPackage…) imported as one layer. */
/** `sourceName` (GDAL's layer name) and a feature id make the `file:<name>#<id>` source of infrastructure. */
export function fileTarget(layer: Exclude<LayerName, 'osm'>, sourceName: string, props = new Props()): Target {
  const f = blankFeed('file');
  const labelOf = (e: string) => `'#' || fid || COALESCE(' ' || ${e}, '')`;
  if (layer === 'districts') {
    f.name = props.pick('name', 'name_uk', 'district', 'title', 'raion');
    f.nameEn = props.pick('name_en');
    f.label = labelOf(f.name);
    return { layer, model: 'district', geometry: 'polygon', feeds: [f] };
  }
  if (layer === 'streets') {
    f.streetRaw = props.pick('name', 'name_uk', 'street', 'street_name', 'title');
    f.streetKind = props.pick('kind', 'type');
    f.rank = `COALESCE(NULLIF(substring(${props.pick('rank')} from '^[123]$'), '')::int, ${highwayRank(props.pick('highway', 'class', 'fclass'))})`;
    f.label = labelOf(f.streetRaw);
    return { layer, model: 'street', geometry: 'line', feeds: [f] };
  }
  if (layer === 'buildings') {
    const address = props.pick('address', 'addr', 'full_address', 'addr_full');
    // "вул. Незалежності, 12" in one property: the part after the last comma is the number.
    f.streetRaw = `COALESCE(${props.pick('street', 'addr_street', 'addr_stree', 'street_name', 'street_nam')}, NULLIF(btrim(substring(${address} from '^(.*),[^,]*$')), ''))`;
    f.number = `COALESCE(${props.pick('housenumber', 'house_number', 'addr_housenumber', 'addr_house', 'housenumbe', 'house_numb', 'number', 'house', 'house_no')}, NULLIF(btrim(substring(${address} from ',([^,]*)$')), ''))`;
    f.levels = props.pick('levels', 'floors', 'building_levels', 'building_l', 'storeys');
    f.flats = props.pick('apartments', 'flats', 'building_flats', 'building_f', 'apartment', 'apts');
    f.buildingType = props.pick('building', 'type', 'use');
    f.label = labelOf(`concat_ws(', ', ${f.streetRaw}, ${f.number})`);
    return { layer, model: 'building', geometry: 'polygon', feeds: [f] };
  }
  const kind = INFRA_LAYERS[layer];
  f.name = props.pick('name', 'name_uk', 'title');
  f.org = props.pick(...ORG_KEYS);
  f.address = `COALESCE(${props.pick('address', 'addr_full')}, NULLIF(concat_ws(', ', ${props.pick('addr_street', 'street')}, ${props.pick('addr_housenumber', 'housenumber')}), ''))`;
  f.attrs = attrsExpr(props, kind, ORG_KEYS);
  // A stable id from the file when it has one, else GDAL's feature id: re-imports update in place.
  f.src = `'file:' || ${lit(sourceName)} || '#' || COALESCE(${props.pick('id', 'source_id', 'uid', 'fid')}, fid::text)`;
  f.label = labelOf(f.name);
  return { layer, model: 'infra', infraKind: kind, geometry: kind === 'cleaning_zone' ? 'polygon' : 'point', feeds: [f] };
}

function highwayRank(h: string): string {
  return `CASE WHEN ${h} ~ '^(motorway|trunk|primary)' THEN 1 WHEN ${h} ~ '^(secondary|tertiary)' THEN 2 WHEN ${h} IS NOT NULL THEN 3 END`;
}

const STREET_HIGHWAYS = ['motorway', 'trunk', 'primary', 'secondary', 'tertiary', 'motorway_link', 'trunk_link', 'primary_link', 'secondary_link',
  'tertiary_link', 'unclassified', 'residential', 'living_street', 'pedestrian', 'service', 'road'];

/** The mappings of an OSM extract, in merge order (streets before the buildings that name them). */
export function osmTargets(): Target[] {
  const props = new Props();
  const tag = (k: string) => props.pick(k);
  const osmSrc = `CASE WHEN p ? 'osm_way_id' THEN 'osm:way/' || (p->>'osm_way_id') WHEN p ? 'osm_id' AND stage_kind = 'multipolygons' THEN 'osm:relation/' || (p->>'osm_id')
    WHEN stage_kind = 'lines' THEN 'osm:way/' || (p->>'osm_id') ELSE 'osm:node/' || (p->>'osm_id') END`;
  const feed = (stage: string, where: string): Feed => ({ ...blankFeed(stage), where, src: osmSrc, label: osmSrc });

  const streets = feed('lines', `${tag('highway')} IN (${STREET_HIGHWAYS.map(lit).join(', ')}) AND COALESCE(${tag('name_uk')}, ${tag('name')}) IS NOT NULL`);
  streets.streetRaw = `COALESCE(${tag('name_uk')}, ${tag('name')})`;
  streets.rank = highwayRank(tag('highway'));

  const buildings = feed('multipolygons', `${tag('building')} IS NOT NULL AND ${tag('building')} <> 'no'`);
  buildings.streetRaw = tag('addr_street');
  buildings.number = tag('addr_housenumber');
  buildings.levels = tag('building_levels');
  buildings.flats = tag('building_flats');
  buildings.buildingType = tag('building');

  const infra = (layer: string, kind: InfraKind, where: string, unsupported = NULL): Target => {
    const feeds = ['points', 'multipolygons'].map((stage) => {
      const f = feed(stage, where);
      f.name = `COALESCE(${tag('name_uk')}, ${tag('name')})`;
      f.org = tag('operator');
      f.address = `NULLIF(concat_ws(', ', ${tag('addr_street')}, ${tag('addr_housenumber')}), '')`;
      f.attrs = attrsExpr(props, kind, ['operator']);
      f.unsupported = unsupported;
      return f;
    });
    return { layer, model: 'infra', infraKind: kind, geometry: 'point', feeds };
  };
  return [
    { layer: 'streets', model: 'street', geometry: 'line', feeds: [streets] },
    { layer: 'buildings', model: 'building', geometry: 'polygon', feeds: [buildings] },
    infra('traffic_lights', 'traffic_light', `${tag('highway')} = 'traffic_signals'`),
    // Stop positions on the carriageway duplicate the platform passengers wait on: reported, not imported.
    infra('stops', 'stop', `${tag('highway')} = 'bus_stop' OR ${tag('public_transport')} IN ('platform', 'stop_position')`,
      `CASE WHEN ${tag('public_transport')} = 'stop_position' AND ${tag('highway')} IS DISTINCT FROM 'bus_stop' THEN 'public_transport=stop_position' END`),
    // Litter bins are not container sites: reported so a mapper sees why they are missing.
    infra('containers', 'container_site', `${tag('amenity')} IN ('waste_disposal', 'recycling', 'waste_basket')`,
      `CASE WHEN ${tag('amenity')} = 'waste_basket' THEN 'amenity=waste_basket' END`),
    infra('kiosks', 'kiosk', `${tag('shop')} = 'kiosk'`),
  ];
}

export function isLayer(s: string): s is LayerName {
  return (LAYERS as readonly string[]).includes(s);
}
