// The icon atlas of the announcement circles, drawn once on a canvas: a lightning bolt crossed out
// for an outage, a spade for an excavation. White shapes, used by deck.gl's IconLayer as masks.
export const ICON_SIZE = 64;
export const ICON_MAPPING = {
  outage: { x: 0, y: 0, width: ICON_SIZE, height: ICON_SIZE, mask: true },
  excavation: { x: ICON_SIZE, y: 0, width: ICON_SIZE, height: ICON_SIZE, mask: true },
};

export function drawIconAtlas(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = ICON_SIZE * 2;
  c.height = ICON_SIZE;
  const g = c.getContext('2d')!;
  g.fillStyle = '#fff';
  g.strokeStyle = '#fff';
  g.lineCap = 'round';
  g.lineJoin = 'round';
  // Outage: a bolt with a slash through it.
  g.beginPath();
  g.moveTo(36, 6); g.lineTo(16, 36); g.lineTo(30, 36); g.lineTo(26, 58); g.lineTo(48, 26); g.lineTo(34, 26); g.closePath();
  g.fill();
  g.lineWidth = 6;
  g.beginPath(); g.moveTo(8, 8); g.lineTo(56, 56); g.stroke();
  // Excavation: a spade (handle, shaft, blade).
  const x = ICON_SIZE;
  g.lineWidth = 6;
  g.beginPath(); g.moveTo(x + 22, 8); g.lineTo(x + 42, 8); g.stroke();
  g.beginPath(); g.moveTo(x + 32, 8); g.lineTo(x + 32, 34); g.stroke();
  g.beginPath();
  g.moveTo(x + 18, 32); g.lineTo(x + 46, 32); g.lineTo(x + 46, 46); g.quadraticCurveTo(x + 32, 62, x + 18, 46); g.closePath();
  g.fill();
  return c;
}
