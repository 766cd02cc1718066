// SDF glyphs for MapLibre labels (Cyrillic included), generated from a TrueType font on the
// machine (Debian's fonts-dejavu-core) in the glyphs.proto format node-fontnik produces:
// 24 px, 3 px buffer, radius 8, cutoff 0.25, one PBF per 256 code points. Generated on first
// request and kept on disk under DATA_DIR/glyphs, so a fresh machine needs no network.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as opentypeNs from 'opentype.js';
import { PbfWriter } from 'pbf';
import { config } from '../../config.ts';
import { distance, flatten, winding, type PathCommand } from './outline.ts';

const opentype: any = (opentypeNs as any).default ?? opentypeNs;

const SIZE = 24, BUFFER = 3, RADIUS = 8, CUTOFF = 0.25;
const FONT_DIR = config.fontDir;

/** Fontstack names the style may use → font files. */
export const FONTS: Record<string, string> = {
  'DejaVu Sans': 'DejaVuSans.ttf',
  'DejaVu Sans Bold': 'DejaVuSans-Bold.ttf',
  'DejaVu Sans Oblique': 'DejaVuSans-Oblique.ttf',
};

const fonts = new Map<string, any>();
function font(name: string) {
  let f = fonts.get(name);
  if (!f) {
    const buf = readFileSync(join(FONT_DIR, FONTS[name]));
    f = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    fonts.set(name, f);
  }
  return f;
}

/** The first font of a comma-separated fontstack that we have; undefined when none. */
export function resolveFontstack(stack: string): string | undefined {
  return stack.split(',').map((s) => s.trim()).find((s) => FONTS[s] && existsSync(join(FONT_DIR, FONTS[s])));
}

interface Glyph { id: number; bitmap?: Uint8Array; width: number; height: number; left: number; top: number; advance: number }

function renderGlyph(f: any, codepoint: number): Glyph | undefined {
  const g = f.charToGlyph(String.fromCodePoint(codepoint));
  if (!g || g.index === 0) return undefined;
  const scale = SIZE / f.unitsPerEm;
  const advance = Math.round(g.advanceWidth * scale);
  const ascender = Math.ceil(f.ascender * scale);
  // opentype.js paths are y-down; glyph metrics are y-up.
  const commands = (g.getPath(0, 0, SIZE).commands as any[]).map((c) => {
    const o: any = { ...c };
    for (const k of ['y', 'y1', 'y2']) if (k in o) o[k] = -o[k];
    return o as PathCommand;
  });
  const rings = flatten(commands);
  if (!rings.length) return { id: codepoint, width: 0, height: 0, left: 0, top: -ascender, advance };
  let xmin = Infinity, ymin = Infinity, xmax = -Infinity, ymax = -Infinity;
  for (const r of rings) for (const [x, y] of r) {
    if (x < xmin) xmin = x; if (x > xmax) xmax = x;
    if (y < ymin) ymin = y; if (y > ymax) ymax = y;
  }
  xmin = Math.round(xmin); ymin = Math.round(ymin); xmax = Math.round(xmax); ymax = Math.round(ymax);
  const width = xmax - xmin, height = ymax - ymin;
  if (width <= 0 || height <= 0) return { id: codepoint, width: 0, height: 0, left: 0, top: -ascender, advance };
  const shifted = rings.map((r) => r.map(([x, y]) => [x - xmin + BUFFER, y - ymin + BUFFER] as [number, number]));
  const bw = width + 2 * BUFFER, bh = height + 2 * BUFFER;
  const bitmap = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const px = x + 0.5, py = y + 0.5;
      let d = distance(shifted, px, py);
      if (winding(shifted, px, py) !== 0) d = -d;
      const n = Math.max(0, Math.min(255, d * (256 / RADIUS) + CUTOFF * 256));
      bitmap[(bh - y - 1) * bw + x] = 255 - Math.floor(n);
    }
  }
  return { id: codepoint, bitmap, width, height, left: xmin, top: ymax - ascender, advance };
}

export function encodeGlyphs(name: string, start: number, end: number, glyphs: Glyph[]): Buffer {
  const pbf = new PbfWriter();
  pbf.writeMessage(1, (_: unknown, p: PbfWriter) => {
    p.writeStringField(1, name);
    p.writeStringField(2, `${start}-${end}`);
    for (const g of glyphs) {
      p.writeMessage(3, (_g: unknown, q: PbfWriter) => {
        q.writeVarintField(1, g.id);
        if (g.bitmap) q.writeBytesField(2, g.bitmap);
        q.writeVarintField(3, g.width);
        q.writeVarintField(4, g.height);
        q.writeSVarintField(5, g.left);
        q.writeSVarintField(6, g.top);
        q.writeVarintField(7, g.advance);
      }, g);
    }
  }, null);
  return Buffer.from(pbf.finish());
}

const memory = new Map<string, Promise<Buffer>>();

/**
 * The glyph PBF of `start`…`start+255` for a fontstack; undefined for an unknown fontstack or
 * range. A range not yet on disk is rendered in slices that yield to the event loop (about a
 * second of CPU for Cyrillic), once per process even when asked concurrently.
 */
export async function glyphRange(stack: string, range: string, cacheDir = config.glyphDir): Promise<Buffer | undefined> {
  const m = /^(\d+)-(\d+)$/.exec(range);
  if (!m) return undefined;
  const start = Number(m[1]), end = Number(m[2]);
  if (start % 256 !== 0 || end !== start + 255 || end > 65535) return undefined;
  const name = resolveFontstack(stack);
  if (!name) return undefined;
  const key = `${name}/${range}`;
  let p = memory.get(key);
  if (!p) {
    p = load(name, stack.split(',')[0].trim(), start, end, join(cacheDir, name.replace(/\W+/g, '_')));
    p.catch(() => memory.delete(key));
    memory.set(key, p);
  }
  return p;
}

async function load(name: string, label: string, start: number, end: number, dir: string): Promise<Buffer> {
  const file = join(dir, `${start}-${end}.pbf`);
  if (existsSync(file)) return readFileSync(file);
  const f = font(name);
  const glyphs: Glyph[] = [];
  for (let cp = start; cp <= end; cp++) {
    const g = renderGlyph(f, cp);
    if (g) glyphs.push(g);
    if (cp % 16 === 15) await new Promise((r) => setImmediate(r));
  }
  const buf = encodeGlyphs(label, start, end, glyphs);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file + '.tmp', buf);
  renameSync(file + '.tmp', file);
  return buf;
}
