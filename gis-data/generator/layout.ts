// The city plan: a street grid of blocks (in metres, then rotated, gently warped so no street is
// ruler-straight, and projected to lon/lat), grown outward from the centre block by block until
// the preset's number of buildings stands. Buildings line the streets inside each block, set
// back from the roadway, so they never overlap each other or a street.
import { Rng, Weighted } from './random.ts';
import type { BuildingType, Preset } from './presets.ts';
import { STREET_STEMS } from './names.ts';
import { STREET_PREFIX, type StreetKind } from '../../vocabulary/city.ts';
import type { Ring } from './ewkb.ts';

export type CellKind = 'block' | 'park' | 'river';

export interface Cell {
  id: number; i: number; j: number; kind: CellKind;
  x0: number; x1: number; y0: number; y1: number;
  active: boolean; district: number; zone: number;
  /** inner courtyard (local metres) when the block has one */
  yard?: [number, number, number, number];
  apartments: number;
}

/** A grid line: vertical ('v', x = const) or horizontal ('h', y = const). */
export interface Line { dir: 'v' | 'h'; index: number; pos: number; rank: 1 | 2 | 3 }

export interface Street {
  id: number; name: string; kind: string; rank: 1 | 2 | 3;
  line: Line; segFrom: number; segTo: number; // segment index range on the line (inclusive)
  lines: number[][];                          // lon/lat polylines (MultiLineString)
}

export interface Building {
  id: number; cell: Cell; type: BuildingType;
  rect: [number, number, number, number];     // x0, y0, x1, y1 (local metres)
  line: Line; seg: number; side: 1 | -1; along: number; front: number; // frontage street and distance from its axis
  floors: number; apartments: number;
  street?: Street; number?: string; district: number; lon: number; lat: number;
}

export interface CityPlan {
  cells: Cell[]; vlines: Line[]; hlines: Line[];
  streets: Street[]; buildings: Building[];
  radius: number;
  rivers: { name: string; ring: Ring }[];
  toLonLat(x: number, y: number): [number, number];
  /** the street that owns a segment of a grid line */
  streetAt(line: Line, seg: number): Street | undefined;
  cellAt(i: number, j: number): Cell | undefined;
  roadHalf(rank: number): number;
}

const ROAD_HALF = { 1: 14, 2: 10, 3: 6 } as const;
const SIDEWALK = 3;

interface TypeSpec { floors: [number, number]; w: [number, number]; d: [number, number]; gap: [number, number]; setback: [number, number]; aptArea: number }
const TYPES: Record<BuildingType, TypeSpec> = {
  private: { floors: [1, 2], w: [9, 14], d: [8, 12], gap: [7, 14], setback: [4, 8], aptArea: 0 },
  low: { floors: [2, 4], w: [14, 30], d: [10, 14], gap: [5, 10], setback: [3, 6], aptArea: 70 },
  old: { floors: [3, 5], w: [14, 28], d: [12, 16], gap: [1, 3], setback: [0, 1], aptArea: 72 },
  khrushchovka: { floors: [5, 5], w: [50, 80], d: [11, 13], gap: [12, 20], setback: [6, 12], aptArea: 48 },
  panel9: { floors: [9, 10], w: [40, 96], d: [12, 14], gap: [15, 25], setback: [8, 14], aptArea: 55 },
  tower: { floors: [12, 16], w: [18, 26], d: [18, 26], gap: [18, 30], setback: [8, 16], aptArea: 62 },
  highrise: { floors: [16, 25], w: [28, 60], d: [14, 18], gap: [20, 30], setback: [10, 16], aptArea: 60 },
  nonres: { floors: [1, 4], w: [18, 50], d: [14, 28], gap: [8, 16], setback: [4, 10], aptArea: 0 },
};

export function planCity(p: Preset, root: Rng): CityPlan {
  // A first pass without rivers measures the radius the preset needs; the rivers are then laid
  // at fractions of it and the city is grown again (same random streams, so it is stable).
  const probe = grow(p, root, []);
  const rivers = p.rivers.map((r, k) => {
    const rr = root.fork(`river${k}`);
    return { ...r, x: r.at * probe.radius, amp: rr.range(60, 160), wave: rr.range(1400, 2600), phase: rr.range(0, 6.28) };
  });
  return grow(p, root, rivers);
}

type RiverSpec = { name: string; x: number; width: number; amp: number; wave: number; phase: number };

