// Applies the lifecycle table (vocabulary/appeal-lifecycle.ts) to an appeal under its row lock: the
// executor's moves, the contact centre's re-assignment, the resident's confirmation. Each change
// becomes columns to set and history events; a refused move becomes the error with its stable code.
import { badRequest, conflict } from '../http/errors.ts';
import { decide, type Actor, type MoveRequest, type PlanReason, type Refusal, type RejectReason } from '../../vocabulary/appeal-lifecycle.ts';
import { isTerminal, REASON, type AppealStatus } from '../../vocabulary/appeals.ts';
import type { DeadlineBasis } from '../catalogue/deadlines.ts';
import type { AppealChange, CurrentAppeal, NewEvent } from './appeals.repo.ts';

export interface MoveInput {
  status?: AppealStatus;
  answer?: string;
  plannedAt?: Date;
  planReason?: PlanReason;
  rejectReason?: RejectReason;
  comment?: string;
}

/** A refusal of the table as the API's error: 409 for a move the state does not allow, 400 for what is missing. */
export function refusalError(r: Refusal) {
  if (r.code === 'illegal_move') {
    return conflict(`An appeal in status "${r.from}" cannot move to "${r.to}"`, {
      code: 'illegal_move', field: 'status', params: { from: r.from, to: r.to }, details: { allowed: r.allowed },
    });
  }
  const say: Record<typeof r.code, string> = {
    needs_answer: 'This status needs an answer to the resident',
    needs_planned_at: 'Planning the works needs the planned date ("plannedAt")',
    needs_plan_reason: 'Planning the works needs a reason ("planReason")',
    needs_reject_reason: 'A rejection needs its reason ("rejectReason")',
    planned_in_past: '"plannedAt" must be in the future',
  };
  return badRequest(say[r.code], { code: r.code, field: r.field });
}

const returnedError = () => conflict('The appeal was returned to the contact centre for re-assignment', { code: 'appeal_returned' });
const overError = (status: string) => conflict(`The appeal is ${status}: nothing more can change`, { code: 'appeal_over', params: { status } });

/**
 * The executor's work: a status move (with what it needs), the answer, a comment. `actors`: whom the
 * user may act as (an admin acts as the executor and as the contact centre).
 */
export function moveChange(cur: CurrentAppeal, input: MoveInput, actors: readonly Actor[], now: Date): AppealChange {
  const events: NewEvent[] = [];
  const set: AppealChange['set'] = {};
  if (cur.returnedAt) throw returnedError();
  const answer = input.answer !== undefined && input.answer !== cur.answer ? input.answer : undefined;
  const replan = input.status === 'planned' && cur.status === 'planned' && input.plannedAt !== undefined;
  if (input.status !== undefined && (input.status !== cur.status || replan)) {
    const req: MoveRequest = {
      to: input.status, answer: answer ?? cur.answer, plannedAt: input.plannedAt ?? null,
      planReason: input.planReason ?? null, rejectReason: input.rejectReason ?? null,
    };
    let decision = decide(cur.status, req, actors[0], now, cur.controlCount > 0);
    for (const a of actors.slice(1)) if (!decision.ok && decision.refusal.code === 'illegal_move') decision = decide(cur.status, req, a, now, cur.controlCount > 0);
    if (!decision.ok) throw refusalError(decision.refusal);
    set.status = decision.to;
    set.doneAt = decision.to === 'done' ? now : null;
    const data: Record<string, unknown> = { from: cur.status, to: decision.to };
    if (decision.to === 'planned') {
      set.plannedAt = input.plannedAt; set.planReason = input.planReason;
      Object.assign(data, { plannedAt: input.plannedAt!.toISOString(), planReason: input.planReason });
    }
    if (input.status === 'rejected') { set.rejectReason = input.rejectReason; data.rejectReason = input.rejectReason; }
    if (decision.effects.includes('return_to_centre')) {
      // The explanation is for the contact centre, not the resident's answer: the next executor answers.
      set.returnedAt = now; set.returnReason = answer ?? cur.answer;
      Object.assign(data, { returned: true, reason: answer ?? cur.answer });
      events.push({ kind: 'status', data });
      if (input.comment) events.push({ kind: 'comment', data: { text: input.comment } });
      return { set, events };
    }
    if (decision.effects.includes('repeat_survey')) data.repeat = true;
    events.push({ kind: 'status', data });
  } else if (input.status === undefined && answer !== undefined && isTerminal(cur.status)) {
    throw overError(cur.status);
  }
  if (answer !== undefined) { set.answer = answer; events.push({ kind: 'answer', data: { text: answer } }); }
  if (input.comment) events.push({ kind: 'comment', data: { text: input.comment } });
  return { set, events };
}

