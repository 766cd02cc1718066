// Appeal registration and the appeal's life afterwards. Registration validates everything it can
// before writing, then writes the appeal and its opening history in one transaction.
import { badRequest, conflict, forbidden, notFound } from '../http/errors.ts';
import { canSeePersonalData, type User } from '../../shared/roles.ts';
import { normalizePhone } from '../../shared/phone.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { Clock } from '../clock.ts';
import type { AppealRow, AppealsRepo, AppealStatus, NewEvent } from './appeals.repo.ts';
import { APPEAL_STATUSES, APPEAL_TEXT, CHANNELS, EXECUTOR_MOVES, NEEDS_ANSWER, REASON } from '../../shared/appeals.ts';

const TEXT_MIN = APPEAL_TEXT.min;
const TEXT_MAX = APPEAL_TEXT.max;
const REASON_MIN = REASON.min;
const STATUSES = APPEAL_STATUSES as readonly AppealStatus[];

export interface RegisterInput {
  categoryId?: unknown; residentId?: unknown; buildingId?: unknown; apartment?: unknown; infraObjectId?: unknown;
  point?: unknown; lon?: unknown; lat?: unknown; text?: unknown; phone?: unknown; callId?: unknown; channel?: unknown;
  executorId?: unknown; executorOverrideReason?: unknown; dueAt?: unknown; dueOverrideReason?: unknown;
}

function id(v: unknown, name: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw badRequest(`"${name}" must be a positive integer id`);
  return n;
}
function str(v: unknown, name: string, max: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest(`"${name}" must be a string`);
  const s = v.trim();
  if (s.length > max) throw badRequest(`"${name}" is longer than ${max} characters`);
  return s === '' ? null : s;
}
function coord(v: unknown, name: string, limit: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || Math.abs(n) > limit) throw badRequest(`"${name}" must be a number within ±${limit}`);
  return n;
}
function point(input: RegisterInput): { lon: number; lat: number } | null {
  if (input.point !== undefined && input.point !== null) {
    const p = input.point as Record<string, unknown>;
    if (Array.isArray(p) && p.length === 2) return { lon: coord(p[0], 'point[0] (lon)', 180), lat: coord(p[1], 'point[1] (lat)', 90) };
    if (typeof p !== 'object' || Array.isArray(p)) throw badRequest('"point" must be {"lon", "lat"}');
    return { lon: coord(p.lon, 'point.lon', 180), lat: coord(p.lat, 'point.lat', 90) };
  }
  if (input.lon !== undefined || input.lat !== undefined) return { lon: coord(input.lon, 'lon', 180), lat: coord(input.lat, 'lat', 90) };
  return null;
}

/** Strips what a role may not see: names, phones and apartments are for operators and admins. */
export function redact<T extends Partial<AppealRow>>(row: T, user: User | null | undefined): T {
  if (canSeePersonalData(user)) return row;
  return { ...row, residentName: null, callerPhone: null, apartment: null, residentId: null };
}

