// Scheduled slots as instants: a job runs at wall-clock times of the city ("07:00", "19:00" in
// Europe/Kyiv), and each run is identified by the instant of its slot. The latest slot at or before
// "now" is what a scheduler fires and what start-up catches up on; the same arithmetic serves both.
export const CITY_TZ = 'Europe/Kyiv';

/** "07:00" → [7, 0]; throws on anything else (configuration is checked at start-up). */
export function parseTime(hhmm: string): [number, number] {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(hhmm.trim());
  if (!m) throw new Error(`"${hhmm}" is not a time of day (HH:MM)`);
  return [Number(m[1]), Number(m[2])];
}

/** A comma-separated list of times of day ("07:00,19:00"), sorted and without repeats. */
export function parseTimes(list: string): string[] {
  const times = list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const [h, m] = parseTime(s);
    return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  });
  if (!times.length) throw new Error('No times of day given');
  return [...new Set(times)].sort();
}

/** The zone's offset from UTC at `at`, in milliseconds (Kyiv: +2 h in winter, +3 h in summer). */
function offsetMs(at: number, tz: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/** The zone's calendar date at `at`, as [year, month (1–12), day]. */
function dateIn(at: Date, tz: string): [number, number, number] {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at).split('-').map(Number);
  return [y, m, d];
}

/**
 * The instant the zone's wall clock reads `hh:mm` on the given date. A time skipped by the spring
 * change (03:00–04:00 in Kyiv) falls an hour later; a repeated one in autumn is its first reading.
 */
export function wallTime(y: number, m: number, d: number, hh: number, mm: number, tz = CITY_TZ): Date {
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let at = guess - offsetMs(guess, tz);
  const there = offsetMs(at, tz);
  if (there !== offsetMs(guess, tz)) at = guess - there;
  return new Date(at);
}

/** The latest slot of `times` at or before `now` (today's or yesterday's in the zone). */
export function latestSlot(times: readonly string[], now: Date, tz = CITY_TZ): Date {
  const [y, m, d] = dateIn(now, tz);
  let best: Date | null = null;
  for (const back of [0, 1]) {
    const day = new Date(Date.UTC(y, m - 1, d - back));
    for (const t of times) {
      const [hh, mm] = parseTime(t);
      const at = wallTime(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hh, mm, tz);
      if (at.getTime() <= now.getTime() && (!best || at.getTime() > best.getTime())) best = at;
    }
    if (best) return best;
  }
  throw new Error('latestSlot: no slot within two days');
}

/** The slot before `slot` (a digest's "since the last one"). */
export function previousSlot(times: readonly string[], slot: Date, tz = CITY_TZ): Date {
  return latestSlot(times, new Date(slot.getTime() - 1), tz);
}

/** node-cron's expression for the times of day ("0 7,19 * * *" when the minutes agree). */
export function cronOf(time: string): string {
  const [h, m] = parseTime(time);
  return `${m} ${h} * * *`;
}
