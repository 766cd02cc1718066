// All SQL of telephony: the call log, recordings and the operator behind a phone interface.
import type { Db } from '../db/db.ts';

export interface CallRow {
  id: number;
  uniqueid: string;
  linkedid: string | null;
  channel: string | null;
  direction: 'in' | 'out';
  callerPhone: string | null;
  queue: string | null;
  operatorId: number | null;
  operatorLogin: string | null;
  agentInterface: string | null;
  residentId: number | null;
  enteredAt: Date;
  answeredAt: Date | null;
  hungupAt: Date | null;
  hangupCause: number | null;
  hangupCauseText: string | null;
  consultation: boolean;
  note: string | null;
  recordings: { id: number; bytes: number | null; startedAt: Date; endedAt: Date | null }[];
  appeals: { id: number; number: string }[];
}

export interface RecordingRow { id: number; callId: number; path: string; bytes: number | null; operatorId: number | null }

/** Columns a tracker may patch on a call (camelCase → column). */
const PATCHABLE = {
  linkedid: 'linkedid', channel: 'channel', callerPhone: 'caller_phone', calledNumber: 'called_number', queue: 'queue',
  operatorId: 'operator_id', agentInterface: 'agent_interface', residentId: 'resident_id', answeredAt: 'answered_at',
  hungupAt: 'hungup_at', hangupCause: 'hangup_cause', hangupCauseText: 'hangup_cause_text',
} as const;
export type CallPatch = Partial<Record<keyof typeof PATCHABLE, unknown>>;

const CALL = `
  SELECT c.id, c.uniqueid, c.linkedid, c.channel, c.direction, c.caller_phone AS "callerPhone", c.queue,
         c.operator_id AS "operatorId", u.login AS "operatorLogin", c.agent_interface AS "agentInterface",
         c.resident_id AS "residentId", c.entered_at AS "enteredAt", c.answered_at AS "answeredAt",
         c.hungup_at AS "hungupAt", c.hangup_cause AS "hangupCause", c.hangup_cause_text AS "hangupCauseText",
         c.consultation, c.note,
         coalesce((SELECT json_agg(json_build_object('id', r.id, 'bytes', r.bytes, 'startedAt', r.started_at, 'endedAt', r.ended_at) ORDER BY r.id)
                     FROM recording r WHERE r.call_id = c.id), '[]') AS recordings,
         coalesce((SELECT json_agg(json_build_object('id', a.id, 'number', a.number) ORDER BY a.id)
                     FROM appeal a WHERE a.call_id = c.id), '[]') AS appeals
    FROM call c LEFT JOIN app_user u ON u.id = c.operator_id`;

