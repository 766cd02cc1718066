// A period of Kyiv days as the rollups read it: the whole calendar months inside it from the
// monthly table, the days before the first and after the last of them from the daily one.
import { addDays } from '../../vocabulary/calendar.ts';

export interface PeriodSplit {
  /** First days of the whole months, from (inclusive) … to (exclusive); null when none. */
  months: { from: string; to: string } | null;
  /** Day ranges, both ends included (at most two). */
  days: { from: string; to: string }[];
}

const firstOfMonth = (day: string) => `${day.slice(0, 8)}01`;
const nextMonth = (day: string) => {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

export function splitPeriod(from: string, to: string): PeriodSplit {
  const fm = from === firstOfMonth(from) ? from : nextMonth(from);
  const lm = firstOfMonth(addDays(to, 1));
  if (fm >= lm) return { months: null, days: [{ from, to }] };
  const days = [];
  if (from < fm) days.push({ from, to: addDays(fm, -1) });
  if (lm <= to) days.push({ from: lm, to });
  return { months: { from: fm, to: lm }, days };
}
