// All SQL of Open311: API keys and their per-minute counters, what an Open311 request brought
// besides the appeal, and the public view of appeals (service requests) and their history (updates).
import type { Db } from '../db/db.ts';

export interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** One appeal as Open311 shows it: nothing about who filed it. */
export interface RequestRow {
  id: number;
  channel: string;
  status: string;
  isOpen: boolean;
  text: string;
  answer: string | null;
  plannedAt: Date | null;
  planReason: string | null;
  rejectReason: string | null;
  serviceCode: string;
  serviceName: string;
  serviceNameEn: string;
  executorName: string;
  executorNameEn: string | null;
  createdAt: Date;
  updatedAt: Date;
  dueAt: Date;
  address: string | null;
  addressId: number | null;
  lon: number | null;
  lat: number | null;
  mediaUrl: string | null;
}

export interface RequestFilter {
  ids: number[] | null;
  codes: string[] | null;
  /** null: both open and closed. */
  open: boolean | null;
  from: Date;
  to: Date;
  limit: number;
  offset: number;
}

export interface UpdateRow {
  id: number;
  appealId: number;
  at: Date;
  kind: 'status' | 'answer';
  /** The status the appeal had after this event. */
  status: string;
  isOpen: boolean;
  text: string | null;
  plannedAt: string | null;
  planReason: string | null;
  rejectReason: string | null;
  mediaUrl: string | null;
}