function grow(p: Preset, root: Rng, rivers: RiverSpec[]): CityPlan {
  const rng = root.fork('grid');
  // Enough grid for the target: grown generously, unused cells stay inactive.
  const estBlocks = (p.buildings / 9) * 2.2 + 200;
  const half = Math.ceil(Math.sqrt(estBlocks) / 2) + 4;
  const xs = axis(rng, half, p.block.x);
  const ys = axis(rng, half, p.block.y);
  const rank = (d: number): 1 | 2 | 3 => (d % p.mainEvery === 0 ? 1 : d % (p.mainEvery / 2) === 0 ? 2 : 3);
  const vlines: Line[] = xs.map((pos, index) => ({ dir: 'v', index, pos, rank: rank(Math.abs(index - half)) }));
  const hlines: Line[] = ys.map((pos, index) => ({ dir: 'h', index, pos, rank: rank(Math.abs(index - half)) }));
  const n = xs.length - 1;

  const riverAt = (r: RiverSpec, y: number) => r.x + r.amp * Math.sin((2 * Math.PI * y) / r.wave + r.phase);
  const crossesRiver = (x0: number, x1: number, y0: number, y1: number) => rivers.some((r) => {
    for (let k = 0; k <= 8; k++) {
      const cx = riverAt(r, y0 + ((y1 - y0) * k) / 8);
      if (cx + r.width / 2 + 12 > x0 && cx - r.width / 2 - 12 < x1) return true;
    }
    return false;
  });

  const shape = root.fork('shape');
  const ph = [shape.range(0, 6.28), shape.range(0, 6.28), shape.range(0, 6.28)];
  const cells: Cell[] = [];
  const grid: (Cell | undefined)[] = new Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const c: Cell = { id: 0, i, j, kind: 'block', x0: xs[i], x1: xs[i + 1], y0: ys[j], y1: ys[j + 1], active: false, district: 0, zone: 0, apartments: 0 };
    if (crossesRiver(c.x0, c.x1, c.y0, c.y1)) c.kind = 'river';
    cells.push(c); grid[j * n + i] = c;
  }
  // The central park: a 2×2 group of blocks south-east of the centre; and scattered squares.
  for (const [di, dj] of [[1, -2], [2, -2], [1, -3], [2, -3]]) {
    const c = grid[(half + dj) * n + half + di];
    if (c && c.kind === 'block') c.kind = 'park';
  }
  const parkRng = root.fork('parks');
  const cx = (c: Cell) => (c.x0 + c.x1) / 2, cy = (c: Cell) => (c.y0 + c.y1) / 2;
  const order = cells.map((c) => {
    const th = Math.atan2(cy(c), cx(c));
    const f = 1 + 0.16 * Math.sin(3 * th + ph[0]) + 0.09 * Math.sin(5 * th + ph[1]) + 0.05 * Math.sin(2 * th + ph[2]);
    if (c.kind === 'block' && Math.hypot(cx(c), cy(c)) > 500 && parkRng.chance(0.035)) c.kind = 'park';
    return { c, d: Math.hypot(cx(c), cy(c)) / f + parkRng.range(0, 60) };
  }).sort((a, b) => a.d - b.d || a.c.j - b.c.j || a.c.i - b.c.i);

  const buildings: Building[] = [];
  const brng = root.fork('buildings');
  const mixes = p.mix.map((m) => ({ upTo: m.upTo, pick: new Weighted(Object.keys(m.weights) as BuildingType[], Object.values(m.weights) as number[]) }));
  const lineOf = (dir: 'v' | 'h', idx: number) => (dir === 'v' ? vlines[idx] : hlines[idx]);
  let radius = 0;
  for (const { c } of order) {
    if (buildings.length >= p.buildings) break;
    c.active = true;
    radius = Math.max(radius, ...[[c.x0, c.y0], [c.x1, c.y0], [c.x0, c.y1], [c.x1, c.y1]].map(([x, y]) => Math.hypot(x, y)));
    if (c.kind !== 'block') continue;
    fillBlock(c, p, brng, mixes, buildings, lineOf);
  }
  cells.forEach((c) => { if (c.active) c.id = 0; });
  const active = cells.filter((c) => c.active);
  active.forEach((c, k) => { c.id = k + 1; });

  // Districts: nearest of K seeds, the centre's seed weighted so the old town stays compact.
  const drng = root.fork('districts');
  const K = p.districts.length;
  const seeds: [number, number, number][] = [[0, 0, 2.2]];
  for (let k = 1; k < K; k++) {
    const a = (2 * Math.PI * (k - 1)) / (K - 1) + drng.range(-0.25, 0.25);
    const r = radius * drng.range(0.5, 0.65);
    seeds.push([r * Math.cos(a), r * Math.sin(a), 1]);
  }
  for (const c of active) {
    let best = 0, bd = Infinity;
    seeds.forEach(([sx, sy, w], k) => { const d = Math.hypot(cx(c) - sx, cy(c) - sy) * w; if (d < bd) { bd = d; best = k; } });
    c.district = best + 1;
  }
  // Cleaning zones: zoneCells × zoneCells groups of blocks.
  const zoneIds = new Map<string, number>();
  for (const c of active) {
    const key = `${Math.floor(c.i / p.zoneCells)}:${Math.floor(c.j / p.zoneCells)}`;
    if (!zoneIds.has(key)) zoneIds.set(key, zoneIds.size + 1);
    c.zone = zoneIds.get(key)!;
  }

  const rot = (p.rotationDeg * Math.PI) / 180, cr = Math.cos(rot), sr = Math.sin(rot);
  const wrng = root.fork('warp');
  const A = Math.min(140, radius * 0.04 + 40), L = Math.max(2600, radius * 0.9);
  const w1 = wrng.range(0, 6.28), w2 = wrng.range(0, 6.28);
  const [lon0, lat0] = p.centre;
  const mLon = 111_320 * Math.cos((lat0 * Math.PI) / 180), mLat = 110_574;
  const toLonLat = (x: number, y: number): [number, number] => {
    const xr = x * cr - y * sr, yr = x * sr + y * cr;
    const xw = xr + A * Math.sin((2 * Math.PI * yr) / L + w1);
    const yw = yr + A * Math.sin((2 * Math.PI * xr) / L + w2);
    return [lon0 + xw / mLon, lat0 + yw / mLat];
  };

  const cellAt = (i: number, j: number) => (i >= 0 && j >= 0 && i < n && j < n ? grid[j * n + i] : undefined);
  const isActive = (i: number, j: number) => Boolean(cellAt(i, j)?.active);
  const streets = nameStreets(p, root.fork('streets'), vlines, hlines, n, isActive, toLonLat);
  const segOwner = new Map<string, Street>();
  for (const s of streets) for (let k = s.segFrom; k <= s.segTo; k++) segOwner.set(`${s.line.dir}${s.line.index}:${k}`, s);
  const streetAt = (line: Line, seg: number) => segOwner.get(`${line.dir}${line.index}:${seg}`);

  for (const b of buildings) {
    b.district = b.cell.district;
    b.street = streetAt(b.line, b.seg);
    [b.lon, b.lat] = toLonLat((b.rect[0] + b.rect[2]) / 2, (b.rect[1] + b.rect[3]) / 2);
  }
  numberHouses(buildings, root.fork('numbers'));
  buildings.forEach((b, k) => { b.id = k + 1; });

  const riverRings = rivers.map((r) => {
    const left: number[] = [], right: number[] = [];
    const ext = radius * 1.35;
    for (let y = -ext; y <= ext; y += 40) {
      const x = riverAt(r, y);
      left.push(...toLonLat(x - r.width / 2, y));
      right.push(...toLonLat(x + r.width / 2, y));
    }
    const ring: number[] = [...left];
    for (let k = right.length - 2; k >= 0; k -= 2) ring.push(right[k], right[k + 1]);
    ring.push(left[0], left[1]);
    return { name: r.name, ring };
  });

  return { cells: active, vlines, hlines, streets, buildings, radius, rivers: riverRings, toLonLat, streetAt, cellAt, roadHalf: (r) => ROAD_HALF[r as 1 | 2 | 3] };
}

