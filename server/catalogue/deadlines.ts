// When a deadline falls: a category's hours counted on the calendar, or as working hours — inside the
// opening hours of each working day of the week, skipping holidays, on the city's wall clock. The
// week and the holidays are data (work_week, holiday); this is only the counting.
import { wallTime } from '../jobs/slots.ts';
import type { DeadlineBasis } from '../../vocabulary/appeals.ts';

export type { DeadlineBasis };

const HOUR = 3600_000;
/** Beyond this many days without a working hour the calendar is taken to be empty. */
const HORIZON_DAYS = 800;

export interface WorkCalendar {
  /** Opening hours per ISO weekday (1 = Monday), as "HH:MM" or "HH:MM:SS"; a day not listed is closed. */
  week: { isodow: number; opens: string; closes: string }[];
  /** Holidays as "YYYY-MM-DD" in the city. */
  holidays: string[];
}

/** The city's calendar date at `at`. */
function cityDay(at: Date): { y: number; m: number; d: number } {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(at).split('-').map(Number);
  return { y, m, d };
}
const hm = (t: string) => t.split(':').slice(0, 2).map(Number) as [number, number];

/** `hours` working hours after `from`. */
export function addWorkingHours(from: Date, hours: number, cal: WorkCalendar): Date {
  const week = new Map(cal.week.map((w) => [w.isodow, w]));
  const holidays = new Set(cal.holidays);
  let left = hours * HOUR;
  const start = cityDay(from);
  for (let i = 0; i < HORIZON_DAYS; i++) {
    const day = new Date(Date.UTC(start.y, start.m - 1, start.d + i));
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const isodow = ((day.getUTCDay() + 6) % 7) + 1;
    const open = week.get(isodow);
    const key = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    if (!open || holidays.has(key)) continue;
    const opens = wallTime(y, m, d, ...hm(open.opens)).getTime();
    const closes = wallTime(y, m, d, ...hm(open.closes)).getTime();
    const begin = Math.max(opens, from.getTime());
    if (begin >= closes) continue;
    if (left <= closes - begin) return new Date(begin + left);
    left -= closes - begin;
  }
  throw new Error('The working calendar has no working hours: check work_week');
}

/** The deadline of a category from `from`. */
export function deadlineOf(c: { deadlineHours: number; deadlineBasis?: DeadlineBasis }, from: Date, cal: WorkCalendar): Date {
  return c.deadlineBasis === 'working' ? addWorkingHours(from, c.deadlineHours, cal) : new Date(from.getTime() + c.deadlineHours * HOUR);
}