export interface ReassignInput { executorId: number; reason?: string; dueAt?: Date }

/**
 * The contact centre gives the appeal to another executor (or back to the same one after a return):
 * it starts there as `new` — unless it is in Control, whose flag stays — and the executor is notified.
 */
export function reassignChange(cur: CurrentAppeal, input: ReassignInput, now: Date): AppealChange {
  if (isTerminal(cur.status) || cur.status === 'done') throw overError(cur.status);
  if (!input.reason || input.reason.length < REASON.min) {
    throw badRequest(`Re-assigning needs a reason (at least ${REASON.min} characters)`, { code: 'needs_reason', field: 'reason', params: { min: REASON.min } });
  }
  if (input.executorId === cur.executorId && !cur.returnedAt) {
    throw conflict('The appeal is already with this executor', { code: 'same_executor', field: 'executorId' });
  }
  const set: AppealChange['set'] = { executorId: input.executorId, returnedAt: null, returnReason: null, rejectReason: null };
  const events: NewEvent[] = [
    { kind: 'assigned', data: { executorId: input.executorId, from: cur.executorId, source: 'reassign', reason: input.reason } },
  ];
  const status: AppealStatus = cur.status === 'control' ? 'control' : 'new';
  if (status !== cur.status) { set.status = status; events.push({ kind: 'status', data: { from: cur.status, to: status } }); }
  if (input.dueAt) {
    if (input.dueAt.getTime() <= now.getTime()) throw badRequest('"dueAt" must be in the future', { code: 'due_in_past', field: 'dueAt' });
    set.dueAt = input.dueAt;
    events.push({ kind: 'override', data: { field: 'due_at', from: cur.dueAt.toISOString(), to: input.dueAt.toISOString(), reason: input.reason } });
  }
  events.push({ kind: 'notify', data: { executorId: input.executorId, channel: 'email', state: 'pending', why: 'assigned' } });
  return { set, events };
}

export interface ConfirmationInput { confirmed: boolean; rating?: number }

/**
 * The resident's word on a `done` appeal (the survey call, or an operator taking it by hand):
 * confirmed closes it; not confirmed returns it to the executor as Control, with a new due date of
 * the category's deadline from now (`deadline`, calendar or working hours) and a notice.
 */
export function confirmationChange(cur: CurrentAppeal, input: ConfirmationInput, actor: Actor, now: Date,
  deadline: (c: { deadlineHours: number; deadlineBasis: DeadlineBasis }) => Date): AppealChange {
  const decision = decide(cur.status, { to: input.confirmed ? 'closed' : 'control' }, actor, now);
  if (!decision.ok) throw refusalError(decision.refusal);
  const set: AppealChange['set'] = { status: decision.to, confirmation: input.confirmed ? 'confirmed' : 'not_confirmed' };
  if (input.rating !== undefined) set.rating = input.rating;
  const events: NewEvent[] = [];
  if (input.confirmed) {
    set.closedAt = now;
    events.push({ kind: 'status', data: { from: cur.status, to: 'closed', confirmed: true, rating: input.rating ?? null, by: actor } });
  } else {
    const due = deadline(cur);
    Object.assign(set, { doneAt: null, controlCount: cur.controlCount + 1, dueAt: due });
    events.push({ kind: 'status', data: { from: cur.status, to: 'control', confirmed: false, rating: input.rating ?? null, by: actor, dueAt: due.toISOString() } });
    events.push({ kind: 'notify', data: { executorId: cur.executorId, channel: 'email', state: 'pending', why: 'control' } });
  }
  return { set, events };
}
