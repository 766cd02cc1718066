// All SQL of the announcements domain: zones, affected buildings, history, subscriptions, stats.
// Zones travel between queries as EWKB hex so a validated zone is reused exactly as checked.
import type { Db } from '../db/db.ts';
import type { ITask } from 'pg-promise';

import type { Kind, Utility } from '../../vocabulary/announcements.ts';

export type { Kind, Utility };
export type Status = 'published' | 'cancelled' | 'closed';
type Tx = ITask<unknown>;
type Q = Db | Tx;

export interface BuildingAnnouncement {
  id: number;
  kind: Kind;
  utility: Utility;
  title: string;
  startsAt: Date;
  endsAt: Date;
  executor: string;
}

/** What PostGIS says about a drawn zone before it is accepted. */
export interface ZoneCheck {
  zone: string | null;          // EWKB hex of the MultiPolygon zone, 4326
  zoneGeojson: object | null;
  type?: string | null;
  empty: boolean;
  points: number;
  valid: boolean;
  reason: string | null;
  inCity: boolean;
  pickedFound?: number;
}

export interface AffectedSummary {
  buildings: number;
  apartments: number;
  residents: number;
  /** [id, lon, lat] of the first `limit` affected buildings, for highlighting. */
  sample: [number, number, number][];
}

export interface AnnouncementRow {
  id: number; kind: Kind; utility: Utility; executorId: number; executor: string; executorPhone: string | null;
  title: string; description: string; contact: string; startsAt: Date; endsAt: Date; status: Status;
  sourceKind: 'polygon' | 'line' | 'buildings'; bufferM: number | null; buildings: number; apartments: number;
  residents: number; lon: number; lat: number; createdAt: Date; updatedAt: Date; closedAt: Date | null;
}

export interface ListFilter {
  at?: Date; from?: Date; to?: Date; utility?: Utility; kind?: Kind; district?: number;
  bbox?: [number, number, number, number]; executorId?: number; includeInactive?: boolean; limit: number;
}

// The end that counts for the public: closing early ends the announcement when it was closed.
const EFFECTIVE_END = `CASE WHEN a.status = 'closed' THEN least(a.ends_at, a.closed_at) ELSE a.ends_at END`;

const ROW_COLUMNS = `
  a.id, a.kind, a.utility, a.executor_id AS "executorId", e.name AS executor, e.phone AS "executorPhone",
  a.title, a.description, a.contact, a.starts_at AS "startsAt", a.ends_at AS "endsAt", a.status,
  a.source_kind AS "sourceKind", a.buffer_m AS "bufferM", a.buildings_count AS buildings,
  a.apartments_count AS apartments, a.residents_count AS residents,
  ST_X(a.centroid) AS lon, ST_Y(a.centroid) AS lat, a.created_at AS "createdAt",
  a.updated_at AS "updatedAt", a.closed_at AS "closedAt"`;

// `m` is MATERIALIZED in every check: the zone is built once, not once per column that reads it.
const CHECK_COLUMNS = `
  encode(ST_AsEWKB(z), 'hex') AS zone, ST_AsGeoJSON(z, 6)::json AS "zoneGeojson", coalesce(ST_IsEmpty(z), true) AS empty,
  coalesce(ST_NPoints(src), 0) AS points, coalesce(ST_IsValid(src), false) AS valid,
  CASE WHEN src IS NOT NULL AND NOT ST_IsValid(src) THEN ST_IsValidReason(src) END AS reason,
  z IS NOT NULL AND NOT ST_IsEmpty(z) AND EXISTS (SELECT 1 FROM district d WHERE ST_Intersects(d.geom, z)) AS "inCity"`;

