// Utilities' announcements: a past year of outages and excavations, plus ones active at "now"
// and planned over the next week, so the public map is never empty on a first start. Zones are
// drawn the three ways a utility draws them (polygon, a trench line with a buffer, picked
// buildings); the affected buildings are computed by PostGIS in the loader.
import { Weighted, type Rng } from './random.ts';
import type { Building, CityPlan } from './layout.ts';
import { addressOf, buildingRing } from './layout.ts';
import type { Preset } from './presets.ts';
import { UTILITY_EXECUTOR, type ExecutorDef } from './catalogue.ts';
import { CopyWriter, line } from './copy.ts';
import { multiPolygon, lineString, type Ring } from './ewkb.ts';
import { ts, DAY, HOUR } from './time.ts';

export const ANNOUNCEMENT_COLUMNS = ['id', 'kind', 'utility', 'executor_id', 'title', 'description', 'contact', 'starts_at', 'ends_at', 'status',
  'source_kind', 'source_geom', 'buffer_m', 'zone', 'created_by', 'created_at', 'updated_at', 'closed_at'];

type Utility = 'electricity' | 'gas' | 'cold_water' | 'hot_water' | 'heating';
const UTILITIES = new Weighted<Utility>(['electricity', 'cold_water', 'hot_water', 'gas', 'heating'], [32, 26, 18, 14, 10]);
const GENITIVE: Record<Utility, string> = {
  electricity: 'електропостачання', gas: 'газопостачання', cold_water: 'холодного водопостачання', hot_water: 'гарячого водопостачання', heating: 'теплопостачання',
};
const WORKS: Record<Utility, string[]> = {
  electricity: ['заміна кабельної лінії 0,4 кВ', 'ремонт трансформаторної підстанції', 'прокладання кабелю'],
  gas: ['заміна ділянки газопроводу', 'врізка газопроводу', 'ремонт газорозподільного пункту'],
  cold_water: ['ремонт водопроводу', 'заміна засувок на водогоні', 'ліквідація пориву водопроводу'],
  hot_water: ['ремонт трубопроводу гарячої води', 'гідравлічні випробування тепломереж', 'заміна ділянки тепломережі'],
  heating: ['ремонт тепломережі', 'заміна ділянки тепломережі', 'ремонт теплового пункту'],
};

export interface AnnouncementContext { executors: Map<string, ExecutorDef & { id: number }>; userOf: Map<string, number> }

export async function writeAnnouncements(p: Preset, plan: CityPlan, ctx: AnnouncementContext, rng: Rng, now: number, out: CopyWriter): Promise<number> {
  const homes = plan.buildings.filter((b) => b.apartments > 0);
  const inSeason = (ms: number) => { const m = new Date(ms).getUTCMonth(); return m >= 9 || m <= 3; };
  let id = 0;
  const make = async (startsAt: number, when: 'past' | 'now' | 'next') => {
    let utility = UTILITIES.sample(rng);
    if (utility === 'heating' && !inSeason(startsAt)) utility = 'hot_water';
    const kind = rng.chance(utility === 'electricity' ? 0.15 : 0.32) ? 'excavation' : 'outage';
    const emergency = kind === 'outage' && rng.chance(0.2);
    const summer = [4, 5, 6, 7].includes(new Date(startsAt).getUTCMonth());
    let hours: number;
    if (kind === 'excavation') hours = rng.int(1, 14) * 24;
    else if (utility === 'hot_water' && summer && rng.chance(0.6)) hours = rng.int(3, 14) * 24; // the summer maintenance break
    else hours = ({ electricity: rng.int(2, 8), gas: rng.int(4, 48), cold_water: rng.int(3, 24), hot_water: rng.int(4, 24), heating: rng.int(6, 48) })[utility];
    let endsAt = startsAt + hours * HOUR;
    if (when === 'now' && endsAt <= now + HOUR) endsAt = now + rng.int(2, 96) * HOUR;
    const b = rng.pick(homes);
    const zone = drawZone(kind, utility, b, plan, rng);
    const ex = ctx.executors.get(UTILITY_EXECUTOR[utility])!;
    const createdAt = emergency ? startsAt - rng.int(5, 60) * 60_000 : startsAt - rng.range(1, 5) * DAY;
    let status = 'published', closedAt: number | null = null;
    if (when === 'past') {
      const x = rng.next();
      if (x < 0.06) { status = 'cancelled'; closedAt = createdAt + (startsAt - createdAt) * rng.range(0.2, 0.9); }
      else if (x < 0.1) { status = 'closed'; closedAt = startsAt + (endsAt - startsAt) * rng.range(0.3, 0.8); }
    }
    const street = b.street!;
    const title = kind === 'outage' ? `${emergency ? 'Аварійне' : 'Планове'} відключення ${GENITIVE[utility]}` : `Розкопка: ${rng.pick(WORKS[utility])}`;
    const description = `${kind === 'outage' ? `Причина: ${rng.pick(WORKS[utility])}.` : 'Обмеження руху та проходу в зоні робіт.'} ` +
      `Роботи в районі ${addressOf(street, b.number)}.`;
    id++;
    await out.write(line([
      id, kind, utility, ex.id, title, description, `Диспетчерська ${ex.name}: ${ex.phone}`, ts(startsAt), ts(endsAt), status,
      zone.sourceKind, zone.source, zone.buffer, zone.zone, ctx.userOf.get(ex.code) ?? null, ts(createdAt), ts(closedAt ?? createdAt), closedAt ? ts(closedAt) : null,
    ]));
  };
  for (let k = 0; k < p.announcements.historic; k++) await make(now - rng.range(15, 365) * DAY, 'past');
  for (let k = 0; k < p.announcements.active; k++) await make(now - rng.range(1, 72) * HOUR, 'now');
  for (let k = 0; k < p.announcements.upcoming; k++) await make(now + rng.range(2, 7 * 24) * HOUR, 'next');
  return id;
}

