// All SQL of appeals: registration (one statement), lists, detail with history, status changes.
// It writes only the appeals' own tables; names of categories, organisations, buildings and
// residents are joined in for display.
import type { ITask } from 'pg-promise';
import { pgp, type Db } from '../db/db.ts';
import { conflict } from '../http/errors.ts';
import { APPEAL_STATUSES, COUNT_CAP, OPEN_STATUSES, type AppealStatus, type DeadlineBasis, type EventKind } from '../../vocabulary/appeals.ts';

export type { AppealStatus, EventKind };

export interface NewAppeal {
  channel: string;
  callerPhone: string | null;
  residentId: number | null;
  buildingId: number | null;
  apartment: string | null;
  infraObjectId: number | null;
  point: { lon: number; lat: number } | null;
  categoryId: number;
  executorId: number;
  text: string;
  dueAt: Date;
  executorOverrideReason: string | null;
  dueOverrideReason: string | null;
  operatorId: number | null;
  callId: number | null;
  /** The client's id for this registration (Idempotency-Key): a retry finds the same appeal. */
  requestId: string | null;
  /** A resident filing for themselves (web, Open311): the name and e-mail they left. */
  contact: { name: string | null; email: string | null } | null;
}


export interface NewEvent { kind: EventKind; data: Record<string, unknown> }

/** What a lifecycle decision reads of the appeal, under its row lock. */
export interface CurrentAppeal {
  status: AppealStatus; executorId: number; answer: string | null; controlCount: number; dueAt: Date;
  returnedAt: Date | null; plannedAt: Date | null; deadlineHours: number; deadlineBasis: DeadlineBasis;
}

/** The columns a lifecycle change may set. */
const CHANGE_COLUMNS = {
  status: 'status', answer: 'answer', plannedAt: 'planned_at', planReason: 'plan_reason', rejectReason: 'reject_reason',
  dueAt: 'due_at', controlCount: 'control_count', returnedAt: 'returned_at', returnReason: 'return_reason',
  executorId: 'executor_id', doneAt: 'done_at', closedAt: 'closed_at', confirmation: 'confirmation', rating: 'rating',
} as const;

/** A decided change: the columns to set (undefined: untouched, null: cleared) and the events to append. */
export interface AppealChange { set: Partial<Record<keyof typeof CHANGE_COLUMNS, unknown>>; events: NewEvent[] }

export interface ActiveAppeal {
  id: number; number: string; status: string; category: string; categoryEn: string; executor: string; createdAt: string; dueAt: string;
}


/** One row of an appeal list; personal columns are dropped by the service for other roles. */
export interface AppealRow {
  id: number;
  number: string;
  status: AppealStatus;
  channel: string;
  text: string;
  createdAt: string;
  dueAt: string;
  doneAt: string | null;
  overdue: boolean;
  category: { id: number; name: string; nameEn: string };
  executor: { id: number; name: string; nameEn: string | null };
  buildingId: number | null;
  address: string | null;
  apartment: string | null;
  residentId: number | null;
  residentName: string | null;
  callerPhone: string | null;
  infraObject: { id: number; kind: string; name: string | null } | null;
  lon: number | null;
  lat: number | null;
  callId: number | null;
  answer: string | null;
  plannedAt: string | null;
  planReason: string | null;
  /** How many times the resident has returned it (Control). */
  controlCount: number;
}

/** The list columns; `now` is the placeholder of the instant "overdue" is judged at. */
const row = (now: string) => `
  a.id, a.number, a.status, a.channel, a.text, a.created_at AS "createdAt", a.due_at AS "dueAt", a.done_at AS "doneAt",
  (appeal_status_is_open(a.status) AND a.due_at < ${now}::timestamptz) AS overdue,
  json_build_object('id', c.id, 'name', c.name, 'nameEn', c.name_en) AS category,
  json_build_object('id', e.id, 'name', e.name, 'nameEn', e.name_en) AS executor,
  a.building_id AS "buildingId", b.address, a.apartment, a.resident_id AS "residentId", r.full_name AS "residentName",
  a.caller_phone AS "callerPhone",
  CASE WHEN o.id IS NULL THEN NULL ELSE json_build_object('id', o.id, 'kind', o.kind, 'name', o.name) END AS "infraObject",
  ST_X(coalesce(a.point, ST_PointOnSurface(o.geom), b.centroid)) AS lon, ST_Y(coalesce(a.point, ST_PointOnSurface(o.geom), b.centroid)) AS lat,
  a.call_id AS "callId", a.answer, a.planned_at AS "plannedAt", a.plan_reason AS "planReason", a.control_count AS "controlCount"`;

