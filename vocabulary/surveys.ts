// Survey and control calls: how a dialling ended (outcome), how a survey ended (result), the
// report's figures, and the parsing of their settings (calling hours, retry policy, control shares).
// Shared by the server and the analytics page.

/** How one dialling ended, classified from OriginateResponse and Hangup (docs/telephony.md, "Survey calls"). */
export const ATTEMPT_OUTCOMES = ['answered', 'no_input', 'no_pickup', 'busy', 'invalid_number', 'failed'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** How a survey ended. */
export const SURVEY_RESULTS = ['confirmed', 'not_confirmed', 'unreached', 'invalid_number', 'skipped'] as const;
export type SurveyResult = (typeof SURVEY_RESULTS)[number];

export const SURVEY_KINDS = ['survey', 'control'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

/** Report 3: the figures of a period, a whole or per executor / category. */
export interface SurveyFigures {
  calls: number;
  answeredWithResult: number;
  answeredWithoutResult: number;
  noPickup: number;
  busy: number;
  invalidNumber: number;
  failed: number;
  confirmed: number;
  notConfirmed: number;
  averageRating: number | null;
}
export interface SurveyStats {
  from: string;
  to: string;
  by: 'executor' | 'category';
  totals: SurveyFigures;
  rows: (SurveyFigures & { id: number; name: string; nameEn: string | null })[];
}
export const SURVEY_STATS_MAX_DAYS = 366;

/** "09:00-20:00" → minutes since midnight; the window is [from, to). */
export function parseHours(s: string): { from: number; to: number } {
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!m) throw new Error(`calling hours must look like 09:00-20:00, got "${s}"`);
  const from = Number(m[1]) * 60 + Number(m[2]), to = Number(m[3]) * 60 + Number(m[4]);
  if (from >= to || to > 24 * 60) throw new Error(`calling hours "${s}" are not a window within one day`);
  return { from, to };
}

const clockFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Minutes since midnight on the city's clock at `at`. */
export function kyivMinutes(at: Date): number {
  const p = Object.fromEntries(clockFormat.formatToParts(at).map((x) => [x.type, x.value]));
  return Number(p.hour) * 60 + Number(p.minute);
}

export const inCallingHours = (at: Date, hours: { from: number; to: number }) => {
  const m = kyivMinutes(at);
  return m >= hours.from && m < hours.to;
};

/** What to do after an outcome: dial again while fewer than `attempts` were made, `afterMinutes` later. */
export type RetryPolicy = Record<AttemptOutcome, { attempts: number; afterMinutes: number }>;

export const DEFAULT_RETRY = 'no_input:2@120,no_pickup:3@60,busy:3@15,failed:3@30';

/** "busy:3@15,no_pickup:3@60" → the policy; outcomes not named are not retried (answered, invalid_number). */
export function parseRetryPolicy(s: string): RetryPolicy {
  const p = Object.fromEntries(ATTEMPT_OUTCOMES.map((o) => [o, { attempts: 1, afterMinutes: 0 }])) as RetryPolicy;
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([a-z_]+):(\d+)@(\d+)$/.exec(part);
    if (!m || !(ATTEMPT_OUTCOMES as readonly string[]).includes(m[1])) throw new Error(`retry policy: "${part}" is not <outcome>:<attempts>@<minutes>`);
    p[m[1] as AttemptOutcome] = { attempts: Math.max(1, Number(m[2])), afterMinutes: Number(m[3]) };
  }
  // A key pressed or a number that does not exist: dialling again changes nothing.
  p.answered = { attempts: 1, afterMinutes: 0 };
  p.invalid_number = { attempts: 1, afterMinutes: 0 };
  return p;
}

/** "0.05" (every closed appeal's chance) plus "category:road-pothole=0.3,executor:zhek-1=0.5". */
export interface ControlShares { share: number; categories: Record<string, number>; executors: Record<string, number> }

export function parseControlShares(base: string, overrides: string): ControlShares {
  const share = (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`a control-call share must be between 0 and 1, got "${v}"`);
    return n;
  };
  const out: ControlShares = { share: share(base || '0'), categories: {}, executors: {} };
  for (const part of overrides.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(category|executor):([^=]+)=(.+)$/.exec(part);
    if (!m) throw new Error(`control shares: "${part}" is not category:<code>=<share> or executor:<code>=<share>`);
    (m[1] === 'category' ? out.categories : out.executors)[m[2]] = share(m[3]);
  }
  return out;
}

/** The number as the trunk dials it: Ukrainian numbers nationally (0XXXXXXXXX), others with 00. */
export function dialledNumber(e164: string): string {
  return e164.startsWith('+380') ? '0' + e164.slice(4) : '00' + e164.replace(/^\+/, '');
}
