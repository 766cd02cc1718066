// All SQL of the web intake: duplicate suggestions, photos, tracking links and the submission log.
import type { ITask } from 'pg-promise';
import type { Db } from '../db/db.ts';
import { OPEN_STATUSES, type AppealStatus } from '../../vocabulary/appeals.ts';

type Tx = ITask<unknown>;

export interface Nearby { number: string; status: AppealStatus; category: string; categoryEn: string | null; createdAt: Date; distanceM: number }
export interface PhotoRow { id: number; appealId: number; file: string; mime: string; bytes: number; width: number; height: number }
export interface Tracked {
  id: number; number: string; status: AppealStatus; confirmation: string | null; createdAt: Date; dueAt: Date; doneAt: Date | null; closedAt: Date | null;
  answer: string | null; text: string; category: string; categoryEn: string | null; executor: string; executorEn: string | null;
}

/** Where an appeal is: its own point, else its object's, else its building's. */
const WHERE_IS = `COALESCE(a.point, io.geom_point, b.centroid)`;

export function intakeRepo(db: Db) {
  return {
    /**
     * Open appeals of a category within `metres` of a point and `days` of now: only their number,
     * status, category, age and distance — nothing a resident left. The candidates are read from the
     * (category_id, created_at) index — a category's fortnight — and each one's distance is checked.
     */
    nearby: (p: { lon: number; lat: number }, categoryId: number, metres: number, days: number, now: Date, limit = 5) =>
      db.any<Nearby>(`
        WITH here AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS g)
        SELECT a.number, a.status, c.name AS category, c.name_en AS "categoryEn", a.created_at AS "createdAt",
               round(ST_Distance(${WHERE_IS}::geography, here.g))::int AS "distanceM"
          FROM appeal a CROSS JOIN here
          JOIN category c ON c.id = a.category_id
          LEFT JOIN LATERAL (SELECT CASE WHEN GeometryType(geom) = 'POINT' THEN geom ELSE ST_PointOnSurface(geom) END AS geom_point
                               FROM infra_object WHERE id = a.infra_object_id) io ON true
          LEFT JOIN building b ON b.id = a.building_id
         WHERE a.category_id = $3 AND a.status = ANY($7::text[])
           AND a.created_at > $6::timestamptz - make_interval(days => $5) AND a.created_at <= $6::timestamptz
           AND ST_DWithin(${WHERE_IS}::geography, here.g, $4)
         ORDER BY "distanceM", a.created_at DESC LIMIT $8`,
      [p.lon, p.lat, categoryId, metres, days, now, [...OPEN_STATUSES], limit]),

    /** Whether a web appeal of this request id exists, and whether its link was made. */
    registered: (requestId: string) =>
      db.oneOrNone<{ id: number; tracked: boolean }>(`
        SELECT a.id, EXISTS (SELECT 1 FROM appeal_track t WHERE t.appeal_id = a.id) AS tracked
          FROM appeal a WHERE a.request_id = $1 AND a.channel = 'web'`, [requestId]),

    /** The submissions one address and one client made within their windows, under locks of both. */
    submissions: async (t: Tx, email: string, client: string, emailSince: Date, clientSince: Date) => {
      await t.any(`SELECT pg_advisory_xact_lock(hashtext('web-report-mail:' || lower($1))), pg_advisory_xact_lock(hashtext('web-report-client:' || $2))`, [email, client]);
      return t.one<{ byEmail: number; oldestEmail: Date | null; byClient: number; oldestClient: Date | null }>(`
        SELECT (SELECT count(*)::int FROM web_report_log WHERE lower(email) = lower($1) AND at > $3) AS "byEmail",
               (SELECT min(at) FROM web_report_log WHERE lower(email) = lower($1) AND at > $3) AS "oldestEmail",
               (SELECT count(*)::int FROM web_report_log WHERE client = $2 AND at > $4) AS "byClient",
               (SELECT min(at) FROM web_report_log WHERE client = $2 AND at > $4) AS "oldestClient"`,
      [email, client, emailSince, clientSince]);
    },
    logSubmission: (t: Tx, email: string, client: string, now: Date) =>
      t.none('INSERT INTO web_report_log (email, client, at) VALUES ($1, $2, $3)', [email, client, now]),

    /** Forgets submissions (e-mail and client addresses) older than the longest limit's window. */
    pruneSubmissions: (before: Date) =>
      db.result('DELETE FROM web_report_log WHERE at < $1', [before]).then((r) => r.rowCount),

    /** The link's row; false when the appeal had one already (a retry finishing the first attempt). */
    addTrack: (t: Tx, appealId: number, tokenHash: Buffer, now: Date, expiresAt: Date) =>
      t.result(`INSERT INTO appeal_track (appeal_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (appeal_id) DO NOTHING`,
        [appealId, tokenHash, now, expiresAt]).then((r) => r.rowCount === 1),

    addPhoto: (t: Tx, appealId: number, p: { file: string; mime: string; bytes: number; width: number; height: number }, now: Date) =>
      t.one<{ id: number }>(`INSERT INTO appeal_photo (appeal_id, file, mime, bytes, width, height, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [appealId, p.file, p.mime, p.bytes, p.width, p.height, now]),

    tx: <T>(f: (t: Tx) => Promise<T>) => db.tx('web-report', f),

    /** The appeal behind a live link. */
    tracked: (tokenHash: Buffer, now: Date) =>
      db.oneOrNone<Tracked>(`
        SELECT a.id, a.number, a.status, a.confirmation, a.created_at AS "createdAt", a.due_at AS "dueAt", a.done_at AS "doneAt",
               a.closed_at AS "closedAt", a.answer, a.text, c.name AS category, c.name_en AS "categoryEn", e.name AS executor, e.name_en AS "executorEn"
          FROM appeal_track t JOIN appeal a ON a.id = t.appeal_id
          JOIN category c ON c.id = a.category_id JOIN executor e ON e.id = a.executor_id
         WHERE t.token_hash = $1 AND t.expires_at > $2`, [tokenHash, now]),

    /** The history a resident may see: status moves and answers, without who made them. */
    publicHistory: (appealId: number) =>
      db.any<{ at: Date; kind: 'created' | 'status' | 'answer'; data: Record<string, unknown> }>(`
        SELECT at, kind, data FROM appeal_event
         WHERE appeal_id = $1 AND kind IN ('created', 'status', 'answer') ORDER BY at, id`, [appealId]),

    photosOf: (appealId: number) =>
      db.any<PhotoRow>(`SELECT id, appeal_id AS "appealId", file, mime, bytes, width, height FROM appeal_photo WHERE appeal_id = $1 ORDER BY id`, [appealId]),
    photo: (appealId: number, photoId: number) =>
      db.oneOrNone<PhotoRow>(`SELECT id, appeal_id AS "appealId", file, mime, bytes, width, height FROM appeal_photo WHERE appeal_id = $1 AND id = $2`, [appealId, photoId]),
    executorOf: (appealId: number) =>
      db.oneOrNone<{ executorId: number }>('SELECT executor_id AS "executorId" FROM appeal WHERE id = $1', [appealId]),
  };
}
export type IntakeRepo = ReturnType<typeof intakeRepo>;
