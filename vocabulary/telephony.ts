// The contact centre's words: how a call ended, what the service level means, which phone
// interfaces Asterisk can queue, and what a supervisor's wallboard shows. Shared by the call
// tracker, the call log's SQL (CHECK on call.outcome), the statistics and the pages.

/**
 * How a call ended, decided once when its last caller channel hangs up:
 * - answered            an operator answered (a queue member or a directly dialled operator);
 * - abandoned_queue     the caller hung up while waiting in the queue, no operator ringing;
 * - abandoned_ringing   the caller hung up while an operator's phone was ringing;
 * - no_operators        the queue had nobody to ring (QUEUESTATUS JOINEMPTY, LEAVEEMPTY, …UNAVAIL);
 * - queue_timeout       the queue's own time limit ran out (QUEUESTATUS TIMEOUT);
 * - queue_full          the queue was at its maxlen (QUEUESTATUS FULL);
 * - unanswered          a directly dialled operator did not answer (Dial gave up);
 * - ended_before_queue  ended before asking for an operator (the greeting menu, a transfer to a service);
 * - lost                ended while the PBX link was down, unanswered (an answered one stays answered).
 */
export const CALL_OUTCOMES = [
  'answered', 'abandoned_queue', 'abandoned_ringing', 'no_operators', 'queue_timeout', 'queue_full',
  'unanswered', 'ended_before_queue', 'lost',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Calls that asked for an operator: the denominator of the service level and the abandon rate. */
export const OFFERED_OUTCOMES: readonly CallOutcome[] = [
  'answered', 'abandoned_queue', 'abandoned_ringing', 'no_operators', 'queue_timeout', 'queue_full', 'unanswered', 'lost',
];
export const ABANDONED_OUTCOMES: readonly CallOutcome[] = ['abandoned_queue', 'abandoned_ringing'];
/** "Нема вільних операторів": the queue could not take or keep the call. */
export const NO_OPERATOR_OUTCOMES: readonly CallOutcome[] = ['no_operators', 'queue_timeout', 'queue_full'];

/** Asterisk's QUEUESTATUS after Queue() returns to the dialplan, as an outcome (CONTINUE: answered). */
export const QUEUESTATUS_OUTCOME: Readonly<Record<string, CallOutcome>> = {
  JOINEMPTY: 'no_operators', LEAVEEMPTY: 'no_operators', JOINUNAVAIL: 'no_operators', LEAVEUNAVAIL: 'no_operators',
  TIMEOUT: 'queue_timeout', FULL: 'queue_full',
};

/** Service level: answered within this many seconds of entering the queue, as a share of offered calls. */
export const SERVICE_LEVEL_SECONDS = 20;
export const SERVICE_LEVEL_TARGET = 0.8;

/** An operator answered. */
export const ANSWERED_OUTCOMES: readonly CallOutcome[] = ['answered'];
/** Ended before asking for an operator: counted apart, never offered. */
export const BEFORE_QUEUE_OUTCOMES: readonly CallOutcome[] = ['ended_before_queue'];

/**
 * Channel technologies Asterisk queues and dials by interface. The canonical form keeps the
 * technology (in Asterisk's spelling) and the resource, and drops what varies per call or per
 * dial: Local options ("/n", "/nj"), a dial string's extra parts, a channel's "-0000002a" suffix
 * and a Local half's ";1"/";2".
 */
export const INTERFACE_TECHS = ['PJSIP', 'SIP', 'IAX2', 'DAHDI', 'Local'] as const;

/**
 * "Local/100@operators/n", "Local/100@operators-0000001c;1", "pjsip/101", "PJSIP/101-0000002a",
 * "SIP/101" → "Local/100@operators", "PJSIP/101", "SIP/101". Null for what no queue can ring.
 */
export function canonicalInterface(raw: string | null | undefined): string | null {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\/([^/\s]+)/.exec(raw ?? '');
  if (!m) return null;
  const tech = INTERFACE_TECHS.find((t) => t.toLowerCase() === m[1].toLowerCase());
  if (!tech) return null;
  let resource = m[2].replace(/;\d+$/, '');
  // A channel name: the resource and a unique suffix of 8 hex digits (Local, PJSIP, SIP, IAX2 alike).
  resource = resource.replace(/-[0-9a-f]{8}$/i, '');
  if (tech === 'Local' && !/^[^@]+@[^@]+$/.test(resource)) return null;
  if (tech === 'DAHDI') resource = resource.replace(/-\d+$/, '');
  return resource ? `${tech}/${resource}` : null;
}

/** What an administrator may type as an operator's phone interface. */
export const INTERFACE_EXAMPLES = ['PJSIP/101', 'SIP/101', 'IAX2/desk101', 'Local/101@operators/n'] as const;

/** An operator's state on the wallboard. */
export const OPERATOR_STATES = ['on_call', 'ringing', 'wrap_up', 'free', 'paused', 'unavailable'] as const;
export type OperatorState = (typeof OPERATOR_STATES)[number];

/** Asterisk's device state numbers in QueueMemberStatus / QueueMember "Status". */
export const DEVICE_STATE: Readonly<Record<string, 'free' | 'in_use' | 'ringing' | 'unavailable'>> = {
  0: 'free',        // unknown: a queue rings it
  1: 'free',        // not in use
  2: 'in_use', 3: 'in_use', 7: 'in_use', 8: 'in_use',   // in use, busy, ring+in use, on hold
  4: 'unavailable', 5: 'unavailable',                   // invalid, unavailable
  6: 'ringing',
};

export interface BoardOperator {
  /** The Misto user behind the queue member, or null when no operator has this interface. */
  userId: number | null;
  name: string;
  interface: string;
  queues: string[];
  state: OperatorState;
  /** Since when the operator is in this state (ISO), when known. */
  since: string | null;
}

export interface BoardQueue {
  name: string;
  waiting: number;
  /** The longest current wait in this queue, seconds. */
  longestWaitSeconds: number;
}

/** The figures of the day so far (Europe/Kyiv), from the call log. */
export interface BoardToday {
  offered: number;
  answered: number;
  abandoned: number;
  noOperators: number;
  /** Answered within SERVICE_LEVEL_SECONDS / offered; null before the first offered call. */
  serviceLevel: number | null;
  averageSpeedOfAnswerSeconds: number | null;
}

/** The supervisor's wallboard: no caller's number or name, only counts and the operators' states. */
export interface Board {
  at: string;
  connected: boolean;
  queues: BoardQueue[];
  operators: BoardOperator[];
  counts: Record<OperatorState, number>;
  today: BoardToday;
}

// ---- the contact centre's statistics (docs/telephony.md, "Contact-centre statistics") ----
//
// Ended calls only (hungup_at set), each counted in the Kyiv day and hour it entered the PBX. A wait
// starts at queued_at (entered_at for calls logged without it) and is never below zero.
//   offered           outcome ∈ OFFERED_OUTCOMES
//   answered          outcome ∈ ANSWERED_OUTCOMES
//   answeredInTime    answered with answered_at − queued_at ≤ SERVICE_LEVEL_SECONDS
//   abandoned         outcome ∈ ABANDONED_OUTCOMES
//   noOperators       outcome ∈ NO_OPERATOR_OUTCOMES
//   unanswered, lost  the outcomes of the same names (offered, neither answered nor abandoned)
//   consultations     answered calls marked consultation (settled without an appeal)
//   endedBeforeQueue  outcome ∈ BEFORE_QUEUE_OUTCOMES (not offered)
//   serviceLevel      answeredInTime / offered
//   abandonRate       abandoned / offered
//   ASA               mean answered_at − queued_at of answered calls
//   AHT               mean hungup_at − answered_at of answered calls (the PBX does not see after-call work)
//   longest wait      max coalesce(answered_at, hungup_at) − queued_at of offered calls
// Rates are fractions 0…1, and like the means null when there is nothing to divide by.

/** The counts the call log's SQL returns for a set of calls. */
export interface CallCounts {
  offered: number;
  answered: number;
  answeredInTime: number;
  abandoned: number;
  noOperators: number;
  unanswered: number;
  lost: number;
  consultations: number;
  endedBeforeQueue: number;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleTimeSeconds: number | null;
  longestWaitSeconds: number | null;
}

/** The counts with their rates. */
export interface CallFigures extends CallCounts {
  serviceLevel: number | null;
  /** Whether serviceLevel reaches SERVICE_LEVEL_TARGET; null when nothing was offered. */
  serviceLevelMet: boolean | null;
  abandonRate: number | null;
}

const share = (n: number, of: number) => (of > 0 ? n / of : null);
export const meetsServiceLevel = (serviceLevel: number | null) => (serviceLevel === null ? null : serviceLevel >= SERVICE_LEVEL_TARGET);

/** The rates of a set of calls, from its counts: the one place they are divided. */
export function callFigures(c: CallCounts): CallFigures {
  const serviceLevel = share(c.answeredInTime, c.offered);
  return { ...c, serviceLevel, serviceLevelMet: meetsServiceLevel(serviceLevel), abandonRate: share(c.abandoned, c.offered) };
}

/** One operator's part: what they answered and how (no caller's data). */
export interface OperatorFigures {
  operatorId: number;
  name: string;
  answered: number;
  consultations: number;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleTimeSeconds: number | null;
}

/** GET /api/stats/calls. */
export interface CallStats {
  /** The period as Kyiv calendar days, both inclusive ("YYYY-MM-DD"). */
  from: string;
  to: string;
  queue: string | null;
  operator: number | null;
  thresholds: { serviceLevelSeconds: number; serviceLevelTarget: number };
  totals: CallFigures;
  /** 24 rows, hour 0…23 of the Kyiv wall clock (at the autumn DST change hour 3 holds two hours, in spring none). */
  byHour: (CallFigures & { hour: number })[];
  /** Every day of the period, in order. */
  byDay: (CallFigures & { day: string })[];
  /** Queues with calls; null: calls that reached no queue (ended before it, or dialled an operator). */
  byQueue: (CallFigures & { queue: string | null })[];
  byOperator: OperatorFigures[];
}

/** The statistics charts' series, in the product's colours (app.css): offered blue, answered green, abandoned red. */
export const CALL_CHART_COLORS = { offered: '#0b5cad', answered: '#1f8a4c', abandoned: '#c0392b', serviceLevel: '#c47f00', target: '#5b6675' } as const;

/** The longest period GET /api/stats/calls reads at once, in days. */
export const CALL_STATS_MAX_DAYS = 366;