const KEY_COLUMNS = `id, name, prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

const REQUEST_SELECT = `
  SELECT a.id::int, a.channel, a.status, appeal_status_is_open(a.status) AS "isOpen", a.text, a.answer,
         a.planned_at AS "plannedAt", a.plan_reason AS "planReason", a.reject_reason AS "rejectReason",
         c.code AS "serviceCode", c.name AS "serviceName", c.name_en AS "serviceNameEn",
         e.name AS "executorName", e.name_en AS "executorNameEn",
         a.created_at AS "createdAt", a.updated_at AS "updatedAt", a.due_at AS "dueAt",
         coalesce(b.address, o.address) AS address, a.building_id AS "addressId",
         ST_X(w.p) AS lon, ST_Y(w.p) AS lat, r.media_url AS "mediaUrl"
    FROM appeal a
    JOIN category c ON c.id = a.category_id
    JOIN executor e ON e.id = a.executor_id
    LEFT JOIN building b ON b.id = a.building_id
    LEFT JOIN infra_object o ON o.id = a.infra_object_id
    LEFT JOIN open311_request r ON r.appeal_id = a.id
    CROSS JOIN LATERAL (SELECT coalesce(a.point, b.centroid, ST_PointOnSurface(o.geom)) AS p) w`;

export function open311Repo(db: Db) {
  return {
    // ---- API keys ----
    insertKey: (k: { name: string; prefix: string; hash: Buffer; createdBy: number | null; now: Date }) =>
      db.one<ApiKeyRow>(`INSERT INTO api_key (name, prefix, hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${KEY_COLUMNS}`,
        [k.name, k.prefix, k.hash, k.createdBy, k.now]),
    listKeys: () => db.any<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_key ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC`),
    /** Revokes once: a second revocation keeps the first moment. */
    revokeKey: (id: number, now: Date) =>
      db.oneOrNone<ApiKeyRow>(`UPDATE api_key SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING ${KEY_COLUMNS}`, [id, now]),
    keyByHash: (hash: Buffer) =>
      db.oneOrNone<{ id: number; revokedAt: Date | null }>('SELECT id, revoked_at AS "revokedAt" FROM api_key WHERE hash = $1', [hash]),
    /**
     * Counts a request of the key in the minute `minute` and marks the key used; returns the
     * minute's count so far. Counters older than an hour are dropped when a minute opens.
     */
    hit: (keyId: number, minute: Date, now: Date) =>
      db.tx(async (t) => {
        const { requests } = await t.one<{ requests: number }>(`
          INSERT INTO api_key_rate AS r (api_key_id, minute, requests) VALUES ($1, $2, 1)
          ON CONFLICT (api_key_id, minute) DO UPDATE SET requests = r.requests + 1
          RETURNING requests`, [keyId, minute]);
        if (requests === 1) {
          await t.none(`DELETE FROM api_key_rate WHERE minute < $1::timestamptz - interval '1 hour'`, [minute]);
          // Once a minute is enough for "last used"; it spares a row lock on every request.
          await t.none('UPDATE api_key SET last_used_at = $2 WHERE id = $1', [keyId, now]);
        }
        return requests;
      }),

    // ---- requests ----
    saveRequest: (r: { appealId: number; apiKeyId: number; mediaUrl: string | null; deviceId: string | null; accountId: string | null }) =>
      db.none(`INSERT INTO open311_request (appeal_id, api_key_id, media_url, device_id, account_id) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (appeal_id) DO NOTHING`, [r.appealId, r.apiKeyId, r.mediaUrl, r.deviceId, r.accountId]),
    /** The appeal an Open311 POST's token stands for (the token is the appeal's request id). */
    byToken: (token: string) =>
      db.oneOrNone<{ id: number }>(`SELECT id::int FROM appeal WHERE request_id = $1 AND channel = 'open311'`, [token]).then((r) => r?.id ?? null),
    request: (id: number) => db.oneOrNone<RequestRow>(`${REQUEST_SELECT} WHERE a.id = $1`, [id]),
    /** Newest first. Listed ids override every other filter. */
    requests: (f: RequestFilter) =>
      f.ids
        ? db.any<RequestRow>(`${REQUEST_SELECT} WHERE a.id = ANY($1::bigint[]) ORDER BY a.created_at DESC, a.id DESC LIMIT $2 OFFSET $3`, [f.ids, f.limit, f.offset])
        : db.any<RequestRow>(`${REQUEST_SELECT}
            WHERE a.created_at >= $1 AND a.created_at <= $2
              AND ($3::text[] IS NULL OR c.code = ANY($3))
              AND ($4::boolean IS NULL OR appeal_status_is_open(a.status) = $4)
            ORDER BY a.created_at DESC, a.id DESC LIMIT $5 OFFSET $6`, [f.from, f.to, f.codes, f.open, f.limit, f.offset]),

    /** Status changes and answers between `from` and `to`, oldest first. */
    updates: (from: Date, to: Date, limit: number, offset: number) =>
      db.any<UpdateRow>(`
        SELECT ev.id::int, ev.appeal_id::int AS "appealId", ev.at, ev.kind, s.status, appeal_status_is_open(s.status) AS "isOpen",
               CASE WHEN ev.kind = 'answer' THEN ev.data->>'text' END AS text,
               ev.data->>'plannedAt' AS "plannedAt", ev.data->>'planReason' AS "planReason", ev.data->>'rejectReason' AS "rejectReason",
               r.media_url AS "mediaUrl"
          FROM appeal_event ev
          LEFT JOIN open311_request r ON r.appeal_id = ev.appeal_id
          CROSS JOIN LATERAL (
            SELECT coalesce((SELECT x.data->>'to' FROM appeal_event x
                              WHERE x.appeal_id = ev.appeal_id AND x.kind = 'status' AND x.id <= ev.id
                              ORDER BY x.id DESC LIMIT 1), 'new') AS status) s
         WHERE ev.kind IN ('status', 'answer') AND ev.at >= $1 AND ev.at <= $2
         ORDER BY ev.at, ev.id LIMIT $3 OFFSET $4`, [from, to, limit, offset]),

    /** Whether an infrastructure object exists and is of `kind`. */
    objectOfKind: (id: number, kind: string) =>
      db.oneOrNone('SELECT 1 FROM infra_object WHERE id = $1 AND kind = $2', [id, kind]).then((r) => !!r),
  };
}
export type Open311Repo = ReturnType<typeof open311Repo>;
