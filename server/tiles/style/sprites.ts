// The MapLibre sprite (json + png, @1x and @2x) drawn from tiles/style/icons/*.svg with a tiny
// rasteriser of our own (no native dependencies): the SVG subset our icons use — rect (rx),
// circle and path (M L H V C Q Z, absolute or relative) with solid fills — scanned with 4×4
// supersampling and written as PNG with node:zlib.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { evenOdd, flatten, winding, type PathCommand, type Ring } from './outline.ts';
import { tilesDir } from '../registry.ts';

interface Shape { rings: Ring[]; color: [number, number, number, number]; evenodd: boolean }
interface Icon { name: string; width: number; height: number; shapes: Shape[] }

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

function color(hex: string | undefined): [number, number, number, number] {
  const h = (hex ?? '#000000').replace('#', '');
  const full = h.length === 3 ? h.split('').map((c) => c + c).join('') : h;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new Error(`icon colour "${hex}" must be #rgb or #rrggbb`);
  return [parseInt(full.slice(0, 2), 16), parseInt(full.slice(2, 4), 16), parseInt(full.slice(4, 6), 16), 255];
}

function roundedRect(x: number, y: number, w: number, h: number, r: number): PathCommand[] {
  r = Math.min(r, w / 2, h / 2);
  if (r <= 0) return [{ type: 'M', x, y }, { type: 'L', x: x + w, y }, { type: 'L', x: x + w, y: y + h }, { type: 'L', x, y: y + h }, { type: 'Z' }];
  const k = 0.5523 * r; // cubic approximation of a quarter circle
  return [
    { type: 'M', x: x + r, y },
    { type: 'L', x: x + w - r, y },
    { type: 'C', x1: x + w - r + k, y1: y, x2: x + w, y2: y + r - k, x: x + w, y: y + r },
    { type: 'L', x: x + w, y: y + h - r },
    { type: 'C', x1: x + w, y1: y + h - r + k, x2: x + w - r + k, y2: y + h, x: x + w - r, y: y + h },
    { type: 'L', x: x + r, y: y + h },
    { type: 'C', x1: x + r - k, y1: y + h, x2: x, y2: y + h - r + k, x, y: y + h - r },
    { type: 'L', x, y: y + r },
    { type: 'C', x1: x, y1: y + r - k, x2: x + r - k, y2: y, x: x + r, y },
    { type: 'Z' },
  ];
}

function circle(cx: number, cy: number, r: number): PathCommand[] {
  return roundedRect(cx - r, cy - r, 2 * r, 2 * r, r);
}

export function parsePath(d: string): PathCommand[] {
  const tokens = d.match(/[MLHVCQZmlhvcqz]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?/g) ?? [];
  const out: PathCommand[] = [];
  let i = 0, cmd = '', x = 0, y = 0, sx = 0, sy = 0;
  const n = () => Number(tokens[i++]);
  while (i < tokens.length) {
    if (/[A-Za-z]/.test(tokens[i])) cmd = tokens[i++];
    const rel = cmd === cmd.toLowerCase();
    const ox = rel ? x : 0, oy = rel ? y : 0;
    switch (cmd.toUpperCase()) {
      case 'M': x = ox + n(); y = oy + n(); sx = x; sy = y; out.push({ type: 'M', x, y }); cmd = rel ? 'l' : 'L'; break;
      case 'L': x = ox + n(); y = oy + n(); out.push({ type: 'L', x, y }); break;
      case 'H': x = ox + n(); out.push({ type: 'L', x, y }); break;
      case 'V': y = oy + n(); out.push({ type: 'L', x, y }); break;
      case 'C': { const x1 = ox + n(), y1 = oy + n(), x2 = ox + n(), y2 = oy + n(); x = ox + n(); y = oy + n(); out.push({ type: 'C', x1, y1, x2, y2, x, y }); break; }
      case 'Q': { const x1 = ox + n(), y1 = oy + n(); x = ox + n(); y = oy + n(); out.push({ type: 'Q', x1, y1, x, y }); break; }
      case 'Z': out.push({ type: 'Z' }); x = sx; y = sy; break;
      default: throw new Error(`icon path command "${cmd}" is not supported`);
    }
  }
  return out;
}

