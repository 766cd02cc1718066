// All SQL of the planners' maps and the live dashboard. Hexagons and districts read the rollups of
// migration 130 (per Kyiv day and month × category × cell, per day × category × district); the
// `naive*` twins scan appeals and exist to prove the rollups equal the raw table (tests) and to
// measure the gain (benchmark).
// Hotspots read the sets of linked appeals migration 132 keeps. Calls inside announcements read
// the counts of migration 133 (per announcement × Kyiv day), with their `naive` twin over the raw tables.
import type { Db } from '../db/db.ts';
import { listen, type Listener } from '../db/listen.ts';
import { splitPeriod } from './periods.ts';
import { daysInclusive } from '../../vocabulary/calendar.ts';
import type { HexCategoryCount } from '../../vocabulary/planning.ts';
import type { HotspotInput } from './hotspot-sets.ts';

export const LIVE_CHANNEL = 'misto_live';
/** Up to this many days a period's hotspots are found by when they ended, beyond it by size. */
const SHORT_PERIOD_DAYS = 92;

export interface Period { from: string; to: string; category?: number; sphere?: number }

// Kyiv days as instants: where a day begins is PostgreSQL's call (DST included).
const START = `($(from)::date)::timestamp AT TIME ZONE 'Europe/Kyiv'`;
const END = `($(to)::date + 1)::timestamp AT TIME ZONE 'Europe/Kyiv'`;
const CATEGORY = (col: string) => `($(category) IS NULL OR ${col} = $(category))
   AND ($(sphere) IS NULL OR ${col} = ANY (ARRAY(SELECT id FROM category WHERE sphere_id = $(sphere))))`; // an array the index can take
const args = (p: Period, more: Record<string, unknown> = {}) => ({ from: p.from, to: p.to, category: p.category ?? null, sphere: p.sphere ?? null, ...more });

/**
 * The rollup rows of a period: months from appeal_hex_month, days from appeal_hex_day, the days of
 * those months outside the period negated (periods.ts) — or, over every category, from their
 * totals (migration 137). Sums over the rows are the period's counts.
 */
function hexRollup(p: Period, more = ''): string {
  const split = splitPeriod(p.from, p.to);
  const all = p.category === undefined && p.sphere === undefined && !more;
  const [day, month, cat, where] = all
    ? ['appeal_hex_day_all', 'appeal_hex_month_all', 'NULL::int AS category_id', 'true']
    : ['appeal_hex_day', 'appeal_hex_month', 'category_id', CATEGORY('category_id')];
  const days = (k: string, sign: string) => `
    SELECT ${cat}, i, j, ${sign}appeals AS appeals FROM ${day}
     WHERE size = $(size) AND day BETWEEN $(${k}from)::date AND $(${k}to)::date AND ${where} ${more}`;
  const parts = [...split.days.map((_, k) => days(`d${k}`, '')), ...split.minus.map((_, k) => days(`x${k}`, '-'))];
  if (split.months) parts.push(`
    SELECT ${cat}, i, j, appeals FROM ${month}
     WHERE size = $(size) AND month >= $(mfrom)::date AND month < $(mto)::date AND ${where} ${more}`);
  return parts.join('\n    UNION ALL');
}
function splitArgs(p: Period): Record<string, string> {
  const split = splitPeriod(p.from, p.to);
  const out: Record<string, string> = {};
  split.days.forEach((d, k) => { out[`d${k}from`] = d.from; out[`d${k}to`] = d.to; });
  split.minus.forEach((d, k) => { out[`x${k}from`] = d.from; out[`x${k}to`] = d.to; });
  if (split.months) { out.mfrom = split.months.from; out.mto = split.months.to; }
  return out;
}

export interface DistrictRow { districtId: number; name: string; nameEn: string | null; appeals: number; geometry: unknown }
export interface HotspotRow {
  categoryId: number; category: string; categoryEn: string; address: string | null; lon: number; lat: number;
  appeals: number; first: Date; last: Date; meanIntervalDays: number | null; variation: number | null;
}
export interface AnnouncementCallsRow {
  announcementId: number; utility: string; kind: string; title: string; startsAt: Date; endsAt: Date;
  buildings: number; calls: number; appeals: number; lon: number; lat: number; zone: unknown;
}

