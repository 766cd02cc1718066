// City infrastructure placed on the plan: traffic lights at main intersections, stops along the
// main streets, container sites in courtyards, kiosks (МАФ) on sidewalks, a few other objects;
// cleaning zones (blocks grouped, minus building footprints) are cut by PostGIS in the loader.
import type { Rng } from './random.ts';
import type { CityPlan, Line, Street, Cell } from './layout.ts';
import { addressOf } from './layout.ts';
import type { Preset } from './presets.ts';
import { SURNAMES, MALE_NAMES, FEMALE_NAMES, surname } from './names.ts';
import type { InfraKind } from './catalogue.ts';

export interface InfraPoint {
  id: number; kind: Exclude<InfraKind, 'cleaning_zone'>; name: string; address: string;
  attributes: Record<string, unknown>; org: string; lon: number; lat: number; district: number;
}

export interface CleaningZone { id: number; zone: number; name: string; org: string; district: number; attributes: Record<string, unknown> }

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function placeInfra(p: Preset, plan: CityPlan, rng: Rng, now: number): { points: InfraPoint[]; zones: CleaningZone[] } {
  const points: InfraPoint[] = [];
  const add = (o: Omit<InfraPoint, 'id'>) => points.push({ ...o, id: points.length + 1 });
  const { vlines, hlines, toLonLat, streetAt, cellAt } = plan;
  const districtNear = (i: number, j: number) => (cellAt(i, j)?.active ? cellAt(i, j)! : cellAt(i - 1, j)?.active ? cellAt(i - 1, j)! : cellAt(i, j - 1)?.active ? cellAt(i, j - 1)! : cellAt(i - 1, j - 1))?.district ?? 1;

  // Intersections of main streets, most important and most central first.
  const nodes: { score: number; d: number; i: number; j: number; a: Street; b: Street }[] = [];
  for (const v of vlines) for (const h of hlines) {
    if (v.rank === 3 && h.rank === 3) continue;
    const a = streetAt(v, h.index) ?? streetAt(v, h.index - 1);
    const b = streetAt(h, v.index) ?? streetAt(h, v.index - 1);
    if (!a || !b) continue;
    const arms = [streetAt(v, h.index), streetAt(v, h.index - 1), streetAt(h, v.index), streetAt(h, v.index - 1)].filter(Boolean).length;
    if (arms < 3) continue;
    nodes.push({ score: 8 - v.rank - h.rank, d: Math.hypot(v.pos, h.pos), i: v.index, j: h.index, a, b });
  }
  nodes.sort((x, y) => y.score - x.score || x.d - y.d);
  const lightSpecs = [2, 3, 3, 4];
  for (const nd of nodes.slice(0, p.infra.trafficLights)) {
    const [lon, lat] = toLonLat(vlines[nd.i].pos + 7, hlines[nd.j].pos + 7);
    add({
      kind: 'traffic_light', name: `Світлофор: ${addressOf(nd.a)} / ${addressOf(nd.b)}`, address: `перехрестя ${addressOf(nd.a)} та ${addressOf(nd.b)}`,
      attributes: { phases: rng.pick(lightSpecs), pedestrian_button: rng.chance(0.4), countdown: rng.chance(0.6), installed: rng.int(1995, 2025) },
      org: 'dorogy', lon, lat, district: districtNear(nd.i, nd.j),
    });
  }

  // Stops: candidates along main street segments, away from the corners, then an even pick.
  const mains = [...vlines, ...hlines].filter((l) => l.rank < 3);
  const routePool = [...Array.from({ length: 60 }, (_, k) => String(k + 1)), ...Array.from({ length: 12 }, (_, k) => `Тр ${k + 1}`)];
  const routesOf = new Map<Line, string[]>();
  for (const l of mains) routesOf.set(l, rng.shuffle([...routePool]).slice(0, rng.int(2, l.rank === 1 ? 7 : 4)).sort((a, b) => parseInt(a.replace(/\D/g, '')) - parseInt(b.replace(/\D/g, ''))));
  type Cand = { line: Line; seg: number; t: number; side: 1 | -1; street: Street };
  const cands: Cand[] = [];
  for (const l of mains) {
    const cross = l.dir === 'v' ? hlines : vlines;
    for (let s = 0; s < cross.length - 1; s++) {
      const st = streetAt(l, s);
      if (!st) continue;
      cands.push({ line: l, seg: s, t: 0.35, side: 1, street: st }, { line: l, seg: s, t: 0.68, side: -1, street: st });
    }
  }
  const pos = (c: Cand, shift = 0, extra = 0) => {
    const cross = c.line.dir === 'v' ? hlines : vlines;
    const a = cross[c.seg].pos, b = cross[c.seg + 1].pos;
    const t = a + (b - a) * c.t + shift;
    const off = c.side * (plan.roadHalf(c.line.rank) + 2 + extra);
    return c.line.dir === 'v' ? toLonLat(c.line.pos + off, t) : toLonLat(t, c.line.pos + off);
  };
  const crossName = (c: Cand) => {
    const cross = c.line.dir === 'v' ? hlines : vlines;
    const other = cross[c.t < 0.5 ? c.seg : c.seg + 1];
    const st = streetAt(other, c.line.index) ?? streetAt(other, c.line.index - 1);
    return st ? st.name : c.street.name;
  };
  const cellOf = (c: Cand): Cell | undefined => (c.line.dir === 'v' ? plan.cellAt(c.line.index - (c.side < 0 ? 1 : 0), c.seg) : plan.cellAt(c.seg, c.line.index - (c.side < 0 ? 1 : 0)));
  const stops = evenPick(cands, p.infra.stops);
  for (const c of stops) {
    const [lon, lat] = pos(c);
    add({
      kind: 'stop', name: `Зупинка «${crossName(c)}»`, address: addressOf(c.street),
      attributes: { routes: routesOf.get(c.line)!.join(', '), shelter: rng.chance(0.7), bench: rng.chance(0.8), e_board: rng.chance(0.25) },
      org: 'transport', lon, lat, district: cellOf(c)?.district ?? 1,
    });
  }

  // Container sites in courtyards of apartment blocks, then on private-sector streets.
  const yards = rng.shuffle(plan.cells.filter((c) => c.yard && c.apartments > 20));
  const kinds = ['ТПВ', 'пластик', 'скло', 'папір', 'органіка'];
  const containerAttrs = () => ({ containers: rng.int(2, 8), types: kinds.slice(0, rng.int(1, 4)), schedule: rng.pick(['щоденно', 'через день', 'пн, ср, пт']), underground: rng.chance(0.05) });
  const firstBuilding = new Map<Cell, (typeof plan.buildings)[number]>();
  for (const b of plan.buildings) if (!firstBuilding.has(b.cell)) firstBuilding.set(b.cell, b);
  let containers = 0;
  for (const c of yards) {
    if (containers++ >= p.infra.containerSites) break;
    const [x0, y0, x1, y1] = c.yard!;
    const [lon, lat] = toLonLat(rng.range(x0 + 3, Math.max(x0 + 3, x1 - 3)), rng.range(y0 + 3, Math.max(y0 + 3, y1 - 3)));
    const front = firstBuilding.get(c);
    add({ kind: 'container_site', name: `Контейнерний майданчик №${points.length + 1}`, address: front?.street ? `${addressOf(front.street, front.number)} (двір)` : '', attributes: containerAttrs(), org: 'blagoustrij', lon, lat, district: c.district });
  }
  const localCands: Cand[] = [];
  for (const l of [...vlines, ...hlines].filter((x) => x.rank === 3)) {
    const cross = l.dir === 'v' ? hlines : vlines;
    for (let s = 0; s < cross.length - 1; s++) { const st = streetAt(l, s); if (st) localCands.push({ line: l, seg: s, t: 0.5, side: rng.chance(0.5) ? 1 : -1, street: st }); }
  }
  const missing = p.infra.containerSites - Math.min(containers, p.infra.containerSites);
  for (const c of evenPick(rng.shuffle(localCands), Math.max(0, missing))) {
    const [lon, lat] = pos(c, 0, 1);
    add({ kind: 'container_site', name: `Контейнерний майданчик №${points.length + 1}`, address: addressOf(c.street), attributes: containerAttrs(), org: 'blagoustrij', lon, lat, district: cellOf(c)?.district ?? 1 });
  }

  // Kiosks: half beside stops, half along main streets; about one in eight has an expired permit.
  const kioskKinds = ['кава', 'преса', 'квіти', 'овочі-фрукти', 'хлібобулочні вироби', 'тютюн', 'морозиво', 'ремонт взуття'];
  const owner = () => {
    const female = rng.chance(0.5);
    const first = female ? rng.pick(FEMALE_NAMES) : rng.pick(MALE_NAMES)[0];
    const father = rng.pick(MALE_NAMES);
    return `ФОП ${surname(rng.pick(SURNAMES), female)} ${first[0]}. ${(female ? father[2] : father[1])[0]}.`;
  };
  const nearStops = Math.min(Math.floor(p.infra.kiosks / 2), stops.length);
  const restCands = evenPick(cands.filter((c) => !stops.includes(c)), p.infra.kiosks - nearStops);
  const kioskSpots = [...evenPick(stops, nearStops).map((c) => ({ c, shift: rng.chance(0.5) ? 18 : -18 })), ...restCands.map((c) => ({ c, shift: rng.range(-25, 25) }))];
  for (const { c, shift } of kioskSpots) {
    const [lon, lat] = pos(c, shift, 1.5);
    const expired = rng.chance(0.12);
    const until = expired ? now - rng.int(10, 400) * 86_400_000 : now + rng.int(30, 1100) * 86_400_000;
    add({
      kind: 'kiosk', name: `МАФ «${rng.pick(kioskKinds)}»`, address: addressOf(c.street),
      attributes: { kind: rng.pick(kioskKinds), owner: owner(), permit_until: isoDate(until), area_m2: rng.int(4, 24) },
      org: 'torgivlia', lon, lat, district: cellOf(c)?.district ?? 1,
    });
  }

  // Other objects: fountains, monuments, toilets and shelters in parks and courtyards.
  const parks = plan.cells.filter((c) => c.kind === 'park');
  const otherKinds = [['фонтан', 'Фонтан'], ['пам\'ятник', 'Пам\'ятник'], ['вбиральня', 'Громадська вбиральня'], ['укриття', 'Укриття'], ['зарядна станція', 'Зарядна станція для електромобілів']];
  for (let k = 0; k < p.infra.other; k++) {
    const c = parks.length && k % 2 === 0 ? rng.pick(parks) : rng.pick(yards.length ? yards : plan.cells);
    const [x0, y0, x1, y1] = c.yard ?? [c.x0 + 25, c.y0 + 25, c.x1 - 25, c.y1 - 25];
    const [lon, lat] = toLonLat(rng.range(x0 + 2, x1 - 2), rng.range(y0 + 2, y1 - 2));
    const [type, title] = rng.pick(otherKinds);
    add({ kind: 'other', name: title, address: '', attributes: { type, capacity: type === 'укриття' ? rng.int(50, 400) : undefined }, org: 'blagoustrij', lon, lat, district: c.district });
  }

  // Cleaning zones: one per group of blocks; main-street zones are the city service's, the rest the district housing office's.
  const zoneCells = new Map<number, Cell[]>();
  for (const c of plan.cells) { let l = zoneCells.get(c.zone); if (!l) zoneCells.set(c.zone, (l = [])); l.push(c); }
  const zones: CleaningZone[] = [];
  for (const [zone, cs] of [...zoneCells].sort((a, b) => a[0] - b[0])) {
    const onMain = cs.some((c) => [plan.vlines[c.i], plan.vlines[c.i + 1], plan.hlines[c.j], plan.hlines[c.j + 1]].some((l) => l.rank === 1));
    const counts = new Map<number, number>();
    for (const c of cs) counts.set(c.district, (counts.get(c.district) ?? 0) + 1);
    const district = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    zones.push({
      id: points.length + zones.length + 1, zone, name: `Зона прибирання №${zone}`, org: onMain ? 'blagoustrij' : `zhek-${district}`, district,
      attributes: { blocks: cs.length, cleaning: onMain ? 'щоденно, механізоване' : 'щоденно', winter: onMain ? 'пріоритет 1' : 'пріоритет 2' },
    });
  }
  return { points, zones };
}

/** n items spread evenly over the list (all of them when the list is shorter). */
function evenPick<T>(list: T[], n: number): T[] {
  if (n >= list.length) return [...list];
  const out: T[] = [];
  const step = list.length / n;
  for (let k = 0; k < n; k++) out.push(list[Math.floor(k * step)]);
  return out;
}
