// All SQL of the appeal statistics. Every figure is read from the rollups of migration 120 —
// appeal_stat_month for the whole months inside the period, appeal_stat_day for its edges (or for
// every day when grouping by day or week) and appeal_stat_open for what is overdue now — never from
// the appeal table. Names of categories, spheres, executors and districts only: no resident's data.
import type { Db } from '../db/db.ts';
import { addDays, daysInclusive } from '../../vocabulary/calendar.ts';
import { MEASURES, type AppealMeasures, type StatsBy, type StatsGroup, type RatingOf } from '../../vocabulary/appeal-stats.ts';

export interface StatsFilter {
  /** Kyiv calendar days, both inclusive. */
  from: string;
  to: string;
  now: Date;
  district?: number | null;
  executor?: number | null;
  channel?: string | null;
  sphere?: number | null;
}

const COLUMNS: Record<(typeof MEASURES)[number], string> = {
  total: 'total', stNew: 'st_new', stInProgress: 'st_in_progress', stPlanned: 'st_planned', stDone: 'st_done',
  stControl: 'st_control', stExplained: 'st_explained', stRejected: 'st_rejected', stClosed: 'st_closed',
  finished: 'finished', late: 'late', returned: 'returned', confirmed: 'confirmed', notConfirmed: 'not_confirmed',
  rated: 'rated', ratingSum: 'rating_sum', speedSum: 'speed_sum', overdue: 'overdue',
};
const ROLLUP = MEASURES.map((m) => COLUMNS[m]);
const ZEROS = MEASURES.map((m) => (m === 'overdue' ? '' : '0, ')).join('');
/** The sums, aliased as the measures' names. */
export const SUMS = MEASURES.map((m) => `coalesce(sum(s.${COLUMNS[m]}), 0)::bigint AS "${m}"`).join(', ');

/** The whole months inside from…to, as [first day of the first, first day after the last). */
export function wholeMonths(from: string, to: string): { mFrom: string; mTo: string } | null {
  const mFrom = from.endsWith('-01') ? from : addDays(`${from.slice(0, 7)}-01`, 32).slice(0, 7) + '-01';
  const mTo = addDays(to, 1).slice(0, 7) + '-01';
  return daysInclusive(mFrom, mTo) > 1 ? { mFrom, mTo } : null;
}

/**
 * The rows of the period, filtered: one per rollup key, whose overdue counts are true at the
 * watermark (appeal_stat_tick), plus ±1 for each open appeal whose due date lies between the
 * watermark and `now` (none once the reader has moved the watermark to its now). `months`: whether
 * month rows may stand in for their days (every grouping but day/week).
 */
export function source(f: StatsFilter, months: boolean, narrow = false): { sql: string; params: Record<string, unknown> } {
  // Without a district, executor or channel filter a year is ≈ 12,000 rows of the per-category day
  // rollup: fewer than its month rows per every key, so the month rollup is not needed then.
  const perCategory = narrow && !f.district && !f.executor && !f.channel;
  const days = perCategory ? 'appeal_stat_day_category' : 'appeal_stat_day';
  const m = months && !perCategory ? wholeMonths(f.from, f.to) : null;
  const cols = ROLLUP.join(', ');
  const where = `AND ($(district)::int IS NULL OR district_id = $(district)::int)
       AND ($(executor)::int IS NULL OR executor_id = $(executor)::int)
       AND ($(channel)::text IS NULL OR channel = $(channel)::text)
       AND ($(sphere)::int IS NULL OR category_id IN (SELECT id FROM category WHERE sphere_id = $(sphere)::int))`;
  const dayPart = m
    ? `((day >= $(from)::date AND day < $(mFrom)::date) OR (day >= $(mTo)::date AND day <= $(to)::date))`
    : `day BETWEEN $(from)::date AND $(to)::date`;
  const sql = `
    ${m ? `SELECT day, category_id, executor_id, district_id, channel, ${cols} FROM appeal_stat_month
      WHERE day >= $(mFrom)::date AND day < $(mTo)::date ${where}
    UNION ALL` : ''}
    SELECT day, category_id, executor_id, district_id, channel, ${cols} FROM ${days}
      WHERE ${dayPart} ${where}
    UNION ALL
    SELECT day, category_id, executor_id, district_id, channel, ${ZEROS}CASE WHEN due_at < $(now) THEN 1 ELSE -1 END FROM appeal_stat_open
      WHERE due_at >= least((SELECT at FROM appeal_stat_tick), $(now)) AND due_at < greatest((SELECT at FROM appeal_stat_tick), $(now))
        AND day BETWEEN $(from)::date AND $(to)::date ${where}`;
  return {
    sql,
    params: {
      from: f.from, to: f.to, now: f.now, mFrom: m?.mFrom ?? null, mTo: m?.mTo ?? null,
      district: f.district ?? null, executor: f.executor ?? null, channel: f.channel ?? null, sphere: f.sphere ?? null,
    },
  };
}

const BUCKET: Record<StatsGroup, string> = {
  none: 'NULL::date', day: 's.day', week: `date_trunc('week', s.day)::date`, month: `date_trunc('month', s.day)::date`,
};

const NAIVE_KEYS = {
  sphereMonth: `c.sphere_id, date_trunc('month', a.created_at AT TIME ZONE 'Europe/Kyiv')`,
  categoryDistrict: 'a.category_id, b.district_id',
  executor: 'a.executor_id',
  district: 'b.district_id',
} as const;
export type NaiveKey = keyof typeof NAIVE_KEYS;

export type MeasureRow = AppealMeasures & { period: string | null; id: number };
export interface NameRow { id: number; name: string; nameEn: string | null }

