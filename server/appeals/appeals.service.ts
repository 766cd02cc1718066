// Appeal registration and the appeal's life afterwards. Input arrives typed (appeals.input.ts);
// registration looks up who and where from the domains that own them (in parallel), lets the
// catalogue choose the executor and due date, checks the overrides, and writes the appeal and its
// opening history in one statement.
import { canonicalInterface } from '../../vocabulary/telephony.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../http/errors.ts';
import { canSeeFreeText, canSeePersonalData, type User } from '../../vocabulary/roles.ts';
import { REASON, type Channel } from '../../vocabulary/appeals.ts';
import type { Actor } from '../../vocabulary/appeal-lifecycle.ts';
import { confirmationChange, moveChange, reassignChange, type MoveInput } from './lifecycle.ts';
import { deadlineOf } from '../catalogue/deadlines.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { Clock } from '../clock.ts';
import type { CityRepo } from '../city/city.repo.ts';
import type { ObjectsRepo } from '../objects/objects.repo.ts';
import type { ResidentsRepo } from '../residents/residents.repo.ts';
import type { TelephonyRepo } from '../telephony/telephony.repo.ts';
import type { AppealRow, AppealsRepo, AppealStatus, EventKind, NewAppeal, NewEvent } from './appeals.repo.ts';
import type { BulkInput, ConfirmationInput, ListInput, PublicRegisterInput, RegisterInput, ReassignInput } from './appeals.input.ts';
import { APPEAL_STATUSES } from '../../vocabulary/appeals.ts';

/** An appeal's free text: the resident's words, the executor's answer, the reasons of overrides and of a return. */
const FREE_TEXT = ['text', 'answer', 'executorOverrideReason', 'dueOverrideReason', 'returnReason'] as const;
type FreeText = (typeof FREE_TEXT)[number];
/**
 * The free text in an event's data, by the event's kind — every kind named, so a new one is
 * classified where it is added (a survey's `reason` and a notice's state are codes, kept).
 */
const EVENT_FREE_TEXT: Readonly<Record<EventKind, readonly string[]>> = {
  answer: ['text'], comment: ['text'], override: ['reason'], assigned: ['reason'], status: ['reason'],
  created: [], notify: [], survey: [], recording: [],
};

/** A row as a role may see it: hidden fields are null, and `textHidden` says the free text was withheld. */
export type Redacted<T> = { [K in keyof T]: K extends FreeText ? T[K] | null : T[K] } & { textHidden?: true };

/**
 * THE place that strips what a role may not see of an appeal: names, phones and apartments are for
 * operators and admins; the free text is withheld from an analyst without an admin's grant
 * (vocabulary/roles.ts canSeeFreeText). Every appeal the API or a CSV gives out passes here.
 */
export function redact<T extends Partial<AppealRow>>(row: T, user: User | null | undefined): Redacted<T> {
  const out: Record<string, unknown> = { ...row };
  if (!canSeePersonalData(user)) {
    Object.assign(out, { residentName: null, callerPhone: null, apartment: null, residentId: null });
    // A resident who filed for themselves left a name and an e-mail: the same kind of data.
    if ('contactName' in row) Object.assign(out, { contactName: null, contactEmail: null });
  }
  if (!canSeeFreeText(user)) {
    for (const f of FREE_TEXT) if (f in out) out[f] = null;
    out.textHidden = true;
  }
  return out as Redacted<T>;
}

/** An event of an appeal's history as a role may see it: the caller's phone only for personal-data roles, words as in `redact`. */
export function redactEvent<E extends { kind: EventKind; data: Record<string, unknown> }>(e: E, user: User | null | undefined): E & { textHidden?: true } {
  const data: Record<string, unknown> = canSeePersonalData(user) ? e.data : { ...e.data, phone: undefined };
  const words = (EVENT_FREE_TEXT[e.kind] ?? []).filter((k) => data[k] != null);
  if (!words.length || canSeeFreeText(user)) return { ...e, data };
  return { ...e, data: { ...data, ...Object.fromEntries(words.map((k) => [k, null])) }, textHidden: true };
}

