// All SQL of telephony: the call log, recordings and the operators' phone interfaces.
import type { ITask } from 'pg-promise';
import type { Db } from '../db/db.ts';
import { listen, type Listener } from '../db/listen.ts';
import type { Board, CallOutcome } from '../../vocabulary/telephony.ts';

export const OPERATORS_CHANNEL = 'misto_operators';
export const POPS_CHANNEL = 'misto_screen_pop';
export const BOARD_CHANNEL = 'misto_board';

export interface CallRow {
  id: number;
  uniqueid: string;
  linkedid: string | null;
  channel: string | null;
  direction: 'in' | 'out';
  callerPhone: string | null;
  calledNumber: string | null;
  queue: string | null;
  operatorId: number | null;
  operatorLogin: string | null;
  agentInterface: string | null;
  residentId: number | null;
  enteredAt: Date;
  queuedAt: Date | null;
  answeredAt: Date | null;
  hungupAt: Date | null;
  hangupCause: number | null;
  hangupCauseText: string | null;
  queueStatus: string | null;
  outcome: CallOutcome | null;
  consultation: boolean;
  note: string | null;
  recordings: { id: number; bytes: number | null; startedAt: Date; endedAt: Date | null }[];
}

export interface RecordingRow { id: number; callId: number; path: string; bytes: number | null; operatorId: number | null }

/** Columns a tracker may patch on a call (camelCase → column). */
const PATCHABLE = {
  linkedid: 'linkedid', channel: 'channel', callerPhone: 'caller_phone', calledNumber: 'called_number', queue: 'queue',
  operatorId: 'operator_id', agentInterface: 'agent_interface', residentId: 'resident_id', answeredAt: 'answered_at',
  hungupAt: 'hungup_at', hangupCause: 'hangup_cause', hangupCauseText: 'hangup_cause_text',
  queuedAt: 'queued_at', queueStatus: 'queue_status', outcome: 'outcome',
} as const;
export type CallPatch = Partial<Record<keyof typeof PATCHABLE, unknown>>;
export type NewCall = { id?: number; uniqueid: string; linkedid: string | null; channel: string | null; callerPhone: string | null; calledNumber: string | null; queue: string | null; enteredAt: Date } & CallPatch;

const CALL = `
  SELECT c.id, c.uniqueid, c.linkedid, c.channel, c.direction, c.caller_phone AS "callerPhone", c.called_number AS "calledNumber",
         c.queue, c.operator_id AS "operatorId", u.login AS "operatorLogin", c.agent_interface AS "agentInterface",
         c.resident_id AS "residentId", c.entered_at AS "enteredAt", c.queued_at AS "queuedAt", c.answered_at AS "answeredAt",
         c.hungup_at AS "hungupAt", c.hangup_cause AS "hangupCause", c.hangup_cause_text AS "hangupCauseText",
         c.queue_status AS "queueStatus", c.outcome, c.consultation, c.note,
         coalesce((SELECT json_agg(json_build_object('id', r.id, 'bytes', r.bytes, 'startedAt', r.started_at, 'endedAt', r.ended_at) ORDER BY r.id)
                     FROM recording r WHERE r.call_id = c.id), '[]') AS recordings
    FROM call c LEFT JOIN app_user u ON u.id = c.operator_id`;