/** Grid line positions: 2·half+1 lines, the middle one at 0, spacing drawn from `range`. */
function axis(rng: Rng, half: number, range: [number, number]): number[] {
  const pos = new Array<number>(2 * half + 1);
  pos[half] = 0;
  for (let k = half + 1; k <= 2 * half; k++) pos[k] = pos[k - 1] + rng.range(range[0], range[1]);
  for (let k = half - 1; k >= 0; k--) pos[k] = pos[k + 1] - rng.range(range[0], range[1]);
  return pos;
}

function fillBlock(c: Cell, p: Preset, rng: Rng, mixes: { upTo: number; pick: Weighted<BuildingType> }[], out: Building[], lineOf: (dir: 'v' | 'h', i: number) => Line) {
  const left = lineOf('v', c.i), right = lineOf('v', c.i + 1), bottom = lineOf('h', c.j), top = lineOf('h', c.j + 1);
  const sb = (l: Line) => ROAD_HALF[l.rank] + SIDEWALK;
  const L = c.x0 + sb(left), R = c.x1 - sb(right), B = c.y0 + sb(bottom), T = c.y1 - sb(top);
  const W = R - L, H = T - B;
  if (W < 24 || H < 24) return;
  const gap = 4;
  const q = () => out.length / p.buildings;
  const mix = () => (mixes.find((m) => q() <= m.upTo) ?? mixes[mixes.length - 1]).pick;
  const maxDepth = 44;
  const Dh = Math.min(maxDepth, (H - gap) / 2), Dv = Math.min(maxDepth, (W - gap) / 2);
  // Strips: along the bottom and top streets over the full width, along the side streets between them.
  type Strip = { line: Line; seg: number; side: 1 | -1; axis: 'x' | 'y'; from: number; to: number; front: number; dir: 1 | -1; depth: number };
  const strips: Strip[] = [
    { line: bottom, seg: c.i, side: 1, axis: 'x', from: L, to: R, front: B, dir: 1, depth: Dh },
    { line: top, seg: c.i, side: -1, axis: 'x', from: L, to: R, front: T, dir: -1, depth: Dh },
  ];
  const vFrom = B + Dh + gap, vTo = T - Dh - gap;
  if (vTo - vFrom >= 10) {
    strips.push({ line: left, seg: c.j, side: 1, axis: 'y', from: vFrom, to: vTo, front: L, dir: 1, depth: Dv });
    strips.push({ line: right, seg: c.j, side: -1, axis: 'y', from: vFrom, to: vTo, front: R, dir: -1, depth: Dv });
  }
  const yardX0 = L + (vTo - vFrom >= 10 ? Dv : 0) + gap, yardX1 = R - (vTo - vFrom >= 10 ? Dv : 0) - gap;
  if (yardX1 - yardX0 >= 10 && vTo - vFrom >= 10) c.yard = [yardX0, vFrom, yardX1, vTo];

  for (const s of strips) {
    let u = s.from + rng.range(0, 4);
    let guard = 0;
    while (u < s.to - 8 && out.length < p.buildings && guard++ < 200) {
      let type = mix().sample(rng);
      let spec = TYPES[type];
      let w = rng.range(spec.w[0], spec.w[1]);
      let setback = rng.range(spec.setback[0], spec.setback[1]);
      let d = rng.range(spec.d[0], spec.d[1]);
      if (setback + d > s.depth) {
        // Shallow strip: fall back to a house or a low building that fits.
        type = rng.chance(0.6) ? 'private' : 'low'; spec = TYPES[type];
        setback = Math.min(spec.setback[0], Math.max(0, s.depth - spec.d[0]));
        d = Math.min(rng.range(spec.d[0], spec.d[1]), s.depth - setback);
        if (d < 7) break;
      }
      if (u + w > s.to) { w = s.to - u; if (w < Math.max(8, spec.w[0] * 0.7)) break; }
      const a0 = u, a1 = u + w;
      const f0 = s.front + s.dir * setback, f1 = s.front + s.dir * (setback + d);
      const [b0, b1] = f0 < f1 ? [f0, f1] : [f1, f0];
      const rect: [number, number, number, number] = s.axis === 'x' ? [a0, b0, a1, b1] : [b0, a0, b1, a1];
      const floors = Math.min(p.maxFloors, rng.int(spec.floors[0], spec.floors[1]) + (type === 'private' && rng.chance(0.06) ? 1 : 0));
      let apartments = 0;
      if (type === 'private') apartments = rng.chance(0.08) ? 2 : 1;
      else if (spec.aptArea > 0 && !(type === 'old' && rng.chance(0.15))) {
        const perFloor = Math.max(2, Math.round((w * d * 0.78) / spec.aptArea));
        apartments = (type === 'old' || type === 'low' ? Math.max(1, floors - (rng.chance(0.5) ? 1 : 0)) : floors) * perFloor;
      }
      const linePos = s.line.pos;
      out.push({
        id: 0, cell: c, type, rect, line: s.line, seg: s.seg, side: s.side,
        along: (a0 + a1) / 2, front: Math.abs(s.front - linePos) + setback,
        floors, apartments, district: 0, lon: 0, lat: 0,
      });
      c.apartments += apartments;
      u = a1 + Math.max(1.5, rng.range(spec.gap[0], spec.gap[1]));
    }
  }
}