export function parseSvg(name: string, svg: string): Icon {
  const root = attrs(/<svg\b[^>]*>/.exec(svg)?.[0] ?? '');
  const width = Number(root.width ?? 24), height = Number(root.height ?? 24);
  const shapes: Shape[] = [];
  for (const m of svg.matchAll(/<(rect|circle|path)\b[^>]*>/g)) {
    const a = attrs(m[0]);
    const num = (k: string, d = 0) => (a[k] === undefined ? d : Number(a[k]));
    const cmds = m[1] === 'rect' ? roundedRect(num('x'), num('y'), num('width'), num('height'), num('rx'))
      : m[1] === 'circle' ? circle(num('cx'), num('cy'), num('r'))
      : parsePath(a.d ?? '');
    shapes.push({ rings: flatten(cmds), color: color(a.fill), evenodd: a['fill-rule'] === 'evenodd' });
  }
  return { name, width, height, shapes };
}

/** RGBA pixels of an icon at a pixel ratio (premultiplied compositing, straight alpha out). */
export function rasterise(icon: Icon, ratio: number): { width: number; height: number; rgba: Uint8Array } {
  const w = Math.round(icon.width * ratio), h = Math.round(icon.height * ratio);
  const acc = new Float64Array(w * h * 4); // premultiplied
  const S = 4;
  for (const s of icon.shapes) {
    const [r, g, b] = s.color;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const ring of s.rings) for (const [x, y] of ring) {
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
    const pyFrom = Math.max(0, Math.floor(y0 * ratio)), pyTo = Math.min(h - 1, Math.ceil(y1 * ratio));
    const pxFrom = Math.max(0, Math.floor(x0 * ratio)), pxTo = Math.min(w - 1, Math.ceil(x1 * ratio));
    for (let py = pyFrom; py <= pyTo; py++) {
      for (let px = pxFrom; px <= pxTo; px++) {
        let cover = 0;
        for (let sy = 0; sy < S; sy++) {
          for (let sx = 0; sx < S; sx++) {
            const x = (px + (sx + 0.5) / S) / ratio, y = (py + (sy + 0.5) / S) / ratio;
            if (s.evenodd ? evenOdd(s.rings, x, y) : winding(s.rings, x, y) !== 0) cover++;
          }
        }
        if (!cover) continue;
        const a = cover / (S * S), i = (py * w + px) * 4;
        acc[i] = r * a + acc[i] * (1 - a);
        acc[i + 1] = g * a + acc[i + 1] * (1 - a);
        acc[i + 2] = b * a + acc[i + 2] * (1 - a);
        acc[i + 3] = a + acc[i + 3] * (1 - a);
      }
    }
  }
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const a = acc[i * 4 + 3];
    if (!a) continue;
    rgba[i * 4] = Math.round(acc[i * 4] / a);
    rgba[i * 4 + 1] = Math.round(acc[i * 4 + 1] / a);
    rgba[i * 4 + 2] = Math.round(acc[i * 4 + 2] / a);
    rgba[i * 4 + 3] = Math.round(a * 255);
  }
  return { width: w, height: h, rgba };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface Sprite { json: Record<string, { width: number; height: number; x: number; y: number; pixelRatio: number }>; png: Buffer }

export function loadIcons(dir = join(tilesDir, 'style', 'icons')): Icon[] {
  return readdirSync(dir).filter((f) => f.endsWith('.svg')).sort()
    .map((f) => parseSvg(f.replace(/\.svg$/, ''), readFileSync(join(dir, f), 'utf8')));
}

/** All icons in one row, 1 px apart. */
export function buildSprite(icons: Icon[], ratio: number): Sprite {
  const images = icons.map((i) => ({ icon: i, ...rasterise(i, ratio) }));
  const width = images.reduce((s, im) => s + im.width + 1, 0);
  const height = Math.max(...images.map((im) => im.height));
  const sheet = new Uint8Array(width * height * 4);
  const json: Sprite['json'] = {};
  let x = 0;
  for (const im of images) {
    for (let y = 0; y < im.height; y++) sheet.set(im.rgba.subarray(y * im.width * 4, (y + 1) * im.width * 4), (y * width + x) * 4);
    json[im.icon.name] = { width: im.width, height: im.height, x, y: 0, pixelRatio: ratio };
    x += im.width + 1;
  }
  return { json, png: encodePng(width, height, sheet) };
}

const sprites = new Map<number, Sprite>();
export function sprite(ratio: 1 | 2): Sprite {
  let s = sprites.get(ratio);
  if (!s) { s = buildSprite(loadIcons(), ratio); sprites.set(ratio, s); }
  return s;
}
