// The life of an appeal as one table: from each status, where it may go, who may move it there and
// what the move needs. Pure and shared: the server applies it (server/appeals/lifecycle.ts), the
// executor portal offers exactly the moves it allows.
//
//   new (registered) → in_progress → planned (a date and a reason) | done (an answer) |
//   explained (a consultation answer, no works) | rejected (an answer and a reason);
//   done = awaiting the resident's confirmation → closed (confirmed) | control (not confirmed:
//   back to the executor with a new due date; a second "done" repeats the survey); a control call
//   on a closed appeal that hears "not done" returns it to Control too.
//   rejected as "not our competence" does not end the appeal: it goes back to the contact centre's
//   queue as `new`, to be re-assigned.
import type { AppealStatus } from './appeals.ts';

/**
 * Who moves an appeal: its executor (their own organisation's appeals only), the contact centre
 * (operators, supervisors, admins: re-assignment, a confirmation taken by hand), and the survey
 * call's result, and the resident on their own tracking link of a web appeal (/report/track).
 */
export const ACTORS = ['executor', 'centre', 'survey', 'resident'] as const;
export type Actor = (typeof ACTORS)[number];

/** Why an appeal is rejected. `not_competent` returns it to the contact centre instead of ending it. */
export const REJECT_REASONS = ['not_competent', 'duplicate', 'withdrawn'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Why works are planned for later rather than done now. */
export const PLAN_REASONS = ['needs_funding', 'seasonal', 'needs_study', 'other'] as const;
export type PlanReason = (typeof PLAN_REASONS)[number];

/** What a move needs besides the target status. */
export type Need = 'answer' | 'plannedAt' | 'planReason' | 'rejectReason';

export interface Move { to: AppealStatus; by: readonly Actor[]; needs: readonly Need[] }

const work = (by: readonly Actor[]): Move[] => [
  { to: 'in_progress', by, needs: [] },
  { to: 'planned', by, needs: ['plannedAt', 'planReason'] },
  { to: 'done', by, needs: ['answer'] },
  { to: 'explained', by, needs: ['answer'] },
  { to: 'rejected', by, needs: ['answer', 'rejectReason'] },
];
const EXEC: readonly Actor[] = ['executor'];
const CONFIRMATION: readonly Actor[] = ['survey', 'centre', 'resident'];

export const LIFECYCLE: Readonly<Record<AppealStatus, readonly Move[]>> = {
  new: work(EXEC),
  in_progress: work(EXEC).filter((m) => m.to !== 'in_progress'),
  // A planned date may be moved: planned → planned with the new date.
  planned: work(EXEC),
  control: work(EXEC),
  done: [
    { to: 'closed', by: CONFIRMATION, needs: [] },
    { to: 'control', by: CONFIRMATION, needs: [] },
  ],
  explained: [],
  rejected: [],
  // A control call (a share of closed appeals is called again) that hears "not done" reopens it.
  closed: [{ to: 'control', by: ['survey'], needs: [] }],
};

/** The statuses `actor` may move an appeal to from `from`. */
export const movesFor = (from: AppealStatus, actor: Actor): AppealStatus[] =>
  (LIFECYCLE[from] ?? []).filter((m) => m.by.includes(actor)).map((m) => m.to);

export interface MoveRequest {
  to: AppealStatus;
  /** The answer to the resident: given with the move, or already on the appeal. */
  answer?: string | null;
  plannedAt?: Date | null;
  planReason?: PlanReason | null;
  rejectReason?: RejectReason | null;
}

export type Refusal =
  | { code: 'illegal_move'; from: AppealStatus; to: AppealStatus; allowed: AppealStatus[] }
  | { code: 'needs_answer' | 'needs_planned_at' | 'needs_plan_reason' | 'needs_reject_reason'; field: string }
  | { code: 'planned_in_past'; field: 'plannedAt' };

/** What the move does besides setting the status. */
export type Effect =
  /** "Not our competence": back to the contact centre's queue as `new`, for re-assignment. */
  | 'return_to_centre'
  /** Not confirmed: back to the executor with the flag raised, a new due date and a notice. */
  | 'return_to_executor'
  /** A "done" after Control: the resident is asked again. */
  | 'repeat_survey';

export type Decision = { ok: true; to: AppealStatus; effects: Effect[] } | { ok: false; refusal: Refusal };

/**
 * Decides a move of an appeal standing at `from`, asked by `actor`. `wasControl` says whether the
 * appeal has been returned by a resident before (its second "done" repeats the survey).
 */
export function decide(from: AppealStatus, req: MoveRequest, actor: Actor, now: Date, wasControl = false): Decision {
  const move = (LIFECYCLE[from] ?? []).find((m) => m.to === req.to && m.by.includes(actor));
  if (!move) return { ok: false, refusal: { code: 'illegal_move', from, to: req.to, allowed: movesFor(from, actor) } };
  for (const need of move.needs) {
    if (need === 'answer' && !req.answer?.trim()) return { ok: false, refusal: { code: 'needs_answer', field: 'answer' } };
    if (need === 'plannedAt') {
      if (!req.plannedAt) return { ok: false, refusal: { code: 'needs_planned_at', field: 'plannedAt' } };
      if (req.plannedAt.getTime() <= now.getTime()) return { ok: false, refusal: { code: 'planned_in_past', field: 'plannedAt' } };
    }
    if (need === 'planReason' && !req.planReason) return { ok: false, refusal: { code: 'needs_plan_reason', field: 'planReason' } };
    if (need === 'rejectReason' && !req.rejectReason) return { ok: false, refusal: { code: 'needs_reject_reason', field: 'rejectReason' } };
  }
  if (req.to === 'rejected' && req.rejectReason === 'not_competent') return { ok: true, to: 'new', effects: ['return_to_centre'] };
  if (req.to === 'control') return { ok: true, to: 'control', effects: ['return_to_executor'] };
  if (req.to === 'done' && (from === 'control' || wasControl)) return { ok: true, to: 'done', effects: ['repeat_survey'] };
  return { ok: true, to: req.to, effects: [] };
}
