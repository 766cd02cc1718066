// The instant every test runs at. The product is given a clock standing at TEST_NOW (the demo
// city's data are generated relative to it too), so a test passes on any date and at any hour;
// `TEST_NOW=2026-11-30T23:59:00+02:00 npm test` moves the whole suite to that instant.
import { manualClock } from '../../server/clock.ts';

export const TEST_NOW = new Date(process.env.TEST_NOW || '2026-11-20T10:00:00.000Z');
if (Number.isNaN(TEST_NOW.getTime())) throw new Error(`TEST_NOW="${process.env.TEST_NOW}" is not an ISO date-time`);

/** A fresh clock standing at TEST_NOW; advance it to let time pass. */
export const testClock = () => manualClock(TEST_NOW);

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
/** TEST_NOW shifted by `ms` (negative: in the past). */
export const at = (ms = 0) => new Date(TEST_NOW.getTime() + ms);
export const iso = (ms = 0) => at(ms).toISOString();

/** The calendar year in the city (Europe/Kyiv) at `d`: appeal numbers carry it. */
export const kyivYear = (d: Date = TEST_NOW) =>
  Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv', year: 'numeric' }).format(d));

/** A clock that starts at TEST_NOW and runs at real speed (or `speed` times it): for suites that
 *  time real events (calls ringing, answered, hung up) yet must not depend on the date. */
export function runningClock(anchor: Date = TEST_NOW, speed = 1) {
  const t0 = performance.now();
  return { now: () => new Date(anchor.getTime() + (performance.now() - t0) * speed) };
}