/** Whom a user acts as in the lifecycle: an admin both as the executor and as the contact centre. */
export function actorsOf(user: User): Actor[] {
  if (user.role === 'executor') return ['executor'];
  if (user.role === 'admin') return ['executor', 'centre'];
  return ['centre'];
}

export interface AppealsDeps {
  appeals: AppealsRepo;
  residents: Pick<ResidentsRepo, 'placeOf'>;
  city: Pick<CityRepo, 'buildingFacts' | 'districtAt'>;
  objects: Pick<ObjectsRepo, 'point'>;
  calls: Pick<TelephonyRepo, 'callSummary' | 'noteResident' | 'recordingsForListeners'>;
  catalogue: CatalogueService;
  clock: Clock;
  numberPrefix: string;
  /** How long after it ended a call may still be attached to a new appeal (default 2). */
  callAttachHours?: number;
  /** Resolves once this instance's call log has written what it knows of a call (its answer: who took it). */
  callWritten?: (callId: number) => Promise<void>;
}

/** An override of the catalogue needs a reason of at least REASON.min characters. */
function reasonFor(reason: string | undefined, field: string): string {
  if (!reason || reason.length < REASON.min) {
    throw badRequest(`Overriding the catalogue needs a reason ("${field}", at least ${REASON.min} characters)`, {
      code: 'needs_reason', field, params: { min: REASON.min },
    });
  }
  return reason;
}

/** What registration works from: the desk's input, or a resident's own on the `open311` channel too. */
type Registration = Omit<RegisterInput, 'channel'> & { channel: Channel };

export interface Registered { id: number; number: string; executorId: number; dueAt: string; replayed?: boolean }