export function telephonyRepo(db: Db) {
  return {
    /** Call ids handed out before the row exists, so a screen pop never waits for an INSERT to commit. */
    reserveCallIds: (n: number) =>
      db.any<{ id: number }>({ name: 'call-reserve-ids', text: `SELECT nextval('call_id_seq') AS id FROM generate_series(1, $1::int)`, values: [n] })
        .then((rows) => rows.map((r) => r.id)),

    /** Idempotent on uniqueid: a call seen again after a reconnect keeps its row (and its id). */
    insertCall: (c: { id?: number; uniqueid: string; linkedid: string | null; channel: string | null; callerPhone: string | null; calledNumber: string | null; queue: string | null; enteredAt: Date } & CallPatch) =>
      db.one<{ id: number }>({ name: 'call-insert', text: `
        INSERT INTO call (id, uniqueid, linkedid, channel, caller_phone, called_number, queue, entered_at,
                          operator_id, agent_interface, resident_id, answered_at, hungup_at, hangup_cause, hangup_cause_text)
        VALUES (coalesce($8::bigint, nextval('call_id_seq')), $1, $2, $3, $4, $5, $6, $7, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (uniqueid) DO UPDATE SET
          linkedid = coalesce(call.linkedid, EXCLUDED.linkedid), channel = coalesce(call.channel, EXCLUDED.channel),
          caller_phone = coalesce(call.caller_phone, EXCLUDED.caller_phone), queue = coalesce(call.queue, EXCLUDED.queue)
        RETURNING id`,
        values: [c.uniqueid, c.linkedid, c.channel, c.callerPhone, c.calledNumber, c.queue, c.enteredAt, c.id ?? null,
          c.operatorId ?? null, c.agentInterface ?? null, c.residentId ?? null, c.answeredAt ?? null, c.hungupAt ?? null,
          c.hangupCause ?? null, c.hangupCauseText ?? null] }).then((r) => r.id),

    /** One UPDATE of the given columns, prepared once per column set (a handful of sets occur). */
    patchCall(id: number, patch: CallPatch) {
      const cols: string[] = [];
      const values: unknown[] = [id];
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) continue;
        cols.push(PATCHABLE[k as keyof typeof PATCHABLE]);
        values.push(v);
      }
      if (!cols.length) return Promise.resolve();
      const text = `UPDATE call SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`;
      // Statement names are cut at 63 bytes by PostgreSQL: name the set by column positions.
      const columns = Object.values(PATCHABLE) as string[];
      return db.none({ name: `call-patch-${cols.map((c) => columns.indexOf(c)).join('.')}`, text, values });
    },

    /** Calls the log still shows as in progress. */
    openCalls: () =>
      db.any<{ id: number; uniqueid: string; operatorId: number | null; answeredAt: Date | null }>(
        `SELECT id, uniqueid, operator_id AS "operatorId", answered_at AS "answeredAt" FROM call WHERE hungup_at IS NULL`),

    /** Calls that are not live any more although the log never heard them end. */
    closeMissing: (live: string[], at: Date, text: string) =>
      db.any<{ id: number; uniqueid: string; operatorId: number | null }>(`
        UPDATE call SET hungup_at = greatest($2::timestamptz, entered_at), hangup_cause_text = $3
         WHERE hungup_at IS NULL AND NOT (uniqueid = ANY($1::text[]))
        RETURNING id, uniqueid, operator_id AS "operatorId"`, [live, at, text]),

    operatorByInterface: (iface: string) =>
      db.oneOrNone<{ id: number }>({ name: 'operator-by-interface', values: [iface],
        text: `SELECT id FROM app_user WHERE sip_interface = $1 AND role IN ('operator', 'admin') AND NOT disabled` }),

    insertRecording: (callId: number, path: string, startedAt: Date) =>
      db.oneOrNone<{ id: number }>(`
        INSERT INTO recording (call_id, path, started_at) VALUES ($1, $2, $3)
        ON CONFLICT (call_id, path) DO NOTHING RETURNING id`, [callId, path, startedAt]),

    /** What an appeal registered during a call takes from it. */
    callSummary: (id: number) =>
      db.oneOrNone<{ callerPhone: string | null; residentId: number | null; operatorId: number | null }>({ name: 'call-summary', values: [id],
        text: `SELECT caller_phone AS "callerPhone", resident_id AS "residentId", operator_id AS "operatorId" FROM call WHERE id = $1` }),

    /** An unknown caller registered during the call: the call log learns who it was. */
    noteResident: (callId: number, residentId: number) =>
      db.none(`UPDATE call SET resident_id = $2 WHERE id = $1 AND resident_id IS NULL`, [callId, residentId]),

    /** The recordings of a call as a listener sees them. */
    recordingsForListeners: (callId: number) =>
      db.any<{ id: number; startedAt: string; endedAt: string | null; bytes: number | null }>(`
        SELECT id, started_at AS "startedAt", ended_at AS "endedAt", bytes FROM recording WHERE call_id = $1 ORDER BY started_at`, [callId]),

    recordingsOfCall: (callId: number) =>
      db.any<{ id: number; path: string }>(`SELECT id, path FROM recording WHERE call_id = $1`, [callId]),

    finishRecording: (id: number, bytes: number | null, at: Date) =>
      db.none(`UPDATE recording SET bytes = $2, ended_at = coalesce(ended_at, $3) WHERE id = $1`, [id, bytes, at]),

    recording: (id: number) =>
      db.oneOrNone<RecordingRow>(`
        SELECT r.id, r.call_id AS "callId", r.path, r.bytes, c.operator_id AS "operatorId"
          FROM recording r JOIN call c ON c.id = r.call_id WHERE r.id = $1`, [id]),

    /** Whether an appeal registered during the call is assigned to the organisation. */
    callHasAppealOf: (callId: number, executorId: number) =>
      db.oneOrNone(`SELECT 1 FROM appeal WHERE call_id = $1 AND executor_id = $2 LIMIT 1`, [callId, executorId]).then(Boolean),

    call: (id: number) => db.oneOrNone<CallRow>(`${CALL} WHERE c.id = $1`, [id]),

    list: (f: { operatorId?: number; from?: Date; to?: Date; limit: number; before?: number }) =>
      db.any<CallRow>(`${CALL}
        WHERE ($1::int IS NULL OR c.operator_id = $1) AND ($2::timestamptz IS NULL OR c.entered_at >= $2)
          AND ($3::timestamptz IS NULL OR c.entered_at < $3) AND ($5::bigint IS NULL OR c.id < $5)
        ORDER BY c.id DESC LIMIT $4`, [f.operatorId ?? null, f.from ?? null, f.to ?? null, f.limit, f.before ?? null]),

    /** Consultation: answered, and no appeal was registered during it. */
    markConsultation: (id: number, note: string | null) =>
      db.oneOrNone<{ id: number }>(`
        UPDATE call SET consultation = true, note = coalesce($2, note)
         WHERE id = $1 AND answered_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM appeal WHERE call_id = $1)
        RETURNING id`, [id, note]),

    /** A resident's number picked at random with an index probe (no scan of millions of rows). */
    randomResidentPhone: () =>
      db.oneOrNone<{ phone: string }>(`
        SELECT phone FROM resident_phone
         WHERE resident_id >= (SELECT min(resident_id) + floor(random() * (max(resident_id) - min(resident_id) + 1))::int FROM resident_phone)
         ORDER BY resident_id LIMIT 1`).then((r) => r?.phone ?? null),
  };
}
export type TelephonyRepo = ReturnType<typeof telephonyRepo>;
