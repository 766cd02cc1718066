// Legend icons straight from the map's sprite, so the legend shows exactly what the map draws.
import type { StyleSpecification } from 'maplibre-gl';

export interface SpriteIcon { url: string; x: number; y: number; width: number; height: number; pixelRatio: number; sheetWidth: number; sheetHeight: number }
export type SpriteIndex = Map<string, SpriteIcon>;

export async function loadSprite(style: StyleSpecification, fetchFn: typeof fetch = fetch): Promise<SpriteIndex> {
  const index: SpriteIndex = new Map();
  const sprites = typeof style.sprite === 'string' ? [{ id: 'default', url: style.sprite }] : (style.sprite ?? []);
  const ratio = (globalThis.devicePixelRatio ?? 1) > 1 ? '@2x' : '';
  await Promise.all(sprites.map(async ({ id, url }) => {
    const res = await fetchFn(`${url}${ratio}.json`).catch(() => null);
    if (!res?.ok) return;
    const entries = (await res.json()) as Record<string, { x: number; y: number; width: number; height: number; pixelRatio?: number }>;
    const png = `${url}${ratio}.png`;
    const img = new Image();
    img.src = png;
    await img.decode().catch(() => {});
    for (const [name, e] of Object.entries(entries)) {
      const key = id === 'default' ? name : `${id}:${name}`;
      index.set(key, { url: png, ...e, pixelRatio: e.pixelRatio ?? 1, sheetWidth: img.naturalWidth, sheetHeight: img.naturalHeight });
    }
  }));
  return index;
}

/** CSS for a <span> that shows one sprite icon at its logical size. */
export function iconStyle(icon: SpriteIcon, size = 18): string {
  const scale = size / (icon.height / icon.pixelRatio);
  const w = (icon.width / icon.pixelRatio) * scale;
  return [
    `width:${w}px`, `height:${size}px`, `background-image:url("${icon.url}")`,
    `background-position:${(-icon.x / icon.pixelRatio) * scale}px ${(-icon.y / icon.pixelRatio) * scale}px`,
    `background-size:${(icon.sheetWidth / icon.pixelRatio) * scale}px ${(icon.sheetHeight / icon.pixelRatio) * scale}px`,
  ].join(';');
}
