// The demo cities the generator can build. `default` is the size of Ivano-Frankivsk, `kyiv` the
// size of Kyiv (the 10-minute load benchmark), `small` a quick city for tests of the generator.
import { DISTRICTS_IF, DISTRICTS_KYIV, MAIN_STREETS_IF, MAIN_STREETS_KYIV } from './names.ts';

export type BuildingType = 'private' | 'low' | 'old' | 'khrushchovka' | 'panel9' | 'tower' | 'highrise' | 'nonres';

export interface Preset {
  name: string;
  city: 'if' | 'kyiv';
  cityName: string;
  centre: [number, number];      // lon, lat
  rotationDeg: number;           // the street grid's bearing
  buildings: number;
  residents: number;
  appeals: number;
  announcements: { historic: number; active: number; upcoming: number };
  districts: [string, string][];
  mainStreets: [string, string][];
  infra: { trafficLights: number; stops: number; containerSites: number; kiosks: number; other: number };
  block: { x: [number, number]; y: [number, number] }; // block sizes in metres
  mainEvery: number;             // every n-th grid line is a main avenue (and every n/2-th secondary)
  zoneCells: number;             // a cleaning zone is zoneCells × zoneCells blocks
  maxFloors: number;
  /** Building type mix by distance from the centre (q = share of the city built so far). */
  mix: { upTo: number; weights: Partial<Record<BuildingType, number>> }[];
  rivers: { name: string; at: number; width: number }[]; // at: x position as a fraction of the radius
  forest: string;
  park: string;
  lake: string;
  landline: string;              // digits after +380 for city landlines ("342")
  numberPrefix: string;          // appeal numbers "15-80/2026/000123"
  emailDomain: string;
  /** full: every step of an appeal in appeal_event; compact: registration and the latest state only
   *  (the 10-million-appeal preset would otherwise write ~40 million history rows). */
  history: 'full' | 'compact';
}

const IF_MIX: Preset['mix'] = [
  { upTo: 0.06, weights: { old: 75, nonres: 15, low: 10 } },
  { upTo: 0.5, weights: { khrushchovka: 17, panel9: 12, tower: 3, low: 14, nonres: 20, private: 34 } },
  { upTo: 1, weights: { private: 80, low: 6, khrushchovka: 3, panel9: 2, nonres: 9 } },
];

export const PRESETS: Record<string, Preset> = {
  default: {
    name: 'default', city: 'if', cityName: 'Івано-Франківськ', centre: [24.7111, 48.9226], rotationDeg: -14,
    buildings: 8_000, residents: 230_000, appeals: 80_000,
    announcements: { historic: 700, active: 14, upcoming: 24 },
    districts: DISTRICTS_IF.slice(0, 8), mainStreets: MAIN_STREETS_IF,
    infra: { trafficLights: 150, stops: 400, containerSites: 600, kiosks: 300, other: 40 },
    block: { x: [130, 210], y: [105, 170] }, mainEvery: 6, zoneCells: 3, maxFloors: 16, mix: IF_MIX,
    rivers: [
      { name: 'Бистриця Солотвинська', at: -0.78, width: 45 },
      { name: 'Бистриця Надвірнянська', at: 0.82, width: 55 },
    ],
    forest: 'Чорний ліс', park: 'Парк ім. Тараса Шевченка', lake: 'Міське озеро',
    landline: '342', numberPrefix: '15-80', emailDomain: 'if.misto.example', history: 'full',
  },
  small: {
    name: 'small', city: 'if', cityName: 'Івано-Франківськ', centre: [24.7111, 48.9226], rotationDeg: -14,
    buildings: 900, residents: 20_000, appeals: 6_000,
    announcements: { historic: 60, active: 5, upcoming: 6 },
    districts: DISTRICTS_IF.slice(0, 6), mainStreets: MAIN_STREETS_IF,
    infra: { trafficLights: 20, stops: 50, containerSites: 60, kiosks: 30, other: 8 },
    block: { x: [130, 210], y: [105, 170] }, mainEvery: 6, zoneCells: 3, maxFloors: 16, mix: IF_MIX,
    rivers: [{ name: 'Бистриця Надвірнянська', at: 0.8, width: 45 }],
    forest: 'Чорний ліс', park: 'Парк ім. Тараса Шевченка', lake: 'Міське озеро',
    landline: '342', numberPrefix: '15-80', emailDomain: 'if.misto.example', history: 'full',
  },
  kyiv: {
    name: 'kyiv', city: 'kyiv', cityName: 'Київ', centre: [30.5234, 50.4501], rotationDeg: -8,
    buildings: 150_000, residents: 3_000_000, appeals: 10_000_000,
    announcements: { historic: 9_000, active: 60, upcoming: 120 },
    districts: DISTRICTS_KYIV, mainStreets: MAIN_STREETS_KYIV,
    infra: { trafficLights: 2_000, stops: 6_000, containerSites: 9_000, kiosks: 3_500, other: 300 },
    block: { x: [160, 300], y: [130, 240] }, mainEvery: 6, zoneCells: 4, maxFloors: 25,
    mix: [
      { upTo: 0.05, weights: { old: 60, nonres: 30, low: 10 } },
      { upTo: 0.6, weights: { khrushchovka: 8, panel9: 5, tower: 2.5, highrise: 1.2, low: 14, nonres: 28, private: 41 } },
      { upTo: 1, weights: { private: 82, low: 5, panel9: 0.7, highrise: 0.3, nonres: 12 } },
    ],
    rivers: [{ name: 'Дніпро', at: 0.18, width: 420 }, { name: 'Либідь', at: -0.35, width: 25 }],
    forest: 'Голосіївський ліс', park: 'Парк ім. Тараса Шевченка', lake: 'Озеро Тельбін',
    landline: '44', numberPrefix: '1551', emailDomain: 'kyiv.misto.example', history: 'compact',
  },
};

export function preset(name: string): Preset {
  const p = PRESETS[name];
  if (!p) throw new Error(`Unknown preset "${name}". Presets: ${Object.keys(PRESETS).join(', ')}`);
  return p;
}
