// The city's calendar days ("YYYY-MM-DD" in Europe/Kyiv), whatever the zone of the machine or the
// browser. A day is a label here; where a day begins as an instant (DST included) is PostgreSQL's
// call (`day::timestamp AT TIME ZONE 'Europe/Kyiv'`).
export const CITY_TIME_ZONE = 'Europe/Kyiv';

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: CITY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Kyiv calendar day containing the instant `at`. */
export function kyivDay(at: Date): string {
  const p = Object.fromEntries(dayFormat.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

/** Whether `s` is a real calendar day written YYYY-MM-DD (no 2026-02-30). */
export function isCalendarDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

// Calendar arithmetic on labels: UTC has no DST, so whole days are 86,400 s there.
const DAY_MS = 86_400_000;
const utc = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The day `n` days after `day` (before it when negative). */
export const addDays = (day: string, n: number) => new Date(utc(day) + n * DAY_MS).toISOString().slice(0, 10);

/** How many days from `from` to `to`, both counted (1 for the same day; 0 or less when `to` is earlier). */
export const daysInclusive = (from: string, to: string) => Math.round((utc(to) - utc(from)) / DAY_MS) + 1;

/** Every day from `from` to `to`, both included. */
export function eachDay(from: string, to: string): string[] {
  const n = Math.max(0, daysInclusive(from, to));
  return Array.from({ length: n }, (_, i) => addDays(from, i));
}
