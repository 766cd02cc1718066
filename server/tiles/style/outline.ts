// Vector outlines as rings of points: flattening of path commands (the subset fonts and our
// SVG icons use), the nonzero winding test, and the distance from a point to an outline.
// Shared by the SDF glyph generator and the sprite rasteriser.
export type Pt = [number, number];
export type Ring = Pt[];

export type PathCommand =
  | { type: 'M' | 'L'; x: number; y: number }
  | { type: 'Q'; x1: number; y1: number; x: number; y: number }
  | { type: 'C'; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { type: 'Z' };

const STEPS = 8; // per curve: plenty at glyph and icon sizes

export function flatten(commands: PathCommand[]): Ring[] {
  const rings: Ring[] = [];
  let ring: Ring = [];
  let cur: Pt = [0, 0];
  const close = () => { if (ring.length > 2) rings.push(ring); ring = []; };
  for (const c of commands) {
    switch (c.type) {
      case 'M': close(); cur = [c.x, c.y]; ring.push(cur); break;
      case 'L': cur = [c.x, c.y]; ring.push(cur); break;
      case 'Q': {
        const [x0, y0] = cur;
        for (let i = 1; i <= STEPS; i++) {
          const t = i / STEPS, u = 1 - t;
          ring.push([u * u * x0 + 2 * u * t * c.x1 + t * t * c.x, u * u * y0 + 2 * u * t * c.y1 + t * t * c.y]);
        }
        cur = [c.x, c.y];
        break;
      }
      case 'C': {
        const [x0, y0] = cur;
        for (let i = 1; i <= STEPS; i++) {
          const t = i / STEPS, u = 1 - t;
          ring.push([
            u * u * u * x0 + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x,
            u * u * u * y0 + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y,
          ]);
        }
        cur = [c.x, c.y];
        break;
      }
      case 'Z': close(); break;
    }
  }
  close();
  return rings;
}

/** Nonzero winding number of p against closed rings (TrueType's fill rule). */
export function winding(rings: Ring[], x: number, y: number): number {
  let w = 0;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [x1, y1] = r[j], [x2, y2] = r[i];
      if (y1 <= y) {
        if (y2 > y && (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1) > 0) w++;
      } else if (y2 <= y && (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1) < 0) w--;
    }
  }
  return w;
}

/** Crossing parity (SVG fill-rule="evenodd"). */
export function evenOdd(rings: Ring[], x: number, y: number): boolean {
  let inside = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [x1, y1] = r[j], [x2, y2] = r[i];
      if ((y1 > y) !== (y2 > y) && x < ((x2 - x1) * (y - y1)) / (y2 - y1) + x1) inside = !inside;
    }
  }
  return inside;
}

/** Distance from p to the nearest edge of the rings. */
export function distance(rings: Ring[], x: number, y: number): number {
  let best = Infinity;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [x1, y1] = r[j], [x2, y2] = r[i];
      const dx = x2 - x1, dy = y2 - y1;
      const l2 = dx * dx + dy * dy;
      let t = l2 ? ((x - x1) * dx + (y - y1) * dy) / l2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = x1 + t * dx - x, ey = y1 + t * dy - y;
      const d = ex * ex + ey * ey;
      if (d < best) best = d;
    }
  }
  return Math.sqrt(best);
}
