// Where "now" comes from. Code that needs the time is given a Clock rather than reading the
// system's, so a test can put the whole product at any instant — the last minute of a month, the
// hour a deadline passes — and SQL receives the same instant as a parameter instead of now().
export interface Clock { now(): Date }

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands at `at` until it is set or advanced (tests, benchmarks, replays). */
export function manualClock(at: Date | string | number) {
  let t = new Date(at).getTime();
  if (Number.isNaN(t)) throw new Error(`manualClock: "${String(at)}" is not a date`);
  return {
    now: () => new Date(t),
    set(to: Date | string | number) { t = new Date(to).getTime(); },
    advance(ms: number) { t += ms; },
  };
}
export type ManualClock = ReturnType<typeof manualClock>;
