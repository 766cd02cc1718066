// A sequential colour ramp (light yellow → dark red) for counts on the planners' maps.
export const RAMP: [number, number, number][] = [
  [255, 255, 204], [255, 237, 160], [254, 217, 118], [254, 178, 76], [253, 141, 60], [252, 78, 42], [227, 26, 28], [177, 0, 38],
];

/** The ramp's colour at share `x` (0…1). */
export function colorRamp(x: number): [number, number, number] {
  const v = Math.max(0, Math.min(1, Number.isFinite(x) ? x : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(v));
  const f = v - i;
  return RAMP[i].map((c, k) => Math.round(c + (RAMP[i + 1][k] - c) * f)) as [number, number, number];
}
