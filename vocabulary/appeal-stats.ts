// Appeal statistics: report 2 (appeals by period × sphere / category), the top-10s and the ratings
// of executors, district administrations and housing offices — what each figure means, and the
// rating formula. Shared by the server and the analytics pages; no personal data anywhere here.

export const STATS_GROUPS = ['none', 'day', 'week', 'month'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];
export const STATS_BY = ['sphere', 'category'] as const;
export type StatsBy = (typeof STATS_BY)[number];
export const RATING_OF = ['executor', 'district', 'housing_office'] as const;
export type RatingOf = (typeof RATING_OF)[number];
/** The longest period any of these reports accepts (a leap year and a day). */
export const APPEAL_STATS_MAX_DAYS = 367;

/** What the rollups hold per key: counts of appeals registered in the period. */
export interface AppealMeasures {
  total: number;
  stNew: number; stInProgress: number; stPlanned: number; stDone: number;
  stControl: number; stExplained: number; stRejected: number; stClosed: number;
  /** Reported done at least once. */
  finished: number;
  /** Reported done after their due date. */
  late: number;
  /** Returned to Control by the resident at least once. */
  returned: number;
  confirmed: number; notConfirmed: number;
  rated: number; ratingSum: number;
  /** Σ min(1, control period / time taken) of the finished ones, in 1/10,000. */
  speedSum: number;
  /** Open now and past their due date. */
  overdue: number;
}
export const MEASURES = ['total', 'stNew', 'stInProgress', 'stPlanned', 'stDone', 'stControl', 'stExplained', 'stRejected', 'stClosed',
  'finished', 'late', 'returned', 'confirmed', 'notConfirmed', 'rated', 'ratingSum', 'speedSum', 'overdue'] as const satisfies readonly (keyof AppealMeasures)[];

/**
 * Report 2's figures. `inProgress`: registered, in work or back in Control; `done`: reported done
 * (awaiting the resident) or closed; `explained`: answered with a consultation, no works owed;
 * `overdue`: still open past the due date (now); `confirmed` / `notConfirmed`: the resident's last
 * answer to the survey call (or to the operator).
 */
export interface AppealFigures {
  total: number; inProgress: number; planned: number; done: number; explained: number; rejected: number;
  overdue: number; confirmed: number; notConfirmed: number;
}
export const FIGURES = ['total', 'inProgress', 'done', 'planned', 'rejected', 'explained', 'overdue', 'confirmed', 'notConfirmed'] as const satisfies readonly (keyof AppealFigures)[];

export function figuresOf(m: AppealMeasures): AppealFigures {
  return {
    total: m.total, inProgress: m.stNew + m.stInProgress + m.stControl, planned: m.stPlanned, done: m.stDone + m.stClosed,
    explained: m.stExplained, rejected: m.stRejected, overdue: m.overdue, confirmed: m.confirmed, notConfirmed: m.notConfirmed,
  };
}

export interface Named { id: number; name: string; nameEn: string | null }

export interface AppealStats {
  from: string; to: string; group: StatsGroup; by: StatsBy;
  sphere: number | null; district: number | null; executor: number | null; channel: string | null;
  totals: AppealFigures;
  /** One row per sphere / category, the period's figures; most appeals first. */
  rows: (Named & AppealFigures)[];
  /** Period buckets (first day of the day / ISO week / month), each with its figures and its rows' figures. */
  periods: { period: string; totals: AppealFigures; rows: ({ id: number } & AppealFigures)[] }[];
}

export interface TopStats {
  from: string; to: string;
  total: number;
  /** The ten spheres with most appeals, with their share of all appeals of the period (0…1). */
  spheres: (Named & { count: number; share: number })[];
  /** The ten most frequent categories × district, with row and column totals. */
  issues: {
    categories: (Named & { total: number; share: number })[];
    districts: Named[];
    /** cells[i][j]: appeals of categories[i] in districts[j]. */
    cells: number[][];
    /** Per district, the sum over the ten categories; `total` their sum. */
    columnTotals: number[];
    total: number;
  };
  /** The same ten categories month by month (first days of the months of the period). */
  months: { months: string[]; cells: number[][]; columnTotals: number[] };
}

/** The rating's five components, in the order the formula multiplies them. */
export const COMPONENTS = ['onTime', 'withoutReturn', 'confirmed', 'speed', 'satisfaction'] as const;
export type Component = (typeof COMPONENTS)[number];
export type Weights = Record<Component, number>;
export const DEFAULT_WEIGHTS: Weights = { onTime: 1, withoutReturn: 1, confirmed: 1, speed: 1, satisfaction: 1 };
export const WEIGHT_MAX = 5;

/**
 * The components of one entity, each a share 0…1, or null when it has nothing to measure (then it
 * does not enter the product):
 * - onTime = 1 − (late + overdue) / total — not reported done after the due date nor open past it;
 * - withoutReturn = 1 − returned / finished — done without a return to Control;
 * - confirmed = confirmed / (confirmed + notConfirmed) — of the residents who answered;
 * - speed = speedSum / finished — each finished appeal min(1, control period / time taken), where the
 *   control period (registration → due) is the category's reference days on the work calendar;
 * - satisfaction = average survey rating / 5.
 */
export function componentsOf(m: AppealMeasures): Record<Component, number | null> {
  const share = (n: number, d: number) => (d > 0 ? n / d : null);
  return {
    onTime: m.total > 0 ? 1 - Math.min(m.late + m.overdue, m.total) / m.total : null,
    withoutReturn: m.finished > 0 ? 1 - Math.min(m.returned, m.finished) / m.finished : null,
    confirmed: share(m.confirmed, m.confirmed + m.notConfirmed),
    speed: m.finished > 0 ? m.speedSum / 10_000 / m.finished : null,
    satisfaction: m.rated > 0 ? m.ratingSum / m.rated / 5 : null,
  };
}

/** The rating: R = Π Kᵢ^wᵢ over the components that have data (Kyiv 1551's product of shares when every wᵢ = 1). */
export function ratingOf(c: Record<Component, number | null>, w: Weights = DEFAULT_WEIGHTS): number {
  let r = 1;
  for (const k of COMPONENTS) { const v = c[k]; if (v !== null && w[k] !== 0) r *= Math.pow(v, w[k]); }
  return r;
}

/** Ranks, highest score first; equal scores (to 1e-9) share a rank ("1, 2, 2, 4"). */
export function ranksOf(scores: number[]): number[] {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const rank = new Array<number>(scores.length);
  order.forEach(([s, i], k) => { rank[i] = k > 0 && Math.abs(order[k - 1][0] - s) < 1e-9 ? rank[order[k - 1][1]] : k + 1; });
  return rank;
}

/** The formula as the ratings page prints it. */
export const formulaText = (w: Weights) =>
  'R = ' + COMPONENTS.map((k, i) => `K${i + 1}${w[k] === 1 ? '' : `^${w[k]}`}`).join(' × ');

export interface RatingRow extends Named {
  received: number;
  measures: AppealMeasures;
  components: Record<Component, number | null>;
  score: number;
  rank: number;
}
export interface RatingStats { from: string; to: string; of: RatingOf; weights: Weights; formula: string; rows: RatingRow[] }