function nameStreets(p: Preset, rng: Rng, vlines: Line[], hlines: Line[], n: number, isActive: (i: number, j: number) => boolean, toLonLat: (x: number, y: number) => [number, number]): Street[] {
  const exists = (l: Line, seg: number) => (l.dir === 'v' ? isActive(l.index - 1, seg) || isActive(l.index, seg) : isActive(seg, l.index - 1) || isActive(seg, l.index));
  const hpos = hlines.map((l) => l.pos), vpos = vlines.map((l) => l.pos);
  type Piece = { line: Line; from: number; to: number; rank: 1 | 2 | 3; segs: number[] };
  const pieces: Piece[] = [];
  const mid = (vlines.length - 1) / 2;
  const all = [...hlines, ...vlines].sort((a, b) => a.rank - b.rank || Math.abs(a.index - mid) - Math.abs(b.index - mid) || (a.dir === 'h' ? -1 : 1) - (b.dir === 'h' ? -1 : 1) || a.index - b.index);
  for (const l of all) {
    const segs: number[] = [];
    for (let s = 0; s < n; s++) if (exists(l, s)) segs.push(s);
    if (!segs.length) continue;
    // Main avenues keep one name across the city (very long ones are split in two); local streets change name every few blocks.
    const maxLen = l.rank === 3 ? 0 : 60;
    let k = 0;
    while (k < segs.length) {
      const len = l.rank === 3 ? rng.int(3, 7) : segs.length > maxLen ? Math.ceil(segs.length / 2) : segs.length;
      const from = segs[k];
      const chunk = segs.slice(k, k + len);
      // A piece must not jump a long gap: cut at gaps of more than 2 segments.
      let cut = 1;
      while (cut < chunk.length && chunk[cut] - chunk[cut - 1] <= 2) cut++;
      const part = chunk.slice(0, cut);
      pieces.push({ line: l, from, to: part[part.length - 1], rank: l.rank, segs: part });
      k += part.length;
    }
  }
  // Names: the famous ones go to main avenues through the centre, Незалежності first.
  const used = new Set<string>();
  const stems = rng.shuffle([...STREET_STEMS]);
  const mains = [...p.mainStreets];
  let stemAt = 0, round = 0;
  const prefixes = ['Нова', 'Верхня', 'Нижня', 'Мала', 'Велика', 'Стара'];
  const take = (kind: string, name: string) => { const key = `${kind}|${name}`; if (used.has(key)) return false; used.add(key); return true; };
  const nextName = (rank: number, short: boolean): [string, string] => {
    if (rank < 3) {
      while (mains.length) { const [k, nm] = mains.shift()!; if (take(k, nm)) return [k, nm]; }
    }
    for (;;) {
      if (stemAt >= stems.length) { stemAt = 0; round++; }
      const stem = stems[stemAt++];
      const adjectival = /(ська|цька|на|ва|ка|ня|ла|ра)$/.test(stem) && !stem.includes(' ');
      let kind = rank === 2 && rng.chance(0.15) ? rng.pick(['бульвар', 'проспект']) : short ? 'провулок' : 'вулиця';
      let name = stem;
      if (round === 1) kind = kind === 'провулок' ? 'вулиця' : 'провулок';
      else if (round >= 2) {
        if (adjectival && round - 2 < prefixes.length) name = `${prefixes[round - 2]} ${stem}`;
        else { kind = 'провулок'; name = `${stem} ${round}-й`; }
      }
      if (kind === 'бульвар' || kind === 'проспект') { if (take(kind, name)) return [kind, name]; kind = 'вулиця'; }
      if (take(kind, name)) return [kind, name];
    }
  };
  const streets: Street[] = [];
  for (const pc of pieces) {
    const [kind, name] = nextName(pc.rank, pc.segs.length <= 3);
    streets.push({ id: streets.length + 1, name, kind, rank: pc.rank, line: pc.line, segFrom: pc.from, segTo: pc.to, lines: runs(pc.line, pc.segs, pc.line.dir === 'v' ? hpos : vpos, toLonLat) });
  }
  return streets;
}