const JOINS = `
  JOIN category c ON c.id = a.category_id
  JOIN executor e ON e.id = a.executor_id
  LEFT JOIN building b ON b.id = a.building_id
  LEFT JOIN resident r ON r.id = a.resident_id
  LEFT JOIN infra_object o ON o.id = a.infra_object_id`;
const FROM = `FROM appeal a ${JOINS}`;

/**
 * A lifecycle change inside the caller's transaction (`change` opens its own): the appeal's row
 * locked, the change decided from what it holds now, the columns set and the events appended.
 */
export async function applyChange(t: ITask<unknown>, id: number, actorId: number | null, now: Date,
  decide: (current: CurrentAppeal) => AppealChange): Promise<{ before: CurrentAppeal; after: AppealChange } | null> {
  const cur = await t.oneOrNone<CurrentAppeal>(`
    SELECT a.status, a.executor_id AS "executorId", a.answer, a.control_count AS "controlCount", a.due_at AS "dueAt",
           a.returned_at AS "returnedAt", a.planned_at AS "plannedAt", c.deadline_hours AS "deadlineHours",
           c.deadline_basis AS "deadlineBasis"
      FROM appeal a JOIN category c ON c.id = a.category_id
     WHERE a.id = $1 FOR UPDATE OF a`, [id]);
  if (!cur) return null;
  const change = decide(cur);
  const sets = (Object.entries(change.set) as [keyof typeof CHANGE_COLUMNS, unknown][])
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => pgp.as.format('$1:name = $2', [CHANGE_COLUMNS[k], v]));
  await t.none(`UPDATE appeal SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1`, [id, now]);
  if (change.events.length) {
    await t.none(`
      INSERT INTO appeal_event (appeal_id, at, actor_id, kind, data)
      SELECT $1, $2, $3, ev.kind, ev.data
        FROM ROWS FROM (jsonb_to_recordset($4::jsonb) AS (kind text, data jsonb)) WITH ORDINALITY AS ev(kind, data, i)
       ORDER BY ev.i`, [id, now, actorId, JSON.stringify(change.events)]);
  }
  return { before: cur, after: change };
}

const insertAppeal = (q: Pick<Db, 'one'>, a: NewAppeal, events: NewEvent[], numberPrefix: string, now: Date) =>
  q.one<{ id: number; number: string; createdAt: Date }>({ name: 'appeal-register', text: `
        WITH n AS (
               SELECT nextval('appeal_number_seq') AS n,
                      coalesce(nullif($1, ''), (SELECT split_part(number, '/', 1) FROM appeal ORDER BY id DESC LIMIT 1), '15-80') AS prefix),
             a AS (
               -- Six digits, more when a Kyiv-sized year passes a million (lpad would cut them).
               INSERT INTO appeal (number, channel, caller_phone, resident_id, building_id, apartment, infra_object_id, point,
                                   category_id, executor_id, text, due_at, executor_override_reason, due_override_reason,
                                   operator_id, call_id, created_at, updated_at, request_id)
               SELECT n.prefix || '/' || to_char($18::timestamptz AT TIME ZONE 'Europe/Kyiv', 'YYYY') || '/'
                        || CASE WHEN n.n < 1000000 THEN lpad(n.n::text, 6, '0') ELSE n.n::text END,
                      $2, $3, $4, $5, $6, $7, CASE WHEN $8::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($8, $9), 4326) END,
                      $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19
                 FROM n
               RETURNING id, number, created_at),
             e AS (
               INSERT INTO appeal_event (appeal_id, at, actor_id, kind, data)
               SELECT a.id, a.created_at, $16, ev.kind, ev.data
                 FROM a, ROWS FROM (jsonb_to_recordset($20::jsonb) AS (kind text, data jsonb)) WITH ORDINALITY AS ev(kind, data, i)
                ORDER BY ev.i),
             c AS (
               INSERT INTO appeal_contact (appeal_id, name, email)
               SELECT a.id, $21, $22 FROM a WHERE $21::text IS NOT NULL OR $22::text IS NOT NULL)
        SELECT id, number, created_at AS "createdAt" FROM a`,
        values: [numberPrefix, a.channel, a.callerPhone, a.residentId, a.buildingId, a.apartment, a.infraObjectId,
          a.point?.lon ?? null, a.point?.lat ?? null, a.categoryId, a.executorId, a.text, a.dueAt,
          a.executorOverrideReason, a.dueOverrideReason, a.operatorId, a.callId, now, a.requestId, JSON.stringify(events),
          a.contact?.name ?? null, a.contact?.email ?? null] });

