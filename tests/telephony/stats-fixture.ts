// A hand-built call log for the statistics tests: calls described by when they entered (a Kyiv wall
// time or an exact instant) and how many seconds each step took, and Kyiv wall times as instants,
// worked out with Intl so the tests do not lean on the SQL they check.
import type { Db } from '../../server/db/db.ts';
import type { CallOutcome } from '../../vocabulary/telephony.ts';

let seq = 0;

export const plusSeconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);

const wall = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
const kyivWall = (d: Date) => {
  const p = Object.fromEntries(wall.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
};

/** The instant the Kyiv wall clock shows `day` `time` (EET or EEST; not for the hour that repeats in October). */
export function kyivTime(day: string, time: string): Date {
  for (const offset of ['+02:00', '+03:00']) {
    const d = new Date(`${day}T${time}${offset}`);
    if (kyivWall(d) === `${day} ${time}`) return d;
  }
  throw new Error(`${day} ${time} does not happen in Kyiv`);
}

/** The last Sunday of a month (1…12) of `year`, as a calendar day. */
export function lastSunday(year: number, month: number): string {
  const last = new Date(Date.UTC(year, month, 0));
  last.setUTCDate(last.getUTCDate() - last.getUTCDay());
  return last.toISOString().slice(0, 10);
}

export interface CallSpec {
  /** entered_at */
  at: Date;
  /** Seconds from entering to the queue; null: never asked for an operator. */
  q: number | null;
  /** Seconds from the queue (or entry) to the answer, or to the hang-up when unanswered; null: still waiting. */
  w: number | null;
  /** Seconds talking, for answered calls. */
  h?: number;
  /** null: still in progress. */
  outcome: CallOutcome | null;
  queue?: string | null;
  operator?: number | null;
  consultation?: boolean;
  queueStatus?: string;
  /** In progress and already answered. */
  answeredOpen?: boolean;
}

export async function insertCall(db: Db, c: CallSpec) {
  const queued = c.q === null ? null : plusSeconds(c.at, c.q);
  const waitFrom = queued ?? c.at;
  const answered = c.outcome === 'answered' || c.answeredOpen ? plusSeconds(waitFrom, c.w ?? 0) : null;
  const hungup = c.outcome === null ? null : answered ? plusSeconds(answered, c.h ?? 0) : plusSeconds(waitFrom, c.w ?? 0);
  seq += 1;
  return db.one<{ id: number }>(`
    INSERT INTO call (uniqueid, linkedid, caller_phone, queue, operator_id, entered_at, queued_at, answered_at, hungup_at,
                      outcome, consultation, queue_status)
    VALUES ($1, $1, '+380671234567', $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
  [`1700000000.${seq}`, c.queue ?? null, c.operator ?? null, c.at, queued, answered, hungup, c.outcome, c.consultation ?? false, c.queueStatus ?? null]);
}