export function appealStatsRepo(db: Db) {
  return {
    /** Report 2: measures per (period bucket, sphere or category); the service adds them up per bucket, per row and in all. */
    breakdown: (f: StatsFilter, group: StatsGroup, by: StatsBy) => {
      const src = source(f, group === 'none' || group === 'month', true);
      const dim = by === 'sphere' ? 'c.sphere_id' : 's.category_id';
      return db.any<MeasureRow>(`
        SELECT ${group === 'none' ? 'NULL' : `to_char(bucket, 'YYYY-MM-DD')`} AS period, dim AS id, ${SUMS.replace(/s\./g, 'x.')}
          FROM (SELECT ${BUCKET[group]} AS bucket, ${dim} AS dim, s.* FROM (${src.sql}) s JOIN category c ON c.id = s.category_id) x
         GROUP BY ${group === 'none' ? 'dim' : 'bucket, dim'}`, src.params);
    },

    /** Top-10s: appeals per sphere, per category, per category × district and per category × month. */
    top: (f: StatsFilter) => {
      const src = source(f, true);
      return db.any<{ set: 'sphere' | 'category' | 'district' | 'month' | 'all'; sphereId: number | null; categoryId: number | null; districtId: number | null; month: string | null; n: number }>(`
        SELECT CASE WHEN grouping(c.sphere_id) = 0 THEN 'sphere' WHEN grouping(s.district_id) = 0 THEN 'district'
                    WHEN grouping(m) = 0 THEN 'month' WHEN grouping(s.category_id) = 0 THEN 'category' ELSE 'all' END AS set,
               c.sphere_id AS "sphereId", s.category_id AS "categoryId", s.district_id AS "districtId", to_char(m, 'YYYY-MM-DD') AS month,
               sum(s.total)::bigint AS n
          FROM (SELECT x.*, date_trunc('month', x.day)::date AS m FROM (${src.sql}) x) s
          JOIN category c ON c.id = s.category_id
         GROUP BY GROUPING SETS ((c.sphere_id), (s.category_id), (s.category_id, s.district_id), (s.category_id, m), ())`, src.params);
    },

    /** Ratings: the measures per executor or district. */
    perEntity: (f: StatsFilter, of: RatingOf) => {
      const src = source(f, true);
      const key = of === 'district' ? 's.district_id' : 's.executor_id';
      const only = of === 'housing_office' ? `WHERE s.executor_id IN (SELECT id FROM executor WHERE kind = 'housing_office')` : of === 'district' ? 'WHERE s.district_id <> 0' : '';
      return db.any<AppealMeasures & { id: number }>(`
        SELECT ${key} AS id, ${SUMS} FROM (${src.sql}) s ${only} GROUP BY ${key}`, src.params);
    },

    names: async () => {
      const [spheres, categories, executors, districts] = await db.multi(`
        SELECT id, name, name_en AS "nameEn" FROM sphere ORDER BY id;
        SELECT id, name, name_en AS "nameEn", sphere_id AS "sphereId" FROM category ORDER BY id;
        SELECT id, name, name_en AS "nameEn", kind FROM executor ORDER BY id;
        SELECT id, name, name_en AS "nameEn" FROM district ORDER BY id`);
      return {
        spheres: spheres as NameRow[], categories: categories as (NameRow & { sphereId: number })[],
        executors: executors as (NameRow & { kind: string })[], districts: districts as NameRow[],
      };
    },

    /**
     * The same sums straight from the appeal table, grouped by `key` (the benchmark's naive baseline):
     * what every request would cost without the rollups.
     */
    naive: (f: StatsFilter, key: NaiveKey) => db.any(`
      SELECT ${NAIVE_KEYS[key]}, count(*)::bigint AS total,
             count(*) FILTER (WHERE a.status IN ('new', 'in_progress', 'control'))::bigint AS "inProgress",
             count(*) FILTER (WHERE a.status IN ('done', 'closed'))::bigint AS done,
             count(*) FILTER (WHERE a.status = 'planned')::bigint AS planned, count(*) FILTER (WHERE a.status = 'rejected')::bigint AS rejected,
             count(*) FILTER (WHERE appeal_status_is_open(a.status) AND a.due_at < $(now))::bigint AS overdue,
             count(*) FILTER (WHERE a.done_at > a.due_at)::bigint AS late, count(*) FILTER (WHERE a.control_count > 0)::bigint AS returned,
             count(*) FILTER (WHERE a.confirmation = 'confirmed')::bigint AS confirmed,
             count(*) FILTER (WHERE a.confirmation = 'not_confirmed')::bigint AS "notConfirmed", avg(a.rating) AS rating
        FROM appeal a JOIN category c ON c.id = a.category_id LEFT JOIN building b ON b.id = a.building_id
       WHERE a.created_at >= ($(from)::date::timestamp AT TIME ZONE 'Europe/Kyiv')
         AND a.created_at < (($(to)::date + 1)::timestamp AT TIME ZONE 'Europe/Kyiv')
       GROUP BY ${NAIVE_KEYS[key]}`, { from: f.from, to: f.to, now: f.now }),

    /** Moves the overdue watermark to `now` (nothing when it is there or beyond). */
    tick: (now: Date) => db.one('SELECT appeal_stats_tick($1)', [now]).then(() => undefined),

    /** After a bulk load with the triggers disabled: the rollups again from the appeal table. */
    rebuild: () => db.one('SELECT appeal_stats_rebuild()').then(() => undefined),
  };
}
export type AppealStatsRepo = ReturnType<typeof appealStatsRepo>;