export function appealsRepo(db: Db) {
  return {
    /**
     * Registers an appeal with its opening history in one statement — the number, the appeal and its
     * events — so it is one round trip and atomic: a failure anywhere leaves no appeal and no events
     * (only the number sequence moves on, as sequences do). One call, one appeal: registrations of a
     * call take turns and the second is refused.
     */
    register: (a: NewAppeal, events: NewEvent[], numberPrefix: string, now: Date) => a.callId === null
      ? insertAppeal(db, a, events, numberPrefix, now)
      : db.tx('appeal-register-call', async (t) => {
        await t.any(`SELECT pg_advisory_xact_lock(hashtext('appeal-call:' || $1))`, [a.callId]);
        if (await t.oneOrNone('SELECT 1 FROM appeal WHERE call_id = $1 LIMIT 1', [a.callId])) {
          throw conflict('An appeal was already registered during this call', { code: 'call_has_appeal', field: 'callId' });
        }
        return insertAppeal(t, a, events, numberPrefix, now);
      }),


    /** The appeal an earlier attempt of the same registration made. */
    byRequestId: (requestId: string) =>
      db.oneOrNone<{ id: number; number: string; executorId: number; dueAt: Date; operatorId: number | null; channel: string }>(`
        SELECT id, number, executor_id AS "executorId", due_at AS "dueAt", operator_id AS "operatorId", channel
          FROM appeal WHERE request_id = $1`, [requestId]),

    get: (id: number, now: Date) =>
      db.oneOrNone<AppealRow & { operatorId: number | null; operatorName: string | null; updatedAt: string;
        executorOverrideReason: string | null; dueOverrideReason: string | null; closedAt: string | null;
        confirmation: string | null; rating: number | null; rejectReason: string | null; returnedAt: string | null; returnReason: string | null;
        contactName: string | null; contactEmail: string | null }>(`
        SELECT ${row('$2')}, a.operator_id AS "operatorId", u.full_name AS "operatorName", a.updated_at AS "updatedAt",
               a.executor_override_reason AS "executorOverrideReason", a.due_override_reason AS "dueOverrideReason",
               a.closed_at AS "closedAt", a.confirmation, a.rating, a.reject_reason AS "rejectReason",
               a.returned_at AS "returnedAt", a.return_reason AS "returnReason",
               ct.name AS "contactName", ct.email AS "contactEmail"
          ${FROM} LEFT JOIN app_user u ON u.id = a.operator_id LEFT JOIN appeal_contact ct ON ct.appeal_id = a.id
         WHERE a.id = $1`, [id, now]),

    events: (appealId: number) =>
      db.any<{ id: number; at: string; kind: EventKind; data: Record<string, unknown>; actorName: string | null; actorRole: string | null }>(`
        SELECT ev.id, ev.at, ev.kind, ev.data, u.full_name AS "actorName", u.role AS "actorRole"
          FROM appeal_event ev LEFT JOIN app_user u ON u.id = ev.actor_id
         WHERE ev.appeal_id = $1 ORDER BY ev.at, ev.id`, [appealId]),

    /** The caller card's list: the resident's appeals that are not over yet, newest first. */
    activeOfResident: (residentId: number, limit: number) =>
      db.any<ActiveAppeal>({ name: 'appeals-active-of-resident', values: [residentId, limit], text: `
        SELECT a.id, a.number, a.status, c.name AS category, c.name_en AS "categoryEn", e.name AS executor,
               a.created_at AS "createdAt", a.due_at AS "dueAt"
          FROM appeal a JOIN category c ON c.id = a.category_id JOIN executor e ON e.id = a.executor_id
         WHERE a.resident_id = $1 AND NOT appeal_status_is_terminal(a.status)
         ORDER BY a.created_at DESC, a.id DESC LIMIT $2` }),

    /** The appeals registered during a call (`q`: inside the caller's transaction). */
    ofCall: (callId: number, q: Pick<Db, 'any'> = db) =>
      q.any<{ id: number; number: string; executorId: number }>(
        `SELECT id, number, executor_id AS "executorId" FROM appeal WHERE call_id = $1 ORDER BY id`, [callId]),

    /** The appeals registered during each of these calls (a call log page). */
    ofCalls: (callIds: number[]) =>
      db.any<{ callId: number; id: number; number: string; executorId: number }>(`
        SELECT call_id AS "callId", id, number, executor_id AS "executorId" FROM appeal
         WHERE call_id = ANY($1::bigint[]) ORDER BY id`, [callIds]),

    byResident: (residentId: number, now: Date, limit = 50) =>
      db.any<AppealRow>(`SELECT ${row('$3')} ${FROM} WHERE a.resident_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT $2`, [residentId, limit, now]),

    /** Other people's appeals from the same building: "the neighbours already reported it". */
    byBuilding: (buildingId: number, days: number, now: Date, opts: { excludeResidentId?: number | null; executorId?: number | null; limit?: number }) =>
      db.any<AppealRow>(`
        SELECT ${row('$6')} ${FROM}
         WHERE a.building_id = $1 AND a.created_at > $6::timestamptz - make_interval(days => $2)
           AND ($3::int IS NULL OR a.resident_id IS DISTINCT FROM $3)
           AND ($4::int IS NULL OR a.executor_id = $4)
         ORDER BY a.created_at DESC, a.id DESC LIMIT $5`,
        [buildingId, days, opts.excludeResidentId ?? null, opts.executorId ?? null, opts.limit ?? 50, now]),

    /**
     * One page of a list, newest-due first with the overdue on top, its total, and the counts by
     * status for the filter tabs — three statements in one round trip. Each status is read in due
     * order from the (executor, status, due_at) index and the branches are merged, so a page costs the
     * same for an organisation with 50 appeals or with Kyiv's 2.7 million; counts stop at COUNT_CAP.
     */
    list: async (f: { executorId: number | null; statuses: AppealStatus[]; overdue: boolean; q: string | null; limit: number; offset: number; now: Date;
      dueSoon?: boolean; categoryId?: number | null; districtId?: number | null; withoutReturned?: boolean }) => {
      // The executor's own list leaves out what they returned to the contact centre.
      const mine = `($1::int IS NULL OR a.executor_id = $1) AND (NOT $12 OR a.returned_at IS NULL)`;
      const where = `
            ${mine}
        AND (NOT $3 OR (appeal_status_is_open(a.status) AND a.due_at < $2::timestamptz))
        AND (NOT $9 OR (appeal_status_is_open(a.status) AND a.due_at >= $2::timestamptz AND a.due_at < $2::timestamptz + interval '24 hours'))
        AND ($10::int IS NULL OR a.category_id = $10)
        AND ($11::int IS NULL OR EXISTS (SELECT 1 FROM building bd WHERE bd.id = a.building_id AND bd.district_id = $11))
        AND ($4::text IS NULL OR (CASE WHEN $4 ~ '^[^/\\s]+/\\d{4}/\\d+$' THEN a.number = $4
                                       ELSE a.number ILIKE '%' || $4 || '%' OR a.text ILIKE '%' || $4 || '%' END))`;
      // Only open appeals can be overdue; the planner would not see that "closed" never matches.
      const statuses = f.overdue || f.dueSoon ? f.statuses.filter((st) => OPEN_STATUSES.includes(st)) : f.statuses;
      const branches = statuses.map((st) => `(SELECT a.id, a.due_at, a.status FROM appeal a
          WHERE a.status = ${pgp.as.text(st)} AND ${where} ORDER BY a.due_at, a.id LIMIT $5 + $6)`);
      const page = statuses.length ? `
        WITH page AS (
          SELECT u.id, u.due_at, (appeal_status_is_open(u.status) AND u.due_at < $2::timestamptz) AS late
            FROM (${branches.join(' UNION ALL ')}) u
           ORDER BY late DESC, u.due_at, u.id LIMIT $5 OFFSET $6)
        SELECT ${row('$2')} FROM page p JOIN appeal a ON a.id = p.id ${JOINS}
         ORDER BY p.late DESC, p.due_at, p.id` : 'SELECT NULL WHERE false';
      const total = `
        SELECT count(*)::int AS n FROM (SELECT 1 FROM appeal a WHERE a.status = ANY($7) AND ${where} LIMIT ${COUNT_CAP + 1}) x`;
      const counts = `
        SELECT s.status,
               (SELECT count(*) FROM (SELECT 1 FROM appeal a WHERE ${mine} AND a.status = s.status
                                       LIMIT ${COUNT_CAP + 1}) x)::int AS n,
               (SELECT count(*) FROM (SELECT 1 FROM appeal a WHERE ${mine} AND a.status = s.status
                                         AND appeal_status_is_open(s.status) AND a.due_at < $2::timestamptz
                                       LIMIT ${COUNT_CAP + 1}) y)::int AS overdue,
               (SELECT count(*) FROM (SELECT 1 FROM appeal a WHERE ${mine} AND a.status = s.status
                                         AND appeal_status_is_open(s.status) AND a.due_at >= $2::timestamptz
                                         AND a.due_at < $2::timestamptz + interval '24 hours'
                                       LIMIT ${COUNT_CAP + 1}) z)::int AS soon
          FROM unnest($8::text[]) AS s(status)`;
      const [rows, [{ n }], byStatus] = await db.multi(`${page}; ${total}; ${counts}`,
        [f.executorId, f.now, f.overdue, f.q, f.limit, f.offset, statuses, APPEAL_STATUSES, f.dueSoon ?? false, f.categoryId ?? null,
          f.districtId ?? null, f.withoutReturned ?? false]) as [AppealRow[], { n: number }[], { status: AppealStatus; n: number; overdue: number; soon: number }[]];
      return { rows, total: Math.min(n, COUNT_CAP), more: n > COUNT_CAP, counts: byStatus };
    },

    /**
     * Applies a change decided from the appeal's current state under its row lock, with its events:
     * two changes of one appeal never decide from the same state.
     */
    change: (id: number, actorId: number | null, now: Date, decide: (current: CurrentAppeal) => AppealChange) =>
      db.tx('appeal-change', (t) => applyChange(t, id, actorId, now, decide)),

    /** The answers an executor may start from for the appeal's category, the category's own first. */
    templates: (appealId: number) =>
      db.any<{ id: number; title: string; body: string }>(`
        SELECT t.id, t.title, t.body FROM answer_template t JOIN appeal a ON a.id = $1
         WHERE t.category_id = a.category_id OR t.category_id IS NULL
         ORDER BY t.category_id IS NULL, t.sort, t.id`, [appealId]),

    /** The contact centre's queue: appeals their executor returned as "not our competence", oldest first. */
    returned: (now: Date, limit: number) =>
      db.any<AppealRow & { returnedAt: string; returnReason: string | null }>(`
        SELECT ${row('$2')}, a.returned_at AS "returnedAt", a.return_reason AS "returnReason"
          ${FROM} WHERE a.returned_at IS NOT NULL ORDER BY a.returned_at, a.id LIMIT $1`, [limit, now]),
  };
}
export type AppealsRepo = ReturnType<typeof appealsRepo>;