export function planningRepo(db: Db) {
  return {
    /** Appeals per hexagon cell of `size` in the period, from the rollups (months, days and the days of those months outside the period). */
    hexagons(p: Period, size: number): Promise<{ i: number; j: number; appeals: number }[]> {
      return db.any(`
        WITH r AS (${hexRollup(p)})
        SELECT i, j, sum(appeals)::int AS appeals FROM r GROUP BY i, j HAVING sum(appeals) > 0
         ORDER BY appeals DESC, i, j`, args(p, { size, ...splitArgs(p) }));
    },

    /** The same by scanning appeals: what the rollup saves. */
    naiveHexagons(p: Period, size: number): Promise<{ i: number; j: number; appeals: number }[]> {
      return db.any(`
        SELECT h.i, h.j, count(*)::int AS appeals
          FROM appeal a LEFT JOIN building b ON b.id = a.building_id,
               ST_HexagonGrid($(size)::float8, ST_Transform(coalesce(a.point, b.centroid), 3857)) h
         WHERE a.created_at >= ${START} AND a.created_at < ${END} AND ${CATEGORY('a.category_id')}
           AND coalesce(a.point, b.centroid) IS NOT NULL AND ST_Intersects(h.geom, ST_Transform(coalesce(a.point, b.centroid), 3857))
         GROUP BY h.i, h.j ORDER BY appeals DESC, h.i, h.j`, args(p, { size }));
    },

    /** What one cell's appeals were about. */
    hexCategories(p: Period, size: number, i: number, j: number): Promise<HexCategoryCount[]> {
      return db.any(`
        WITH r AS (${hexRollup(p, 'AND i = $(i) AND j = $(j)')})
        SELECT c.id AS "categoryId", c.code, c.name, c.name_en AS "nameEn", sum(r.appeals)::int AS appeals
          FROM r JOIN category c ON c.id = r.category_id
         GROUP BY c.id HAVING sum(r.appeals) > 0 ORDER BY appeals DESC, c.name`, args(p, { size, i, j, ...splitArgs(p) }));
    },

    /** Appeals per district in the period (every district, zeros included), with its outline. */
    districts(p: Period): Promise<DistrictRow[]> {
      return db.any(`
        WITH c AS (
          SELECT district_id, sum(appeals)::int AS appeals FROM appeal_district_day
           WHERE day BETWEEN $(from)::date AND $(to)::date AND ${CATEGORY('category_id')}
           GROUP BY district_id)
        SELECT d.id AS "districtId", d.name, d.name_en AS "nameEn", coalesce(c.appeals, 0) AS appeals,
               ST_AsGeoJSON(ST_SimplifyPreserveTopology(d.geom, 0.0001), 6)::json AS geometry
          FROM district d LEFT JOIN c ON c.district_id = d.id
         ORDER BY appeals DESC, d.name`, args(p));
    },

    naiveDistricts(p: Period): Promise<{ districtId: number; appeals: number }[]> {
      return db.any(`
        SELECT appeal_map_district(a.point, a.building_id) AS "districtId", count(*)::int AS appeals
          FROM appeal a
         WHERE a.created_at >= ${START} AND a.created_at < ${END} AND ${CATEGORY('a.category_id')}
           AND appeal_map_district(a.point, a.building_id) IS NOT NULL
         GROUP BY 1 ORDER BY appeals DESC, 1`, args(p));
    },

    /**
     * Hotspots with at least `min` appeals in the period, from the sets migration 132 keeps: the sets
     * wholly inside the period by their size, the few its edges cut through recounted from their
     * members. Then, for the `limit` largest, where (the members' centroid), the address (the
     * building most of them name, else the nearest one), the dates and the intervals between appeals.
     */
    hotspots(p: Period, o: { min: number; limit: number }): Promise<HotspotRow[]> {
      // A short period holds few sets: find them by their end (the fence keeps the planner from
      // walking the size index, where big sets, long-lived, rarely fall inside a short period). A
      // long one holds most: walk the sets by size. The sets the edges cut through are recounted
      // only when they may reach the list: their total, then their weeks, bound their count inside.
      const short = daysInclusive(p.from, p.to) <= SHORT_PERIOD_DAYS;
      // The sets an edge cuts through began before it and ended at or after it. For a short period
      // they are found among the sets that ended after its start (hotspot_recent_idx checks both
      // dates and the size in the index); for a long one by the span index.
      const cutBy = short
        ? `(h.last_at >= ${START} AND h.first_at < ${START}) OR (h.last_at >= ${END} AND h.first_at < ${END})`
        : `(tstzrange(h.first_at, h.last_at, '[]') @> ${START} AND h.first_at < ${START})
            OR (tstzrange(h.first_at, h.last_at, '[]') @> ${END} AND h.first_at < ${END})`;
      const inside = short
        ? `SELECT id, appeals, last FROM (
             SELECT h.id, h.appeals, h.last_at AS last FROM hotspot h
              WHERE h.last_at >= ${START} AND h.last_at < ${END} AND h.first_at >= ${START} AND h.appeals >= $(min) AND ${CATEGORY('h.category_id')}
             OFFSET 0) c
           ORDER BY appeals DESC, last DESC LIMIT $(limit)`
        : `SELECT h.id, h.appeals, h.last_at AS last FROM hotspot h
            WHERE h.first_at >= ${START} AND h.last_at < ${END} AND h.appeals >= $(min) AND ${CATEGORY('h.category_id')}
            ORDER BY h.appeals DESC, h.last_at DESC LIMIT $(limit)`;
      return db.any(`
        WITH inside AS MATERIALIZED (${inside}),
        bar AS (SELECT CASE WHEN count(*) >= $(limit) THEN min(appeals) ELSE $(min) END AS n FROM inside),
        -- The weeks touching the period, and those wholly inside it (migration 139).
        wk AS (SELECT hotspot_week(${START}) AS lo, hotspot_week(${END} - interval '1 microsecond') AS hi,
                      ceil(extract(epoch FROM ${START}) / 604800)::int AS flo, floor(extract(epoch FROM ${END}) / 604800)::int - 1 AS fhi),
        cut AS MATERIALIZED (
          SELECT h.id, hotspot_weeks_sum(h.weeks, h.weeks_upto, wk.lo, wk.hi) AS most,
                 hotspot_weeks_sum(h.weeks, h.weeks_upto, wk.flo, wk.fhi) AS surely
            FROM hotspot h, wk
           WHERE h.appeals >= (SELECT n FROM bar) AND ${CATEGORY('h.category_id')}
             AND (${cutBy})),
        -- The list's bar from what is certain: the sets inside and the cut sets' lower bounds. A
        -- cut set whose upper bound is below it cannot reach the list; the rest are recounted.
        sure AS (SELECT greatest($(min), (SELECT v FROM (SELECT appeals AS v FROM inside UNION ALL SELECT surely FROM cut) x
                                            ORDER BY v DESC OFFSET $(limit) - 1 LIMIT 1)) AS n),
        edge AS (
          SELECT c.id, count(*)::int AS appeals, max(m.at) AS last
            FROM cut c JOIN hotspot_member m ON m.hotspot_id = c.id AND m.at >= ${START} AND m.at < ${END}
           WHERE c.most >= (SELECT n FROM sure)
           GROUP BY c.id HAVING count(*) >= $(min)),
        chosen AS (
          SELECT id, whole FROM (SELECT *, true AS whole FROM inside UNION ALL SELECT *, false FROM edge) c
           ORDER BY appeals DESC, last DESC, id LIMIT $(limit)),
        -- A set wholly inside the period is shown as kept; one cut by an edge from its members inside.
        m AS (
          SELECT c.id, m.category_id, m.building_id, m.at, m.x, m.y,
                 extract(epoch FROM m.at - lag(m.at) OVER (PARTITION BY c.id ORDER BY m.at, m.appeal_id)) / 86400 AS gap
            FROM chosen c JOIN hotspot_member m ON m.hotspot_id = c.id AND m.at >= ${START} AND m.at < ${END}
           WHERE NOT c.whole),
        h AS (
          SELECT id, min(category_id) AS category_id, count(*)::int AS appeals, min(at) AS first, max(at) AS last,
                 avg(x) AS x, avg(y) AS y, mode() WITHIN GROUP (ORDER BY building_id) AS building_id,
                 avg(gap) AS mean_gap, stddev_pop(gap) AS sd_gap
            FROM m GROUP BY id
          UNION ALL
          SELECT k.id, k.category_id, k.appeals, k.first_at, k.last_at, k.x, k.y, k.building_id, k.gap_mean, k.gap_sd
            FROM chosen c JOIN hotspot k ON k.id = c.id WHERE c.whole),
        hc AS (SELECT h.*, ST_Transform(ST_SetSRID(ST_MakePoint(h.x, h.y), 3857), 4326) AS c FROM h)
        SELECT h.category_id AS "categoryId", cat.name AS category, cat.name_en AS "categoryEn",
               coalesce(bb.address, (SELECT n.address FROM building n
                                      WHERE ST_DWithin(n.centroid::geography, h.c::geography, 150)
                                      ORDER BY n.centroid <-> h.c LIMIT 1)) AS address,
               ST_X(h.c) AS lon, ST_Y(h.c) AS lat, h.appeals, h.first, h.last,
               round(h.mean_gap::numeric, 2)::float8 AS "meanIntervalDays",
               CASE WHEN h.mean_gap > 0 THEN round((h.sd_gap / h.mean_gap)::numeric, 3)::float8 END AS variation
          FROM hc h JOIN category cat ON cat.id = h.category_id LEFT JOIN building bb ON bb.id = h.building_id
         ORDER BY h.appeals DESC, h.last DESC, h.category_id, h.id`, args(p, o));
    },

    /** Every appeal's place and time, for computing hotspots from the raw table (tests, benchmark). */
    hotspotInput(): Promise<HotspotInput[]> {
      return db.any(`
        SELECT ap.id::text AS id, ap.category_id AS "categoryId",
               hotspot_place(ap.building_id, ap.infra_object_id, coalesce(ap.point, b.centroid))::text AS place,
               ST_X(coalesce(ap.point, b.centroid)) AS lon,
               ST_Y(coalesce(ap.point, b.centroid)) AS lat, ap.created_at AS at
          FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id
         WHERE coalesce(ap.point, b.centroid) IS NOT NULL`);
    },

    /** The sets as kept: each one's appeal ids, for comparing with the raw computation. */
    async hotspotSets(): Promise<string[][]> {
      const rows = await db.any<{ ids: string[] }>(`
        SELECT array_agg(appeal_id::text ORDER BY appeal_id) AS ids FROM hotspot_member
         WHERE hotspot_id IS NOT NULL GROUP BY hotspot_id`);
      return rows.map((r) => r.ids);
    },

    /**
     * Announcements active in the period (not cancelled) with the calls and appeals that came from
     * inside their zone while they were on: calls by the caller's building (the resident the call
     * is tied to, else the one owning the number), appeals by their place. The counts are kept per
     * announcement × Kyiv day by migration 133, so a period cutting through an announcement reads
     * its days inside the period.
     */
    announcementCalls(p: Period & { utility?: string }, o: { zones?: number } = {}): Promise<AnnouncementCallsRow[]> {
      // Day rows exist only inside their announcement's window and never for a cancelled one, so
      // the period's rows are summed once and joined to the announcements of the period. Outlines
      // are the bulk of the answer: only the first `zones` rows carry theirs when that is given.
      return db.any(`
        SELECT a.id AS "announcementId", a.utility, a.kind, a.title, a.starts_at AS "startsAt", a.ends_at AS "endsAt",
               a.buildings_count AS buildings, coalesce(c.n, 0) AS calls, coalesce(h.n, 0) AS appeals,
               ST_X(a.centroid) AS lon, ST_Y(a.centroid) AS lat,
               CASE WHEN $(zones) IS NULL OR row_number() OVER (ORDER BY coalesce(c.n, 0) DESC, coalesce(h.n, 0) DESC, a.starts_at, a.id) <= $(zones)
                    THEN a.zone_outline END AS zone
          FROM announcement a
          LEFT JOIN (SELECT announcement_id, sum(calls)::int AS n FROM announcement_call_day
                      WHERE day BETWEEN $(from)::date AND $(to)::date GROUP BY 1) c ON c.announcement_id = a.id
          LEFT JOIN (SELECT announcement_id, sum(appeals)::int AS n FROM announcement_appeal_day
                      WHERE day BETWEEN $(from)::date AND $(to)::date AND ${CATEGORY('category_id')} GROUP BY 1) h ON h.announcement_id = a.id
         WHERE a.status <> 'cancelled' AND a.starts_at < ${END} AND a.ends_at > ${START}
           AND ($(utility) IS NULL OR a.utility = $(utility))
         ORDER BY calls DESC, appeals DESC, a.starts_at, a.id`, args(p, { utility: p.utility ?? null, zones: o.zones ?? null }));
    },

    /** The same by scanning calls and appeals: what the kept counts save, and what they must equal. */
    naiveAnnouncementCalls(p: Period & { utility?: string }): Promise<AnnouncementCallsRow[]> {
      return db.any(`
        WITH an AS (
          SELECT a.id, a.utility, a.kind, a.title, a.starts_at, a.ends_at, a.zone, a.buildings_count, a.centroid,
                 greatest(a.starts_at, ${START}) AS s, least(a.ends_at, ${END}) AS e
            FROM announcement a
           WHERE a.status <> 'cancelled' AND a.starts_at < ${END} AND a.ends_at > ${START}
             AND ($(utility) IS NULL OR a.utility = $(utility))),
        calls AS (
          SELECT an.id, count(DISTINCT c.id)::int AS n
            FROM an JOIN call c ON c.direction = 'in' AND c.entered_at >= an.s AND c.entered_at < an.e
            JOIN resident r ON r.id = coalesce(c.resident_id, (SELECT rp.resident_id FROM resident_phone rp WHERE rp.phone = c.caller_phone))
            JOIN building b ON b.id = r.building_id AND ST_Intersects(an.zone, b.centroid)
           GROUP BY an.id),
        appeals AS (
          SELECT an.id, count(DISTINCT ap.id)::int AS n
            FROM an JOIN appeal ap ON ap.created_at >= an.s AND ap.created_at < an.e AND ${CATEGORY('ap.category_id')}
            LEFT JOIN building b ON b.id = ap.building_id
           WHERE ST_Intersects(an.zone, coalesce(ap.point, b.centroid))
           GROUP BY an.id)
        SELECT an.id AS "announcementId", an.utility, an.kind, an.title, an.starts_at AS "startsAt", an.ends_at AS "endsAt",
               an.buildings_count AS buildings, coalesce(calls.n, 0) AS calls, coalesce(appeals.n, 0) AS appeals,
               ST_X(an.centroid) AS lon, ST_Y(an.centroid) AS lat,
               ST_AsGeoJSON(ST_SimplifyPreserveTopology(an.zone, 0.00002), 6)::json AS zone
          FROM an LEFT JOIN calls ON calls.id = an.id LEFT JOIN appeals ON appeals.id = an.id
         ORDER BY calls DESC, appeals DESC, an.starts_at, an.id`, args(p, { utility: p.utility ?? null }));
    },

    // ---- the live dashboard ----

    /** Appeals registered since `start`, open and overdue at `now`, and the day's top categories. */
    async appealsToday(start: Date, now: Date, top: number) {
      const [counts, issues] = await Promise.all([
        db.one<{ today: number; open: number; overdue: number }>(`
          SELECT (SELECT count(*)::int FROM appeal WHERE created_at >= $1 AND created_at <= $2) AS today,
                 (SELECT count(*)::int FROM appeal WHERE appeal_status_is_open(status)) AS open,
                 (SELECT count(*)::int FROM appeal WHERE appeal_status_is_open(status) AND due_at < $2) AS overdue`, [start, now]),
        db.any<{ categoryId: number; name: string; nameEn: string; appeals: number }>(`
          SELECT c.id AS "categoryId", c.name, c.name_en AS "nameEn", count(*)::int AS appeals
            FROM appeal a JOIN category c ON c.id = a.category_id
           WHERE a.created_at >= $1 AND a.created_at <= $2
           GROUP BY c.id ORDER BY appeals DESC, c.name LIMIT $3`, [start, now, top]),
      ]);
      return { ...counts, topIssues: issues };
    },

    /** Outages and excavations on at `now`: no one's data, only where and what. */
    activeOutages(now: Date) {
      return db.any<{ id: number; utility: string; kind: string; title: string; startsAt: Date; endsAt: Date; buildings: number; lon: number; lat: number }>(`
        SELECT id, utility, kind, title, starts_at AS "startsAt", ends_at AS "endsAt", buildings_count AS buildings,
               ST_X(centroid) AS lon, ST_Y(centroid) AS lat
          FROM announcement
         WHERE status = 'published' AND starts_at <= $1 AND ends_at > $1
         ORDER BY starts_at, id`, [now]);
    },

    /** Calls `onChange` once LISTEN is in place and whenever appeals, calls or announcements change (migration 131). */
    watchLive: (onChange: () => void, log?: (m: string) => void): Listener =>
      listen(db, [LIVE_CHANNEL], () => onChange(), { log, onListening: onChange, onReconnect: onChange }),

    /** The start of the Kyiv day containing `now`, as PostgreSQL reckons it. */
    async dayStart(day: string): Promise<Date> {
      return (await db.one<{ s: Date }>(`SELECT ($1::date)::timestamp AT TIME ZONE 'Europe/Kyiv' AS s`, [day])).s;
    },
  };
}
export type PlanningRepo = ReturnType<typeof planningRepo>;
