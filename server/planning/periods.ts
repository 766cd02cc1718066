// A period of Kyiv days as the rollups read it: whole calendar months from the monthly table and
// days from the daily one. A month the period only partly covers is read as its days inside, or —
// when fewer of its days lie outside — as the whole month minus those days: a year from the 3rd
// reads one month and two days rather than 29 days at that edge.
import { addDays, daysInclusive } from '../../vocabulary/calendar.ts';

export interface DayRange { from: string; to: string }
export interface PeriodSplit {
  /** First days of the months read whole, from (inclusive) … to (exclusive); null when none. */
  months: { from: string; to: string } | null;
  /** Day ranges added, both ends included (at most two). */
  days: DayRange[];
  /** Day ranges of those months outside the period, subtracted (at most two). */
  minus: DayRange[];
}

const firstOfMonth = (day: string) => `${day.slice(0, 8)}01`;
const nextMonth = (day: string) => {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};
const length = (r: DayRange) => Math.max(0, daysInclusive(r.from, r.to));

export function splitPeriod(from: string, to: string): PeriodSplit {
  const first = firstOfMonth(from), last = firstOfMonth(to);
  const edges = first === last ? [first] : [first, last];
  const days: DayRange[] = [], minus: DayRange[] = [];
  // Each edge month: whole (or as the month less what lies outside) — else its days inside.
  const whole = edges.map((m) => {
    const end = addDays(nextMonth(m), -1);
    const inside = { from: from > m ? from : m, to: to < end ? to : end };
    const outside = [{ from: m, to: addDays(inside.from, -1) }, { from: addDays(inside.to, 1), to: end }].filter((r) => length(r) > 0);
    const out = outside.reduce((n, r) => n + length(r), 0);
    if (out < length(inside)) { minus.push(...outside); return true; }
    days.push(inside);
    return false;
  });
  const mFrom = whole[0] ? first : nextMonth(first);
  const mTo = whole[whole.length - 1] ? nextMonth(last) : last;
  return { months: mFrom < mTo ? { from: mFrom, to: mTo } : null, days, minus };
}