export function appealsService(repo: AppealsRepo, catalogue: CatalogueService, opts: { numberPrefix: string; clock: Clock }) {
  const { clock } = opts;
  async function visible(appealId: number, user: User) {
    const a = await repo.get(appealId, clock.now());
    if (!a) throw notFound(`Appeal ${appealId} does not exist`);
    if (user.role === 'executor' && a.executor.id !== user.executorId) throw forbidden('This appeal belongs to another organisation');
    return a;
  }

  async function replay(requestId: string, operator: User) {
    const a = await repo.byRequestId(requestId);
    if (!a) return null;
    if (a.operatorId !== operator.id) throw conflict('This request id was used for another registration', { field: 'requestId' });
    return { id: a.id, number: a.number, executorId: a.executorId, dueAt: a.dueAt.toISOString(), replayed: true };
  }

  async function registerNew(input: RegisterInput, operator: User, requestId: string | null) {
    const now = clock.now();
    const categoryId = id(input.categoryId, 'categoryId');
    if (!categoryId) throw badRequest('"categoryId" is required: choose a category');
    const category = await catalogue.activeCategory(categoryId);

    const text = str(input.text, 'text', TEXT_MAX) ?? '';
    if (text.length < TEXT_MIN) throw badRequest(`"text" must describe the problem in at least ${TEXT_MIN} characters`);

    const channel = input.channel === undefined ? 'phone' : input.channel;
    if (typeof channel !== 'string' || !(CHANNELS as readonly string[]).includes(channel)) {
      throw badRequest(`"channel" must be one of: ${CHANNELS.join(', ')}`);
    }

    let residentId = id(input.residentId, 'residentId');
    let buildingId = id(input.buildingId, 'buildingId');
    let apartment = str(input.apartment, 'apartment', 20);
    const infraObjectId = id(input.infraObjectId, 'infraObjectId');
    let where = point(input);
    const callId = id(input.callId, 'callId');

    let phone: string | null = null;
    const rawPhone = str(input.phone, 'phone', 40);
    if (rawPhone) {
      phone = normalizePhone(rawPhone);
      if (!phone) throw badRequest(`"phone" "${rawPhone}" is not a valid phone number`);
    }

    const ctx = await repo.context({ callId, residentId, buildingId, infraObjectId, point: where });
    if (callId) {
      if (!ctx.call) throw badRequest(`Call ${callId} does not exist`, { field: 'callId' });
      phone ??= ctx.call.callerPhone;
      residentId ??= ctx.call.residentId;
    }
    if (residentId) {
      if (!ctx.resident) throw badRequest(`Resident ${residentId} does not exist`, { field: 'residentId' });
      if (buildingId === null) { buildingId = ctx.resident.buildingId; apartment ??= ctx.resident.apartment; }
      phone ??= ctx.resident.phone;
    }
    if (buildingId && !ctx.building) throw badRequest(`Building ${buildingId} does not exist`, { field: 'buildingId' });
    if (!buildingId && !infraObjectId && !where) {
      throw badRequest('Say where: a resident, a building, an infrastructure object or a point on the map');
    }
    // The object's location is the appeal's location unless the operator put a point of their own.
    // A missing object is not checked here: the foreign key refuses it in the insert.
    if (infraObjectId && !where && ctx.infraObject) where = ctx.infraObject;

    const facts = ctx.building
      ? { housingOfficeId: ctx.building.housingOfficeId, districtId: ctx.building.districtId }
      : { housingOfficeId: null, districtId: ctx.pointDistrictId };
    const resolution = await catalogue.resolveExecutor(category, { buildingId, infraObjectId, point: where }, facts);
    const catalogueDue = catalogue.dueAt(category, now);

    const events: NewEvent[] = [];
    let executorId = resolution.executor?.id ?? null;
    const chosenExecutor = id(input.executorId, 'executorId');
    let executorOverrideReason: string | null = null;
    if (chosenExecutor !== null && chosenExecutor !== executorId) {
      executorOverrideReason = str(input.executorOverrideReason, 'executorOverrideReason', 500);
      if (!executorOverrideReason || executorOverrideReason.length < REASON_MIN) {
        throw badRequest(`Choosing another executor than the catalogue's needs a reason ("executorOverrideReason", at least ${REASON_MIN} characters)`);
      }
      await catalogue.executor(chosenExecutor).catch(() => { throw badRequest(`Executor ${chosenExecutor} does not exist`); });
      events.push({ kind: 'override', data: { field: 'executor', from: executorId, to: chosenExecutor, reason: executorOverrideReason } });
      executorId = chosenExecutor;
    }
    if (executorId === null) {
      throw badRequest(`The catalogue names no executor for "${category.name}" here: choose one and give a reason`);
    }

    let due = catalogueDue;
    let dueOverrideReason: string | null = null;
    if (input.dueAt !== undefined && input.dueAt !== null && input.dueAt !== '') {
      const asked = typeof input.dueAt === 'string' ? new Date(input.dueAt) : null;
      if (!asked || Number.isNaN(asked.getTime())) throw badRequest('"dueAt" must be an ISO date and time');
      // The desk shows minutes; a resubmitted catalogue date is not an override.
      if (Math.abs(asked.getTime() - catalogueDue.getTime()) >= 60_000) {
        if (asked.getTime() <= now.getTime()) throw badRequest('"dueAt" must be in the future');
        dueOverrideReason = str(input.dueOverrideReason, 'dueOverrideReason', 500);
        if (!dueOverrideReason || dueOverrideReason.length < REASON_MIN) {
          throw badRequest(`Changing the catalogue's due date needs a reason ("dueOverrideReason", at least ${REASON_MIN} characters)`);
        }
        events.push({ kind: 'override', data: { field: 'due_at', from: catalogueDue.toISOString(), to: asked.toISOString(), reason: dueOverrideReason } });
        due = asked;
      }
    }

    const opening: NewEvent[] = [
      { kind: 'created', data: { channel, callId, categoryId } },
      { kind: 'assigned', data: { executorId, rule: resolution.rule, source: executorOverrideReason ? 'override' : resolution.source, dueAt: due.toISOString() } },
      ...events,
      // The executor's notice: the notifications job sends it and records the delivery.
      { kind: 'notify', data: { executorId, channel: 'email', state: 'pending' } },
    ];
    const row = await repo.register({
      channel, callerPhone: phone, residentId, buildingId, apartment, infraObjectId, point: where, categoryId,
      executorId, text, dueAt: due, executorOverrideReason, dueOverrideReason, operatorId: operator.id, callId, requestId,
    }, opening, opts.numberPrefix, now);
    return { id: row.id, number: row.number, executorId, dueAt: due.toISOString() };
  }

  const service = {
    /**
     * Registers once per `requestId`: a retry of a registration whose answer was lost gets the appeal
     * the first attempt made (`replayed`), even when both attempts race.
     */
    async register(input: RegisterInput, operator: User, requestId: string | null = null) {
      if (requestId) {
        const earlier = await replay(requestId, operator);
        if (earlier) return earlier;
      }
      try {
        return await registerNew(input, operator, requestId);
      } catch (e) {
        const earlier = requestId && (e as { constraint?: string }).constraint === 'appeal_request_idx' ? await replay(requestId, operator) : null;
        if (earlier) return earlier;
        throw e;
      }
    },
    async get(appealId: number, user: User) {
      const a = await visible(appealId, user);
      const [events, recordings] = await Promise.all([repo.events(appealId), a.callId ? repo.recordings(a.callId) : []]);
      const personal = canSeePersonalData(user);
      return {
        ...redact(a, user),
        operatorName: personal || user.role === 'analyst' ? a.operatorName : null,
        events: events.map((e) => ({ ...e, data: personal ? e.data : { ...e.data, phone: undefined } })),
        recordings: recordings.map((r) => ({ ...r, url: `/api/recordings/${r.id}` })),
      };
    },

    byResident: (residentId: number) => repo.byResident(residentId, clock.now()),

    async byBuilding(buildingId: number, days: number, user: User, excludeResidentId: number | null) {
      if (!Number.isInteger(days) || days < 1 || days > 3660) throw badRequest('"days" must be between 1 and 3660');
      const rows = await repo.byBuilding(buildingId, days, clock.now(), {
        excludeResidentId, executorId: user.role === 'executor' ? user.executorId : null,
      });
      return rows.map((r) => redact(r, user));
    },

    async list(user: User, q: { status?: string; overdue?: string; q?: string; executorId?: string; limit?: string; offset?: string }) {
      let statuses: AppealStatus[] = [...STATUSES];
      if (q.status) {
        const parts = q.status.split(',').filter(Boolean);
        for (const s of parts) if (!STATUSES.includes(s as AppealStatus)) throw badRequest(`Unknown status "${s}"; use ${STATUSES.join(', ')}`);
        statuses = parts as AppealStatus[];
      }
      const executorId = user.role === 'executor' ? user.executorId : (q.executorId ? id(q.executorId, 'executorId') : null);
      const limit = q.limit ? Math.min(200, Math.max(1, Number(q.limit) || 50)) : 50;
      const offset = q.offset ? Math.max(0, Number(q.offset) || 0) : 0;
      const search = q.q?.trim() ? q.q.trim().slice(0, 100) : null;
      const page = await repo.list({ executorId, statuses, overdue: q.overdue === '1' || q.overdue === 'true', q: search, limit, offset, now: clock.now() });
      return { total: page.total, more: page.more, limit, offset, counts: page.counts, appeals: page.rows.map((r) => redact(r, user)) };
    },

    /** The executor's work on an appeal: status moves and the answer to the resident. */
    async update(appealId: number, user: User, body: { status?: unknown; answer?: unknown }) {
      const status = body.status === undefined || body.status === '' ? undefined : body.status;
      if (status !== undefined && (typeof status !== 'string' || !STATUSES.includes(status as AppealStatus))) {
        throw badRequest(`"status" must be one of: ${STATUSES.join(', ')}`);
      }
      const answer = str(body.answer, 'answer', TEXT_MAX) ?? undefined;
      if (status === undefined && answer === undefined) throw badRequest('Nothing to change: send "status" and/or "answer"');
      await visible(appealId, user);
      const done = await repo.update(appealId, user.id, clock.now(), (cur) => {
        const events: NewEvent[] = [];
        if (status !== undefined && status !== cur.status) {
          const allowed = EXECUTOR_MOVES[cur.status];
          if (!allowed.includes(status as AppealStatus)) {
            throw badRequest(`An appeal in status "${cur.status}" cannot move to "${status}"${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}`);
          }
          if (NEEDS_ANSWER.includes(status as AppealStatus) && !(answer ?? cur.answer)) {
            throw badRequest(`Marking the appeal "${status}" needs an answer to the resident`);
          }
          events.push({ kind: 'status', data: { from: cur.status, to: status } });
        }
        if (answer !== undefined && answer !== cur.answer) events.push({ kind: 'answer', data: { text: answer } });
        return { status: status as AppealStatus | undefined, answer, events };
      });
      if (!done) throw notFound(`Appeal ${appealId} does not exist`);
      return service.get(appealId, user);
    },
  };
  return service;
}
export type AppealsService = ReturnType<typeof appealsService>;