export function appealsService(d: AppealsDeps) {
  const { appeals: repo, catalogue, clock } = d;

  async function visible(appealId: number, user: User) {
    const a = await repo.get(appealId, clock.now());
    if (!a) throw notFound(`Appeal ${appealId} does not exist`);
    if (user.role === 'executor' && a.executor.id !== user.executorId) throw forbidden('This appeal belongs to another organisation');
    return a;
  }

  /** `operator` null: a resident's own registration through `channel`. */
  async function replay(requestId: string, operator: User | null, channel: string) {
    const a = await repo.byRequestId(requestId);
    if (!a) return null;
    if (a.operatorId !== (operator?.id ?? null) || a.channel !== channel) {
      throw conflict('This request id was used for another registration', { field: 'requestId' });
    }
    return { id: a.id, number: a.number, executorId: a.executorId, dueAt: a.dueAt.toISOString(), replayed: true };
  }

  /**
   * The appeal gets the call's caller and, for whoever may read the appeal, its recordings: so only
   * the operator who took the call may attach it, while it is recent. (That it has no appeal yet is
   * checked again inside the registration's transaction.)
   */
  function checkCall(call: { operatorId: number | null; agentInterface: string | null; hungupAt: Date | null }, operator: User, appeals: number) {
    // Still ringing at the operator's own phone (the card pops on ringing): theirs too.
    const ringingHere = call.operatorId === null && !call.hungupAt && !!operator.sipInterface
      && canonicalInterface(call.agentInterface) === canonicalInterface(operator.sipInterface);
    if (call.operatorId !== operator.id && !ringingHere) throw forbidden('This call was answered by another operator', { code: 'call_taken', field: 'callId' });
    const hours = d.callAttachHours ?? 2;
    if (call.hungupAt && clock.now().getTime() - call.hungupAt.getTime() > hours * 3600_000) {
      throw conflict(`The call ended more than ${hours} h ago`, { code: 'call_too_old', field: 'callId', params: { hours } });
    }
    if (appeals > 0) throw conflict('An appeal was already registered during this call', { code: 'call_has_appeal', field: 'callId' });
  }

  /** Who and where: the call's caller, the resident's home, the building's facts, the object's place. */
  async function place(input: Registration, operator: User | null) {
    // A registration can follow the answer faster than its row is written: who took the call decides.
    if (input.callId) await d.callWritten?.(input.callId);
    const [call, givenResident, givenBuilding, objectPoint] = await Promise.all([
      input.callId ? d.calls.callSummary(input.callId) : null,
      input.residentId ? d.residents.placeOf(input.residentId) : null,
      input.buildingId ? d.city.buildingFacts(input.buildingId) : null,
      input.infraObjectId && !input.point ? d.objects.point(input.infraObjectId) : null,
    ]);
    if (input.callId && !call) throw badRequest(`Call ${input.callId} does not exist`, { code: 'not_found', field: 'callId' });
    if (input.callId && call) {
      if (!operator) throw forbidden('Only the operator who took a call may attach it', { code: 'call_taken', field: 'callId' });
      checkCall(call, operator, (await repo.ofCall(input.callId)).length);
    }
    if (input.residentId && !givenResident) throw badRequest(`Resident ${input.residentId} does not exist`, { code: 'not_found', field: 'residentId' });
    if (input.buildingId && !givenBuilding) throw badRequest(`Building ${input.buildingId} does not exist`, { code: 'not_found', field: 'buildingId' });
    // A known caller of the call stands for the resident when the operator named none.
    const residentId = input.residentId ?? call?.residentId ?? null;
    const resident = givenResident ?? (residentId ? await d.residents.placeOf(residentId) : null);
    const buildingId = input.buildingId ?? resident?.buildingId ?? null;
    const building = givenBuilding ?? (buildingId ? await d.city.buildingFacts(buildingId) : null);
    // The object's location is the appeal's location unless the operator put a point of their own.
    // A missing object is not checked here: the foreign key refuses it in the insert.
    const where = input.point ?? objectPoint ?? null;
    if (!buildingId && !input.infraObjectId && !where) {
      throw badRequest('Say where: a resident, a building, an infrastructure object or a point on the map', { code: 'needs_place' });
    }
    const districtId = building?.districtId ?? (where ? await d.city.districtAt(where) : null);
    return {
      residentId, buildingId, where,
      apartment: input.apartment ?? (input.buildingId ? null : resident?.apartment ?? null),
      phone: input.phone ?? call?.callerPhone ?? resident?.phone ?? null,
      facts: { housingOfficeId: building?.housingOfficeId ?? null, districtId },
    };
  }

  async function registerNew(input: Registration, operator: User | null, requestId: string | null, contact: NewAppeal['contact'] = null) {
    const now = clock.now();
    const category = await catalogue.activeCategory(input.categoryId);
    const p = await place(input, operator);
    const resolution = await catalogue.resolveExecutor(category, { buildingId: p.buildingId, infraObjectId: input.infraObjectId, point: p.where }, p.facts);
    const catalogueDue = await catalogue.dueAt(category, now);

    const events: NewEvent[] = [];
    let executorId = resolution.executor?.id ?? null;
    let executorOverrideReason: string | null = null;
    if (input.executorId !== undefined && input.executorId !== executorId) {
      executorOverrideReason = reasonFor(input.executorOverrideReason, 'executorOverrideReason');
      await catalogue.executor(input.executorId).catch(() => {
        throw badRequest(`Executor ${input.executorId} does not exist`, { code: 'not_found', field: 'executorId' });
      });
      events.push({ kind: 'override', data: { field: 'executor', from: executorId, to: input.executorId, reason: executorOverrideReason } });
      executorId = input.executorId;
    }
    if (executorId === null) {
      throw badRequest(`The catalogue names no executor for "${category.name}" here: choose one and give a reason`, { code: 'no_executor', field: 'executorId' });
    }

    let due = catalogueDue;
    let dueOverrideReason: string | null = null;
    // The desk shows minutes; a resubmitted catalogue date is not an override.
    if (input.dueAt && Math.abs(input.dueAt.getTime() - catalogueDue.getTime()) >= 60_000) {
      if (input.dueAt.getTime() <= now.getTime()) throw badRequest('"dueAt" must be in the future', { code: 'due_in_past', field: 'dueAt' });
      dueOverrideReason = reasonFor(input.dueOverrideReason, 'dueOverrideReason');
      events.push({ kind: 'override', data: { field: 'due_at', from: catalogueDue.toISOString(), to: input.dueAt.toISOString(), reason: dueOverrideReason } });
      due = input.dueAt;
    }

    const opening: NewEvent[] = [
      { kind: 'created', data: { channel: input.channel, callId: input.callId ?? null, categoryId: category.id } },
      { kind: 'assigned', data: { executorId, rule: resolution.rule, source: executorOverrideReason ? 'override' : resolution.source, dueAt: due.toISOString() } },
      ...events,
      // The executor's notice, pending until a sender delivers it.
      { kind: 'notify', data: { executorId, channel: 'email', state: 'pending' } },
    ];
    const row = await repo.register({
      channel: input.channel, callerPhone: p.phone, residentId: p.residentId, buildingId: p.buildingId, apartment: p.apartment,
      infraObjectId: input.infraObjectId ?? null, point: p.where, categoryId: category.id, executorId, text: input.text, dueAt: due,
      executorOverrideReason, dueOverrideReason, operatorId: operator?.id ?? null, callId: input.callId ?? null, requestId, contact,
    }, opening, d.numberPrefix, now);
    // The call log learns who an unknown caller was; the appeal does not depend on it.
    if (input.callId && p.residentId) await d.calls.noteResident(input.callId, p.residentId);
    return { id: row.id, number: row.number, executorId, dueAt: due.toISOString() };
  }

  /** Registers once per `requestId`: a retry whose answer was lost gets the appeal the first attempt
   * made (`replayed`), even when both attempts race. */
  async function once(requestId: string | null, operator: User | null, channel: string, register: () => Promise<Registered>) {
    if (requestId) {
      const earlier = await replay(requestId, operator, channel);
      if (earlier) return earlier;
    }
    try {
      return await register();
    } catch (e) {
      const earlier = requestId && (e as { constraint?: string }).constraint === 'appeal_request_idx' ? await replay(requestId, operator, channel) : null;
      if (earlier) return earlier;
      throw e;
    }
  }

  const service = {
    register: (input: RegisterInput, operator: User, requestId: string | null = null) =>
      once(requestId, operator, input.channel, () => registerNew(input, operator, requestId)),

    /**
     * A resident's own appeal (web form, Open311): routed, deadlined and later surveyed like a phone
     * appeal, with no operator; `requestId` makes a retried submission find the first one.
     */
    registerPublic: (input: PublicRegisterInput, requestId: string | null = null) => {
      const { contact, ...rest } = input;
      return once(requestId, null, input.channel, () => registerNew({ ...rest, point: rest.point }, null, requestId, contact.name || contact.email ? contact : null));
    },

    async get(appealId: number, user: User) {
      const a = await visible(appealId, user);
      const [events, recordings] = await Promise.all([repo.events(appealId), a.callId ? d.calls.recordingsForListeners(a.callId) : []]);
      const personal = canSeePersonalData(user);
      return {
        ...redact(a, user),
        operatorName: personal || user.role === 'analyst' ? a.operatorName : null,
        events: events.map((e) => redactEvent(e, user)),
        recordings: recordings.map((r) => ({ ...r, url: `/api/recordings/${r.id}` })),
      };
    },

    byResident: (residentId: number) => repo.byResident(residentId, clock.now()),

    /** The resident's appeals that are not over yet, for the caller card. */
    activeOfResident: (residentId: number, limit: number) => repo.activeOfResident(residentId, limit),

    async byBuilding(buildingId: number, q: { days: number; excludeResident?: number }, user: User) {
      const rows = await repo.byBuilding(buildingId, q.days, clock.now(), {
        excludeResidentId: q.excludeResident ?? null, executorId: user.role === 'executor' ? user.executorId : null,
      });
      return rows.map((r) => redact(r, user));
    },

    async list(user: User, q: ListInput) {
      // An executor sees their organisation's appeals whatever they ask for.
      const executorId = user.role === 'executor' ? user.executorId : (q.executorId ?? null);
      const page = await repo.list({
        executorId, statuses: q.status ?? [...APPEAL_STATUSES], overdue: q.overdue, q: q.q ?? null, limit: q.limit, offset: q.offset, now: clock.now(),
        dueSoon: q.dueSoon, categoryId: q.categoryId ?? null, districtId: q.districtId ?? null, withoutReturned: user.role === 'executor',
      });
      return { total: page.total, more: page.more, limit: q.limit, offset: q.offset, counts: page.counts, appeals: page.rows.map((r) => redact(r, user)) };
    },

    /** The executor's work on an appeal: status moves (vocabulary/appeal-lifecycle.ts), the answer to the resident, a comment. */
    async update(appealId: number, user: User, body: MoveInput) {
      if (body.status === undefined && body.answer === undefined && body.comment === undefined) {
        throw badRequest('Nothing to change: send "status", "answer" and/or "comment"', { code: 'nothing_to_change' });
      }
      await visible(appealId, user);
      const done = await repo.change(appealId, user.id, clock.now(), (cur) => moveChange(cur, body, actorsOf(user), clock.now()));
      if (!done) throw notFound(`Appeal ${appealId} does not exist`);
      return service.get(appealId, user);
    },

    /**
     * The same move for several of the executor's appeals (take into work, plan), each under its own
     * lock: the ones that cannot move are reported with their refusal, the others move.
     */
    async bulk(user: User, body: BulkInput) {
      const results: { id: number; ok: boolean; error?: string; params?: Record<string, string | number> }[] = [];
      for (const id of body.ids) {
        try {
          await service.update(id, user, { status: body.status, plannedAt: body.plannedAt, planReason: body.planReason });
          results.push({ id, ok: true });
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          results.push({ id, ok: false, error: e.code, params: e.params });
        }
      }
      return { moved: results.filter((r) => r.ok).length, results };
    },

    /** The contact centre gives the appeal to another executor, with a reason. */
    async reassign(appealId: number, user: User, body: ReassignInput) {
      await catalogue.executor(body.executorId).catch(() => {
        throw badRequest(`Executor ${body.executorId} does not exist`, { code: 'not_found', field: 'executorId' });
      });
      const done = await repo.change(appealId, user.id, clock.now(), (cur) => reassignChange(cur, body, clock.now()));
      if (!done) throw notFound(`Appeal ${appealId} does not exist`);
      return service.get(appealId, user);
    },

    /**
     * The resident's word on a `done` appeal: from the survey call (`actorId` null), taken by hand by
     * the contact centre, or given by the resident on the tracking link of a web appeal. Not confirmed returns it to the executor as Control.
     */
    async confirmation(appealId: number, body: ConfirmationInput, by: { user: User } | { survey: true } | { resident: true; comment?: string }) {
      const actorId = 'user' in by ? by.user.id : null;
      const actor = 'user' in by ? 'centre' : 'resident' in by ? 'resident' : 'survey';
      const calendar = await catalogue.calendar();
      const now = clock.now();
      const done = await repo.change(appealId, actorId, now, (cur) => {
        const change = confirmationChange(cur, body, actor, now, (c) => deadlineOf(c, now, calendar));
        // The resident's own words on their tracking link (why it is not done) go with the move.
        if ('resident' in by && by.comment) change.events.push({ kind: 'comment', data: { text: by.comment, by: 'resident' } });
        return change;
      });
      if (!done) throw notFound(`Appeal ${appealId} does not exist`);
      return { id: appealId, status: done.after.set.status as AppealStatus };
    },

    /** Answer templates for the appeal's category (and the generic ones). */
    async templates(appealId: number, user: User) {
      await visible(appealId, user);
      return repo.templates(appealId);
    },

    /** Appeals returned by their executors, waiting for the contact centre to re-assign them. */
    async returned(user: User, limit = 200) {
      return (await repo.returned(clock.now(), limit)).map((r) => redact(r, user));
    },
  };
  return service;
}
export type AppealsService = ReturnType<typeof appealsService>;