interface Zone { sourceKind: 'polygon' | 'line' | 'buildings'; source: string; buffer: number | null; zone: string }

/** Every zone covers the building it was drawn around, so no announcement affects nothing. */
function drawZone(kind: string, utility: Utility, b: Building, plan: CityPlan, rng: Rng): Zone {
  const { toLonLat } = plan;
  const cx = (b.rect[0] + b.rect[2]) / 2, cy = (b.rect[1] + b.rect[3]) / 2;
  if (kind === 'excavation') {
    // A trench along the building's street, buffered to reach past the front of the houses.
    const half = rng.range(30, 160), width = Math.ceil(b.front + rng.range(6, 20));
    const vertical = b.line.dir === 'v';
    const a = b.along - half, c = b.along + half, axis = b.line.pos;
    const P = (u: number, v: number): [number, number] => (vertical ? [v, u] : [u, v]);
    const pts: [number, number][] = [];
    for (let k = 0; k <= 8; k++) { const t = -Math.PI / 2 + (Math.PI * k) / 8; pts.push(P(c + width * Math.cos(t), axis + width * Math.sin(t))); }
    for (let k = 0; k <= 8; k++) { const t = Math.PI / 2 + (Math.PI * k) / 8; pts.push(P(a + width * Math.cos(t), axis + width * Math.sin(t))); }
    if (vertical) pts.reverse();
    const ring = [...pts, pts[0]].flatMap(([x, y]) => toLonLat(x, y));
    // buffer_m is the corridor's full width, as a utility enters it when drawing (server/announcements).
    return { sourceKind: 'line', source: lineString([...toLonLat(...P(a, axis)), ...toLonLat(...P(c, axis))]), buffer: 2 * width, zone: multiPolygon([[ring]]) };
  }
  if (rng.chance(0.15)) {
    // Picked buildings: the building and a few of its neighbours in the block.
    const near = plan.buildings.slice(Math.max(0, b.id - 6), b.id + 6).filter((o) => o.cell === b.cell);
    const picked = [b, ...rng.shuffle(near.filter((o) => o !== b)).slice(0, rng.int(1, 6))];
    const polys: Ring[][] = picked.map((o) => [buildingRing(o, toLonLat, 0.3)]);
    const geom = multiPolygon(polys);
    return { sourceKind: 'buildings', source: geom, buffer: null, zone: geom };
  }
  const radius = utility === 'electricity' ? rng.range(120, 420) : utility === 'gas' ? rng.range(60, 200) : rng.range(80, 320);
  const nv = rng.int(9, 14);
  const ring: number[] = [];
  for (let k = 0; k < nv; k++) {
    const t = (2 * Math.PI * k) / nv;
    const r = radius * rng.range(0.7, 1.15);
    ring.push(...toLonLat(cx + r * Math.cos(t), cy + r * Math.sin(t)));
  }
  ring.push(ring[0], ring[1]);
  const geom = multiPolygon([[ring]]);
  return { sourceKind: 'polygon', source: geom, buffer: null, zone: geom };
}