export function announcementsRepo(db: Db) {
  return {
    ...queries(db),
    /** Runs `fn` in one transaction; the methods that take a `t` join it (and the mail outbox may too). */
    transaction: <T>(name: string, fn: (t: Tx) => Promise<T>) => db.tx(name, fn),
    /** Published announcements affecting a building that have not ended by `at` (active first). */
    forBuilding: (buildingId: number, at: Date) =>
      db.any<BuildingAnnouncement>(`
        SELECT a.id, a.kind, a.utility, a.title, a.starts_at AS "startsAt", a.ends_at AS "endsAt",
               e.name AS executor
          FROM announcement_building ab
          JOIN announcement a ON a.id = ab.announcement_id
          JOIN executor e ON e.id = a.executor_id
         WHERE ab.building_id = $1 AND a.status = 'published' AND a.ends_at > $2
         ORDER BY a.starts_at, a.id`, [buildingId, at]),

    /** A drawn polygon as is (its validity is reported, not repaired). */
    checkPolygon: (geojson: string) =>
      db.one<ZoneCheck>(`
        WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS src),
             m AS MATERIALIZED (SELECT src, CASE WHEN ST_IsValid(src) AND GeometryType(src) IN ('POLYGON', 'MULTIPOLYGON')
                                    THEN ST_Multi(src) END AS z FROM s)
        SELECT ${CHECK_COLUMNS}, GeometryType(src) AS "type" FROM m`, [geojson]),

    /**
     * A line grown by half its width on each side, in real metres at the city's latitude, with flat
     * ends (a trench stops where it is drawn) and round joins. Built as the union of each segment's
     * flat-ended rectangle and a disc at each inner vertex — the same zone as buffering the whole line,
     * but a zig-zag of 800 vertices takes ~0.1 s instead of minutes: GEOS no longer nodes a line that
     * crosses itself hundreds of times.
     */
    checkLine: (geojson: string, widthM: number) =>
      db.one<ZoneCheck>(`
        WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS src),
             m AS MATERIALIZED (SELECT src, CASE WHEN ST_IsValid(src) AND GeometryType(src) IN ('LINESTRING', 'MULTILINESTRING') THEN (
                     SELECT ST_Multi(ST_Transform(ST_Union(piece), 4326)) FROM (
                       -- Web Mercator stretches lengths by 1 / cos(latitude).
                       SELECT ST_Transform(src, 3857) AS g, $2 / 2.0 / cos(radians(ST_Y(ST_Centroid(src)))) AS r) p,
                     LATERAL (
                       SELECT ST_Buffer(d.geom, p.r, 'quad_segs=4 endcap=flat') AS piece FROM ST_DumpSegments(p.g) d
                       UNION ALL
                       SELECT ST_Buffer(ST_PointN(l.geom, i), p.r, 'quad_segs=4')
                         FROM ST_Dump(p.g) l, generate_series(2, ST_NPoints(l.geom) - 1) i) pieces) END AS z FROM s)
        SELECT ${CHECK_COLUMNS}, GeometryType(src) AS "type" FROM m`, [geojson, widthM]),

    /** The union of picked footprints, grown by a couple of metres so touching walls join. */
    checkBuildings: (ids: number[], growM: number) =>
      db.one<ZoneCheck>(`
        WITH p AS (SELECT geom FROM building WHERE id = ANY($1::int[])),
             m AS MATERIALIZED (SELECT (SELECT count(*)::int FROM p) AS found,
                          ST_Collect(geom) AS src,
                          ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(ST_Buffer(geom::geography, $2, 'quad_segs=2')::geometry)), 3)) AS z
                     FROM p)
        SELECT ${CHECK_COLUMNS}, found AS "pickedFound" FROM m`, [ids, growM]),

    /** Buildings whose footprint intersects the zone, with apartments and residents, computed by PostGIS. */
    affected: (zoneHex: string, limit: number, q?: Tx): Promise<AffectedSummary> =>
      q ? affectedQuery(q, zoneHex, limit) : affectedQuery(db, zoneHex, limit, true),

    serialScans,
  };
}

/**
 * PostGIS prices ST_Intersects so high that the planner starts a parallel worker for a zone of a
 * few thousand buildings; the worker's start-up costs ten times the 2–3 ms of actual work.
 * Zone queries run serially (this transaction only).
 */
const SERIAL = 'SET LOCAL max_parallel_workers_per_gather = 0';
function serialScans(t: Tx) {
  return t.none(SERIAL);
}

/**
 * `standalone`: prefix the SET LOCAL in the same simple-protocol message — PostgreSQL runs such a
 * message as one implicit transaction, so the setting holds for this query only, in one round trip.
 */
