// Geometries as hex EWKB (little-endian, SRID 4326), which PostGIS accepts in COPY text: the
// generator builds every geometry in JS and the database never parses WKT or re-projects on load.
export type Ring = number[]; // flat [lon, lat, lon, lat, …], closed (first point repeated last)

const SRID_FLAG = 0x20000000;

class Writer {
  buf: Buffer; off = 0;
  constructor(size: number) { this.buf = Buffer.allocUnsafe(size); }
  header(type: number, srid: boolean) {
    this.buf.writeUInt8(1, this.off); this.off += 1;
    this.buf.writeUInt32LE(srid ? (type | SRID_FLAG) >>> 0 : type, this.off); this.off += 4;
    if (srid) { this.buf.writeUInt32LE(4326, this.off); this.off += 4; }
  }
  u32(n: number) { this.buf.writeUInt32LE(n, this.off); this.off += 4; }
  coords(flat: number[]) {
    this.u32(flat.length / 2);
    for (const v of flat) { this.buf.writeDoubleLE(v, this.off); this.off += 8; }
  }
  hex() { return this.buf.toString('hex', 0, this.off); }
}

export function point(lon: number, lat: number): string {
  const w = new Writer(25);
  w.header(1, true);
  w.buf.writeDoubleLE(lon, w.off); w.buf.writeDoubleLE(lat, w.off + 8); w.off += 16;
  return w.hex();
}

export function lineString(flat: number[]): string {
  const w = new Writer(13 + flat.length * 8);
  w.header(2, true);
  w.coords(flat);
  return w.hex();
}

export function multiLineString(lines: number[][]): string {
  const size = 13 + lines.reduce((s, l) => s + 9 + l.length * 8, 0);
  const w = new Writer(size);
  w.header(5, true); w.u32(lines.length);
  for (const l of lines) { w.header(2, false); w.coords(l); }
  return w.hex();
}

/** polygons: each polygon is a list of rings (outer first). */
export function multiPolygon(polygons: Ring[][]): string {
  const size = 13 + polygons.reduce((s, p) => s + 9 + p.reduce((r, ring) => r + 4 + ring.length * 8, 0), 0);
  const w = new Writer(size);
  w.header(6, true); w.u32(polygons.length);
  for (const p of polygons) {
    w.header(3, false); w.u32(p.length);
    for (const ring of p) w.coords(ring);
  }
  return w.hex();
}

export function polygon(rings: Ring[]): string {
  const w = new Writer(13 + rings.reduce((r, ring) => r + 4 + ring.length * 8, 0));
  w.header(3, true); w.u32(rings.length);
  for (const ring of rings) w.coords(ring);
  return w.hex();
}