export function telephonyRepo(db: Db) {
  return {
    /** Runs `fn` in one transaction (`t` joins the methods that take it, and other domains' repos). */
    transaction: <T>(name: string, fn: (t: ITask<unknown>) => Promise<T>) => db.tx(name, fn),

    /** Idempotent on uniqueid (the call's Linkedid): a call seen again after a reconnect keeps its row and id. */
    insertCall: (c: NewCall) =>
      db.one<{ id: number }>({ name: 'call-insert', text: `
        INSERT INTO call (id, uniqueid, linkedid, channel, caller_phone, called_number, queue, entered_at,
                          operator_id, agent_interface, resident_id, answered_at, hungup_at, hangup_cause, hangup_cause_text,
                          queued_at, queue_status, outcome)
        VALUES (coalesce($8::bigint, nextval('call_id_seq')), $1, $2, $3, $4, $5, $6, $7, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        ON CONFLICT (uniqueid) DO UPDATE SET
          linkedid = coalesce(call.linkedid, EXCLUDED.linkedid), channel = coalesce(call.channel, EXCLUDED.channel),
          caller_phone = coalesce(call.caller_phone, EXCLUDED.caller_phone), queue = coalesce(call.queue, EXCLUDED.queue),
          entered_at = least(call.entered_at, EXCLUDED.entered_at)
        RETURNING id`,
        values: [c.uniqueid, c.linkedid, c.channel, c.callerPhone, c.calledNumber, c.queue, c.enteredAt, c.id ?? null,
          c.operatorId ?? null, c.agentInterface ?? null, c.residentId ?? null, c.answeredAt ?? null, c.hungupAt ?? null,
          c.hangupCause ?? null, c.hangupCauseText ?? null, c.queuedAt ?? null, c.queueStatus ?? null, c.outcome ?? null] }).then((r) => r.id),

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

    /**
     * Calls the log still shows in progress although no tracker follows them (a process that died,
     * calls that ended while nobody listened): ended at `at`, unanswered ones as lost.
     */
    closeMissing: (tracked: string[], at: Date, text: string) =>
      db.any<{ id: number; uniqueid: string }>(`
        UPDATE call SET hungup_at = greatest($2::timestamptz, entered_at, answered_at), hangup_cause_text = $3,
                        outcome = CASE WHEN answered_at IS NOT NULL THEN 'answered' ELSE 'lost' END
         WHERE hungup_at IS NULL AND NOT (uniqueid = ANY($1::text[]))
        RETURNING id, uniqueid`, [tracked, at, text]),

    /** Every user a queue may ring, with the interface as the administrator typed it. */
    operatorInterfaces: () =>
      db.any<{ id: number; fullName: string; sipInterface: string }>(`
        SELECT id, full_name AS "fullName", sip_interface AS "sipInterface" FROM app_user
         WHERE sip_interface IS NOT NULL AND role IN ('operator', 'admin') AND NOT disabled ORDER BY id`),

    /** Calls `onChange` after LISTEN is in place and whenever the users change. */
    watchOperators: (onChange: () => void, log?: (m: string) => void): Listener =>
      listen(db, [OPERATORS_CHANNEL], () => onChange(), { log, onListening: onChange }),

    insertRecording: (callId: number, path: string, startedAt: Date) =>
      db.oneOrNone<{ id: number }>(`
        INSERT INTO recording (call_id, path, started_at) VALUES ($1, $2, $3)
        ON CONFLICT (call_id, path) DO NOTHING RETURNING id`, [callId, path, startedAt]),

    /** What an appeal registered during a call takes from it. */
    callSummary: (id: number) =>
      db.oneOrNone<{ callerPhone: string | null; residentId: number | null; operatorId: number | null; agentInterface: string | null; hungupAt: Date | null }>({ name: 'call-summary', values: [id],
        text: `SELECT caller_phone AS "callerPhone", resident_id AS "residentId", operator_id AS "operatorId", agent_interface AS "agentInterface",
                      hungup_at AS "hungupAt" FROM call WHERE id = $1` }),

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

    call: (id: number) => db.oneOrNone<CallRow>(`${CALL} WHERE c.id = $1`, [id]),

    /** The call row locked for a change that depends on what else is registered against it. */
    lockCall: (t: ITask<unknown>, id: number) =>
      t.oneOrNone<{ answeredAt: Date | null; consultation: boolean }>(
        `SELECT answered_at AS "answeredAt", consultation FROM call WHERE id = $1 FOR UPDATE`, [id]),

    list: (f: { operatorId?: number; from?: Date; to?: Date; limit: number; before?: number }) =>
      db.any<CallRow>(`${CALL}
        WHERE ($1::int IS NULL OR c.operator_id = $1) AND ($2::timestamptz IS NULL OR c.entered_at >= $2)
          AND ($3::timestamptz IS NULL OR c.entered_at < $3) AND ($5::bigint IS NULL OR c.id < $5)
        ORDER BY c.id DESC LIMIT $4`, [f.operatorId ?? null, f.from ?? null, f.to ?? null, f.limit, f.before ?? null]),

    /** Consultation: answered and settled without an appeal (the caller checked there is none). */
    markConsultation: (t: ITask<unknown>, id: number, note: string | null) =>
      t.none(`UPDATE call SET consultation = true, note = coalesce($2, note) WHERE id = $1`, [id, note]),

    /** The wallboard for the instances not connected to the PBX (one row, rewritten; NOTIFY in the same statement). */
    writeBoard: (board: Board, at: Date) =>
      db.result({ name: 'board-write', values: [board, at, BOARD_CHANNEL], text: `
        WITH w AS (INSERT INTO live_board (id, board, written_at) VALUES (1, $1, $2)
                   ON CONFLICT (id) DO UPDATE SET board = EXCLUDED.board, written_at = EXCLUDED.written_at RETURNING 1)
        SELECT pg_notify($3, '') FROM w` }),
    readBoard: () => db.oneOrNone<{ board: Board; writtenAt: Date }>(`SELECT board, written_at AS "writtenAt" FROM live_board WHERE id = 1`),
    watchBoard: (onChange: () => void, log?: (m: string) => void): Listener =>
      listen(db, [BOARD_CHANNEL], () => onChange(), { log, onListening: onChange }),

    /** A resident's number picked at random with an index probe (no scan of millions of rows). */
    randomResidentPhone: () =>
      db.oneOrNone<{ phone: string }>(`
        SELECT phone FROM resident_phone
         WHERE resident_id >= (SELECT min(resident_id) + floor(random() * (max(resident_id) - min(resident_id) + 1))::int FROM resident_phone)
         ORDER BY resident_id LIMIT 1`).then((r) => r?.phone ?? null),
  };
}
export type TelephonyRepo = ReturnType<typeof telephonyRepo>;

/**
 * The queries a screen pop waits for, on a pool of their own: call ids reserved ahead from the
 * sequence. A pop must never queue behind call-log writes waiting for the disk.
 */
export function popPathRepo(db: Db) {
  return {
    reserveCallIds: (n: number) =>
      db.any<{ id: number }>({ name: 'call-reserve-ids', text: `SELECT nextval('call_id_seq') AS id FROM generate_series(1, $1::int)`, values: [n] })
        .then((rows) => rows.map((r) => r.id)),
    /** Pops and presence between instances (payloads under NOTIFY's 8000 bytes). */
    notifyPops: (payload: string) => db.result('SELECT pg_notify($1, $2)', [POPS_CHANNEL, payload]).then(() => undefined),
    watchPops: (onMessage: (payload: string) => void, opts: { log?: (m: string) => void; onReconnect?: () => void }): Listener =>
      listen(db, [POPS_CHANNEL], (_channel, payload) => onMessage(payload), opts),
  };
}
export type PopPathRepo = ReturnType<typeof popPathRepo>;