/** Consecutive segments joined into polylines, densified every ~30 m so the warp bends them. */
function runs(l: Line, segs: number[], cross: number[], toLonLat: (x: number, y: number) => [number, number]): number[][] {
  const out: number[][] = [];
  let cur: number[] | null = null, prev = -2;
  for (const s of segs) {
    if (s !== prev + 1 || !cur) { cur = []; out.push(cur); pushPoint(cur, l, cross[s], toLonLat); }
    const a = cross[s], b = cross[s + 1];
    const steps = Math.max(1, Math.round((b - a) / 30));
    for (let k = 1; k <= steps; k++) pushPoint(cur, l, a + ((b - a) * k) / steps, toLonLat);
    prev = s;
  }
  return out;
}
function pushPoint(arr: number[], l: Line, t: number, toLonLat: (x: number, y: number) => [number, number]) {
  const [lon, lat] = l.dir === 'v' ? toLonLat(l.pos, t) : toLonLat(t, l.pos);
  arr.push(lon, lat);
}

/** House numbers: odd on one side, even on the other, counted from the end nearer the centre. */
function numberHouses(buildings: Building[], rng: Rng) {
  const byStreet = new Map<Street, Building[]>();
  for (const b of buildings) {
    if (!b.street) throw new Error('building without a street');
    let list = byStreet.get(b.street);
    if (!list) byStreet.set(b.street, (list = []));
    list.push(b);
  }
  for (const [street, list] of byStreet) {
    const mean = list.reduce((s, b) => s + b.along, 0) / list.length;
    const dir = mean >= 0 ? 1 : -1;
    const oddSide = street.line.dir === 'h' ? 1 : -1;
    const letters = street.rank === 3;
    for (const side of [1, -1] as const) {
      const row = list.filter((b) => b.side === side).sort((a, b) => dir * (a.along - b.along));
      let num = side === oddSide ? -1 : 0, lettered = -1;
      for (const b of row) {
        if (letters && num > 0 && lettered !== num && rng.chance(0.03)) { b.number = `${num}а`; lettered = num; continue; }
        num += 2;
        b.number = String(num);
      }
    }
  }
}

