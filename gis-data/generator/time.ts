// Timestamps for COPY without a Date object per value: millions of appeals carry 3–5 each.
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
const pad2 = Array.from({ length: 60 }, (_, k) => String(k).padStart(2, '0'));
const dayCache = new Map<number, string>();

/** UTC "YYYY-MM-DD HH:MM:SS+00" */
export function ts(ms: number): string {
  const t = Math.floor(ms / 1000);
  const day = Math.floor(t / 86_400);
  let d = dayCache.get(day);
  if (d === undefined) { d = new Date(day * DAY).toISOString().slice(0, 10); dayCache.set(day, d); }
  const s = t - day * 86_400;
  return `${d} ${pad2[Math.floor(s / 3600)]}:${pad2[Math.floor((s % 3600) / 60)]}:${pad2[s % 60]}+00`;
}

export const yearOf = (ms: number) => new Date(ms).getUTCFullYear();
