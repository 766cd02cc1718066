// Appeals: their statuses and what each means, who may move an appeal where, the channels they
// arrive by, the kinds of history events, and the limits of what an operator writes.
// SQL has the same meaning of "open" and "terminal" (appeal_status_is_open / _is_terminal, migrations
// 082 and 087); tests/foundation/vocabulary.test.ts holds the two in step. The moves themselves are
// vocabulary/appeal-lifecycle.ts.
import { movesFor } from './appeal-lifecycle.ts';

export const APPEAL_STATUSES = ['new', 'in_progress', 'planned', 'done', 'control', 'explained', 'rejected', 'closed'] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];

/**
 * `open`: the executor still owes work on it — it counts as overdue once its due date passes.
 * `terminal`: nothing more will happen to it (but for a control call that finds a closed appeal not
 * done, which returns it to Control). A `done` appeal is neither: the work is reported
 * finished and waits for the resident's confirmation. `explained` is a consultation answer: no works
 * were owed, nothing more happens.
 */
export const STATUS_MEANING = {
  new: { open: true, terminal: false },
  in_progress: { open: true, terminal: false },
  planned: { open: true, terminal: false },
  done: { open: false, terminal: false },
  control: { open: true, terminal: false },
  explained: { open: false, terminal: true },
  rejected: { open: false, terminal: true },
  closed: { open: false, terminal: true },
} as const satisfies Record<AppealStatus, { open: boolean; terminal: boolean }>;

export const OPEN_STATUSES: readonly AppealStatus[] = APPEAL_STATUSES.filter((s) => STATUS_MEANING[s].open);
export const isOpen = (s: string) => (OPEN_STATUSES as readonly string[]).includes(s);
export const isTerminal = (s: string) => s in STATUS_MEANING && STATUS_MEANING[s as AppealStatus].terminal;
export const isAppealStatus = (s: unknown): s is AppealStatus => (APPEAL_STATUSES as readonly unknown[]).includes(s);

/** Where an executor may move an appeal from each status (vocabulary/appeal-lifecycle.ts); confirming belongs to the survey. */
const executorMoves = (s: AppealStatus) => movesFor(s, 'executor');
export const EXECUTOR_MOVES: Readonly<Record<AppealStatus, readonly AppealStatus[]>> = {
  new: executorMoves('new'), in_progress: executorMoves('in_progress'), planned: executorMoves('planned'), done: executorMoves('done'),
  control: executorMoves('control'), explained: executorMoves('explained'), rejected: executorMoves('rejected'), closed: executorMoves('closed'),
};
/** Moving to these needs an answer to the resident. */
export const NEEDS_ANSWER: readonly AppealStatus[] = ['done', 'explained', 'rejected'];

/** How a category's deadline counts: calendar hours, or working hours of the work calendar (work_week, holiday). */
export const DEADLINE_BASES = ['calendar', 'working'] as const;
export type DeadlineBasis = (typeof DEADLINE_BASES)[number];

/** What an operator may register an appeal as; `open311` is only what arrives through that API. */
export const DESK_CHANNELS = ['phone', 'web', 'app', 'email', 'social', 'walk_in'] as const;
export const CHANNELS = [...DESK_CHANNELS, 'open311'] as const;
export type Channel = (typeof CHANNELS)[number];

export const EVENT_KINDS = ['created', 'assigned', 'status', 'answer', 'comment', 'override', 'notify', 'survey', 'recording'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The problem as the operator writes it down. */
export const APPEAL_TEXT = { min: 5, max: 4000 } as const;
/** A reason for overriding the catalogue's executor or due date. */
export const REASON = { min: 5, max: 500 } as const;
export const APARTMENT_MAX = 20;
/** Lists and tabs count up to this many; beyond it they say "10,000+". */
export const COUNT_CAP = 10_000;
/** Appeal numbers: "<prefix>/<year>/<000123>". */
export const APPEAL_NUMBER = /^[^/\s]+\/\d{4}\/\d+$/;