/** "вул. Незалежності, 12" */
export function addressOf(s: Street, number?: string) {
  const abbr = STREET_PREFIX[s.kind as StreetKind] ?? s.kind;
  return number ? `${abbr} ${s.name}, ${number}` : `${abbr} ${s.name}`;
}

/** A building's footprint as a closed lon/lat ring. */
export function buildingRing(b: Building, toLonLat: (x: number, y: number) => [number, number], grow = 0): Ring {
  const [x0, y0, x1, y1] = b.rect;
  const pts = [[x0 - grow, y0 - grow], [x1 + grow, y0 - grow], [x1 + grow, y1 + grow], [x0 - grow, y1 + grow], [x0 - grow, y0 - grow]];
  return pts.flatMap(([x, y]) => toLonLat(x, y));
}

/** A grid cell (to the street axes) as a closed ring, edges densified identically for neighbours. */
export function cellRing(c: Cell, toLonLat: (x: number, y: number) => [number, number], steps = 4): Ring {
  const ring: number[] = [];
  // Each edge is sampled as a function of grid coordinates only.
  const pts = (ax: number, ay: number, bx: number, by: number) => {
    const fwd = ax < bx || (ax === bx && ay < by);
    const [sx, sy, ex, ey] = fwd ? [ax, ay, bx, by] : [bx, by, ax, ay];
    const list: [number, number][] = [];
    for (let k = 0; k <= steps; k++) list.push([sx + ((ex - sx) * k) / steps, sy + ((ey - sy) * k) / steps]);
    return fwd ? list : list.reverse();
  };
  const corners: [number, number][] = [[c.x0, c.y0], [c.x1, c.y0], [c.x1, c.y1], [c.x0, c.y1]];
  for (let e = 0; e < 4; e++) {
    const [a, b] = [corners[e], corners[(e + 1) % 4]];
    const list = pts(a[0], a[1], b[0], b[1]);
    for (let k = 0; k < list.length - 1; k++) ring.push(...toLonLat(list[k][0], list[k][1]));
  }
  ring.push(ring[0], ring[1]);
  return ring;
}