function affectedQuery(q: Q, zoneHex: string, limit: number, standalone = false) {
  return q.one<AffectedSummary>(`${standalone ? `${SERIAL};` : ''}
        -- Highlight points as float4 (about a metre here): short JSON, and far cheaper than numeric rounding.
        WITH z AS (SELECT $1::geometry AS zone),
             hit AS MATERIALIZED (SELECT b.id, b.apartments, b.centroid FROM building b, z WHERE ST_Intersects(b.geom, z.zone))
        SELECT (SELECT count(*)::int FROM hit) AS buildings,
               (SELECT coalesce(sum(apartments), 0)::int FROM hit) AS apartments,
               (SELECT coalesce(sum(c.residents), 0)::int FROM building_resident_count c WHERE c.building_id IN (SELECT id FROM hit)) AS residents,
               coalesce((SELECT json_agg(json_build_array(id, ST_X(centroid)::real, ST_Y(centroid)::real))
                           FROM (SELECT * FROM hit ORDER BY id LIMIT $2) s), '[]'::json) AS sample`, [zoneHex, limit]);
}

function queries(db: Db) {
  return {

    /** The building under a clicked point (or the nearest within a few metres of it). */
    buildingAt: (lon: number, lat: number) =>
      db.oneOrNone<{ id: number; address: string; apartments: number; lon: number; lat: number }>(`
        SELECT b.id, b.address, b.apartments, ST_X(b.centroid) AS lon, ST_Y(b.centroid) AS lat
          FROM building b
         WHERE ST_DWithin(b.geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, 3)
           AND b.geom && ST_Expand(ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.0001)
         ORDER BY b.geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT 1`, [lon, lat]),

    /** The organisation and the utility kinds it may announce (its own and those granted to it). */
    executorExists: (id: number) => db.oneOrNone<{ id: number; utilities: Utility[] }>(`
      SELECT e.id, array_remove(array_prepend(e.utility, coalesce(array_agg(x.utility) FILTER (WHERE x.utility IS NOT NULL), '{}')), NULL) AS utilities
        FROM executor e LEFT JOIN executor_utility x ON x.executor_id = e.id WHERE e.id = $1 GROUP BY e.id`, [id]),

    /** Stores an announcement, its affected buildings and counts. Call inside a transaction. */
    insert: (t: Tx, a: {
      kind: Kind; utility: Utility; executorId: number; title: string; description: string; contact: string;
      startsAt: Date; endsAt: Date; sourceKind: string; sourceGeojson: string | null; bufferM: number | null;
      zoneHex: string; createdBy: number; now: Date;
    }) =>
      t.one<{ id: number }>(`
        INSERT INTO announcement (kind, utility, executor_id, title, description, contact, starts_at, ends_at,
                                  source_kind, source_geom, buffer_m, zone, created_by, created_at, updated_at)
        VALUES ($(kind), $(utility), $(executorId), $(title), $(description), $(contact), $(startsAt), $(endsAt),
                $(sourceKind), CASE WHEN $(sourceGeojson) IS NULL THEN NULL ELSE ST_SetSRID(ST_GeomFromGeoJSON($(sourceGeojson)), 4326) END,
                $(bufferM), $(zoneHex)::geometry, $(createdBy), $(now), $(now))
        RETURNING id`, a),

    /** Updates the fields; a null zone keeps the drawn zone and how it was drawn. */
    update: (t: Tx, id: number, now: Date, a: {
      kind: Kind; utility: Utility; title: string; description: string; contact: string;
      startsAt: Date; endsAt: Date; sourceKind: string | null; sourceGeojson: string | null; bufferM: number | null; zoneHex: string | null;
    }) =>
      t.none(`
        UPDATE announcement SET kind = $(kind), utility = $(utility), title = $(title), description = $(description),
               contact = $(contact), starts_at = $(startsAt), ends_at = $(endsAt), updated_at = $(now),
               source_kind = CASE WHEN $(zoneHex) IS NULL THEN source_kind ELSE $(sourceKind) END,
               source_geom = CASE WHEN $(zoneHex) IS NULL THEN source_geom
                                  WHEN $(sourceGeojson) IS NULL THEN NULL ELSE ST_SetSRID(ST_GeomFromGeoJSON($(sourceGeojson)), 4326) END,
               buffer_m = CASE WHEN $(zoneHex) IS NULL THEN buffer_m ELSE $(bufferM) END,
               zone = coalesce($(zoneHex)::geometry, zone)
         WHERE id = $(id)`, { ...a, id, now }),

    /** Replaces the affected-building set from the stored zone and refreshes the counts. */
    recomputeBuildings: async (t: Tx, id: number) => {
      await t.none('DELETE FROM announcement_building WHERE announcement_id = $1', [id]);
      await t.none(`
        INSERT INTO announcement_building (announcement_id, building_id)
        SELECT a.id, b.id FROM announcement a JOIN building b ON ST_Intersects(b.geom, a.zone) WHERE a.id = $1`, [id]);
      return t.one<{ buildings: number; apartments: number; residents: number }>(`
        UPDATE announcement a SET
               buildings_count = s.buildings, apartments_count = s.apartments, residents_count = s.residents
          FROM (SELECT count(*)::int AS buildings, coalesce(sum(b.apartments), 0)::int AS apartments,
                       coalesce(sum(rc.residents), 0)::int AS residents
                  FROM announcement_building ab JOIN building b ON b.id = ab.building_id
                  LEFT JOIN building_resident_count rc ON rc.building_id = b.id
                 WHERE ab.announcement_id = $1) s
         WHERE a.id = $1
        RETURNING buildings_count AS buildings, apartments_count AS apartments, residents_count AS residents`, [id]);
    },

    buildingIds: (q: Q, id: number) =>
      q.map('SELECT building_id FROM announcement_building WHERE announcement_id = $1', [id], (r: { building_id: number }) => r.building_id),

    setStatus: (t: Tx, id: number, status: Status, now: Date) =>
      t.one<{ closedAt: Date | null }>(`
        UPDATE announcement SET status = $2, updated_at = $3,
               closed_at = CASE WHEN $2 = 'closed' THEN $3 ELSE closed_at END
         WHERE id = $1 RETURNING closed_at AS "closedAt"`, [id, status, now]),

    addEvent: (t: Tx, id: number, actorId: number | null, kind: 'published' | 'changed' | 'cancelled' | 'closed', data: object, now: Date) =>
      t.none('INSERT INTO announcement_event (announcement_id, at, actor_id, kind, data) VALUES ($1, $2, $3, $4, $5)', [id, now, actorId, kind, data]),

    history: (id: number) =>
      db.any<{ id: number; at: Date; kind: string; actor: string | null; data: Record<string, unknown> }>(`
        SELECT ev.id, ev.at, ev.kind, u.full_name AS actor, ev.data
          FROM announcement_event ev LEFT JOIN app_user u ON u.id = ev.actor_id
         WHERE ev.announcement_id = $1 ORDER BY ev.at, ev.id`, [id]),

    /** One announcement; `lock` takes a row lock inside a transaction. */
    get: (id: number, q: Q = db, lock = false) =>
      q.oneOrNone<AnnouncementRow>(`
        SELECT ${ROW_COLUMNS} FROM announcement a JOIN executor e ON e.id = a.executor_id
         WHERE a.id = $1 ${lock ? 'FOR UPDATE OF a' : ''}`, [id]),

    zoneGeojson: (id: number) =>
      db.oneOrNone<{ zone: object; source: object | null }>(`
        SELECT ST_AsGeoJSON(zone, 6)::json AS zone, ST_AsGeoJSON(source_geom, 6)::json AS source
          FROM announcement WHERE id = $1`, [id]),

    addresses: (id: number, limit: number) =>
      db.any<{ id: number; address: string; apartments: number; lon: number; lat: number }>(`
        SELECT b.id, b.address, b.apartments, ST_X(b.centroid) AS lon, ST_Y(b.centroid) AS lat
          FROM announcement_building ab JOIN building b ON b.id = ab.building_id
         WHERE ab.announcement_id = $1 ORDER BY b.address LIMIT $2`, [id, limit]),

    list: (f: ListFilter, now: Date) => {
      const where: string[] = [];
      const p: Record<string, unknown> = { ...f, now };
      if (!f.includeInactive) where.push(`a.status <> 'cancelled'`);
      if (f.at) where.push(`a.starts_at <= $(at) AND ${EFFECTIVE_END} > $(at)`);
      else if (f.from || f.to) {
        if (f.to) where.push('a.starts_at < $(to)');
        if (f.from) where.push(`${EFFECTIVE_END} > $(from)`);
      } else if (!f.includeInactive) where.push(`${EFFECTIVE_END} > $(now)`);
      if (f.utility) where.push('a.utility = $(utility)');
      if (f.kind) where.push('a.kind = $(kind)');
      if (f.executorId) where.push('a.executor_id = $(executorId)');
      if (f.district) where.push('EXISTS (SELECT 1 FROM district d WHERE d.id = $(district) AND ST_Intersects(d.geom, a.zone))');
      if (f.bbox) {
        p.x1 = f.bbox[0]; p.y1 = f.bbox[1]; p.x2 = f.bbox[2]; p.y2 = f.bbox[3];
        where.push('a.zone && ST_MakeEnvelope($(x1), $(y1), $(x2), $(y2), 4326)');
      }
      return db.any<AnnouncementRow>(`
        SELECT ${ROW_COLUMNS} FROM announcement a JOIN executor e ON e.id = a.executor_id
         ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
         ORDER BY a.starts_at DESC, a.id DESC LIMIT $(limit)`, p);
    },

    districts: () => db.any<{ id: number; name: string; nameEn: string | null }>(
      'SELECT id, name, name_en AS "nameEn" FROM district ORDER BY name'),
    executors: () => db.any<{ id: number; code: string; name: string; utility: Utility | null }>(
      `SELECT id, code, name, utility FROM executor WHERE kind = 'utility' ORDER BY name`),

    // ---- subscriptions ----
    buildingAddress: (id: number, q: Q = db) =>
      q.oneOrNone<{ id: number; address: string }>('SELECT id, address FROM building WHERE id = $1', [id]),

    /**
     * Confirmation mails sent to `email` since `emailSince` and at the asking of `client` since
     * `clientSince`, with the oldest of each (when the next one is allowed). Locks both, so two
     * instances cannot both send the last allowed mail.
     */
    confirmationMailsSent: async (t: Tx, email: string, client: string, emailSince: Date, clientSince: Date) => {
      await t.any(`SELECT pg_advisory_xact_lock(hashtext('confirmation-mail:' || lower($1))), pg_advisory_xact_lock(hashtext('confirmation-client:' || $2))`, [email, client]);
      return t.one<{ byEmail: number; oldestEmail: Date | null; byClient: number; oldestClient: Date | null }>(`
        SELECT (SELECT count(*)::int FROM confirmation_mail_log WHERE lower(email) = lower($1) AND sent_at > $3) AS "byEmail",
               (SELECT min(sent_at) FROM confirmation_mail_log WHERE lower(email) = lower($1) AND sent_at > $3) AS "oldestEmail",
               (SELECT count(*)::int FROM confirmation_mail_log WHERE client = $2 AND sent_at > $4) AS "byClient",
               (SELECT min(sent_at) FROM confirmation_mail_log WHERE client = $2 AND sent_at > $4) AS "oldestClient"`,
      [email, client, emailSince, clientSince]);
    },
    logConfirmationMail: (t: Tx, email: string, client: string, now: Date) =>
      t.none('INSERT INTO confirmation_mail_log (email, client, sent_at) VALUES ($1, $2, $3)', [email, client, now]),
    /** Entries older than every limit's window count for nothing and hold e-mail addresses: gone. */
    pruneConfirmationMails: (before: Date) =>
      db.result('DELETE FROM confirmation_mail_log WHERE sent_at < $1', [before]).then((r) => r.rowCount),

    liveSubscription: (t: Tx, email: string, buildingId: number) =>
      t.oneOrNone<{ id: number; token: string; confirmedAt: Date | null }>(`
        SELECT id, token, confirmed_at AS "confirmedAt" FROM announcement_subscription
         WHERE lower(email) = lower($1) AND building_id = $2 AND unsubscribed_at IS NULL FOR UPDATE`, [email, buildingId]),

    insertSubscription: (t: Tx, email: string, buildingId: number, token: string, lang: string, now: Date) =>
      t.one<{ id: number }>(`
        INSERT INTO announcement_subscription (email, building_id, token, lang, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [email, buildingId, token, lang, now]),

    setSubscriptionLang: (t: Tx, id: number, lang: string) =>
      t.none('UPDATE announcement_subscription SET lang = $2 WHERE id = $1', [id, lang]),

    confirmSubscription: (token: string, now: Date) =>
      db.oneOrNone<{ id: number; buildingId: number }>(`
        UPDATE announcement_subscription SET confirmed_at = coalesce(confirmed_at, $2)
         WHERE token = $1 AND unsubscribed_at IS NULL RETURNING id, building_id AS "buildingId"`, [token, now]),

    unsubscribe: (token: string, now: Date) =>
      db.oneOrNone<{ id: number }>(`
        UPDATE announcement_subscription SET unsubscribed_at = coalesce(unsubscribed_at, $2)
         WHERE token = $1 RETURNING id`, [token, now]),

    /** Confirmed, still-subscribed people watching any of these buildings. */
    subscribersOf: (t: Tx, buildingIds: number[]) =>
      t.any<{ email: string; token: string; lang: 'uk' | 'en'; buildingId: number; address: string }>(`
        SELECT s.email, s.token, s.lang, s.building_id AS "buildingId", b.address
          FROM announcement_subscription s JOIN building b ON b.id = s.building_id
         WHERE s.building_id = ANY($1::int[]) AND s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL
         ORDER BY s.id`, [buildingIds]),

    // ---- statistics (report 1) ----
    stats: (f: { from: Date; to: Date; group: 'day' | 'week' | 'month'; by: 'utility' | 'kind' | 'executor' | 'district' }) => {
      const key = {
        utility: { key: 'a.utility', label: 'a.utility', join: '' },
        kind: { key: 'a.kind', label: 'a.kind', join: '' },
        executor: { key: 'e.code', label: 'e.name', join: 'JOIN executor e ON e.id = a.executor_id' },
        district: { key: `coalesce(d.id::text, '-')`, label: `coalesce(d.name, '—')`, join: '' },
      }[f.by];
      // Periods are calendar days/weeks/months in the city's time zone.
      const period = `to_char(date_trunc('${f.group}', a.starts_at AT TIME ZONE 'Europe/Kyiv'), 'YYYY-MM-DD')`;
      if (f.by === 'district') {
        return db.any<StatRow>(`
          SELECT ${period} AS period, ${key.key} AS key, ${key.label} AS label,
                 count(DISTINCT a.id)::int AS events, count(b.id)::int AS buildings,
                 coalesce(sum(b.apartments), 0)::int AS apartments
            FROM announcement a
            JOIN announcement_building ab ON ab.announcement_id = a.id
            JOIN building b ON b.id = ab.building_id
            LEFT JOIN district d ON d.id = b.district_id
           WHERE a.status <> 'cancelled' AND a.starts_at >= $1 AND a.starts_at < $2
           GROUP BY 1, 2, 3 ORDER BY 1, 3`, [f.from, f.to]);
      }
      return db.any<StatRow>(`
        SELECT ${period} AS period, ${key.key} AS key, ${key.label} AS label,
               count(*)::int AS events, sum(a.buildings_count)::int AS buildings,
               sum(a.apartments_count)::int AS apartments
          FROM announcement a ${key.join}
         WHERE a.status <> 'cancelled' AND a.starts_at >= $1 AND a.starts_at < $2
         GROUP BY 1, 2, 3 ORDER BY 1, 3`, [f.from, f.to]);
    },
  };
}
export interface StatRow { period: string; key: string; label: string; events: number; buildings: number; apartments: number }
export type AnnouncementsRepo = ReturnType<typeof announcementsRepo>;
