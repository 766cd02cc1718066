// How one survey dialling ended, from what Asterisk 22 reports (tests/fixtures/ami/survey-*.jsonl).
// OriginateResponse's Reason is app_originate's old control number: 4 answered, 3 still ringing at
// the Timeout, 5 / 8 a Busy() / Congestion() indication on a Local channel, and 0 for a far end that
// hung up before answering whatever its cause — so a 0 is told apart by the Hangup's Cause (a SIP
// trunk's 486 arrives as 0 + cause 17, a 404 as 0 + cause 1).
import type { AttemptOutcome } from '../../vocabulary/surveys.ts';

export interface Observed {
  /** The Originate action itself was refused or never answered (no OriginateResponse will come). */
  refused?: boolean;
  response?: 'Success' | 'Failure';
  reason?: number;
  /** The first non-zero Hangup cause of the call's channels. */
  cause?: number;
  dialStatus?: string;
  /** The first Read's key ("" when it timed out) and the rating Read's key. */
  digit?: string;
  rating?: string;
}

export interface Classified { outcome: AttemptOutcome; confirmed: boolean | null; rating: number | null }

/** Q.850 causes of a number that does not exist (or cannot be dialled as written). */
const INVALID = new Set([1, 2, 3, 22, 28]);
/** The resident's line is busy or they declined the call. */
const BUSY = new Set([17, 21]);
/** Rang, nobody took it. */
const NO_PICKUP = new Set([16, 18, 19, 31]);

export function classify(o: Observed): Classified {
  const none = (outcome: AttemptOutcome): Classified => ({ outcome, confirmed: null, rating: null });
  if (o.refused) return none('failed');
  if (o.response === 'Success' || o.reason === 4) {
    if (o.digit === '1') {
      const r = Number(o.rating);
      return { outcome: 'answered', confirmed: true, rating: /^[1-5]$/.test(o.rating ?? '') ? r : null };
    }
    if (o.digit === '2') return { outcome: 'answered', confirmed: false, rating: null };
    return none('no_input');
  }
  switch (o.reason) {
    case 3: return none('no_pickup');
    case 5: return none('busy');
    case 8: return none('failed');
  }
  const cause = o.cause;
  if (cause !== undefined) {
    if (INVALID.has(cause)) return none('invalid_number');
    if (BUSY.has(cause)) return none('busy');
    if (NO_PICKUP.has(cause)) return none('no_pickup');
    return none('failed');
  }
  if (o.dialStatus === 'BUSY') return none('busy');
  if (o.dialStatus === 'NOANSWER') return none('no_pickup');
  return none('failed');
}
