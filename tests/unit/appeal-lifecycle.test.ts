// The lifecycle table, transition by transition and refusal by refusal: who may move an appeal from
// each status to each other, what each move needs, and what it does besides setting the status.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { ACTORS, LIFECYCLE, PLAN_REASONS, REJECT_REASONS, decide, movesFor, type Actor, type MoveRequest } from '../../vocabulary/appeal-lifecycle.ts';
import { APPEAL_STATUSES, EXECUTOR_MOVES, NEEDS_ANSWER, isTerminal, type AppealStatus } from '../../vocabulary/appeals.ts';
import { messages } from '../../vocabulary/i18n/messages.ts';
import { TEST_NOW } from '../helpers/clock.ts';

const now = new Date(TEST_NOW);
const later = new Date(now.getTime() + 7 * 86_400_000);
/** A request that has everything any move may need. */
const full = (to: AppealStatus): MoveRequest => ({ to, answer: 'Роботи виконано', plannedAt: later, planReason: 'needs_funding', rejectReason: 'duplicate' });

// Every allowed move, written out once more by hand: the table may not drift unnoticed.
const ALLOWED: Record<Actor, [AppealStatus, AppealStatus][]> = {
  executor: [
    ['new', 'in_progress'], ['new', 'planned'], ['new', 'done'], ['new', 'explained'], ['new', 'rejected'],
    ['in_progress', 'planned'], ['in_progress', 'done'], ['in_progress', 'explained'], ['in_progress', 'rejected'],
    ['planned', 'in_progress'], ['planned', 'planned'], ['planned', 'done'], ['planned', 'explained'], ['planned', 'rejected'],
    ['control', 'in_progress'], ['control', 'planned'], ['control', 'done'], ['control', 'explained'], ['control', 'rejected'],
  ],
  centre: [['done', 'closed'], ['done', 'control']],
  survey: [['done', 'closed'], ['done', 'control'], ['closed', 'control']],
  resident: [['done', 'closed'], ['done', 'control']],
};

test('every pair of statuses for every actor: allowed exactly where the table says, refused with illegal_move elsewhere', () => {
  for (const actor of ACTORS) {
    for (const from of APPEAL_STATUSES) {
      for (const to of APPEAL_STATUSES) {
        const allowed = ALLOWED[actor].some(([f, t]) => f === from && t === to);
        const d = decide(from, full(to), actor, now);
        assert.is(d.ok, allowed, `${actor}: ${from} → ${to}`);
        if (!d.ok) {
          assert.equal(d.refusal, { code: 'illegal_move', from, to, allowed: movesFor(from, actor) }, `${actor}: ${from} → ${to}`);
        }
      }
    }
  }
});

test('terminal statuses go nowhere but a control call\'s "not done"; every open status can be finished by its executor', () => {
  for (const s of APPEAL_STATUSES) {
    if (isTerminal(s)) assert.equal(LIFECYCLE[s].filter((m) => !(s === 'closed' && m.to === 'control' && m.by.join() === 'survey')), [], s);
  }
  for (const s of ['new', 'in_progress', 'planned', 'control'] as const) {
    for (const end of ['done', 'explained', 'rejected'] as const) assert.ok(EXECUTOR_MOVES[s].includes(end), `${s} → ${end}`);
  }
  assert.equal([...EXECUTOR_MOVES.done], [], 'confirming is not the executor’s');
});

test('done, explained and rejected need an answer; an answer already on the appeal counts', () => {
  for (const to of NEEDS_ANSWER) {
    const d = decide('in_progress', { ...full(to), answer: '  ' }, 'executor', now);
    assert.equal(d, { ok: false, refusal: { code: 'needs_answer', field: 'answer' } }, to);
  }
  assert.ok(decide('in_progress', { to: 'done', answer: 'Залатано' }, 'executor', now).ok);
  assert.ok(decide('in_progress', { to: 'planned', plannedAt: later, planReason: 'seasonal' }, 'executor', now).ok, 'planning needs no answer');
});

test('planned needs a future date and a reason', () => {
  const plan = (r: Partial<MoveRequest>) => decide('new', { to: 'planned', ...r }, 'executor', now);
  assert.equal(plan({ planReason: 'needs_funding' }), { ok: false, refusal: { code: 'needs_planned_at', field: 'plannedAt' } });
  assert.equal(plan({ plannedAt: now, planReason: 'needs_funding' }), { ok: false, refusal: { code: 'planned_in_past', field: 'plannedAt' } });
  assert.equal(plan({ plannedAt: new Date(now.getTime() - 1), planReason: 'needs_funding' }).ok, false);
  assert.equal(plan({ plannedAt: later }), { ok: false, refusal: { code: 'needs_plan_reason', field: 'planReason' } });
  for (const planReason of PLAN_REASONS) assert.equal(plan({ plannedAt: later, planReason }), { ok: true, to: 'planned', effects: [] }, planReason);
});

test('a rejection needs its reason; "not our competence" returns the appeal to the contact centre as new', () => {
  assert.equal(decide('new', { to: 'rejected', answer: 'Не наше' }, 'executor', now),
    { ok: false, refusal: { code: 'needs_reject_reason', field: 'rejectReason' } });
  assert.equal(decide('in_progress', { to: 'rejected', answer: 'Дубль 15-80/2026/000001', rejectReason: 'duplicate' }, 'executor', now),
    { ok: true, to: 'rejected', effects: [] });
  assert.equal(decide('in_progress', { to: 'rejected', answer: 'Заявник відкликав', rejectReason: 'withdrawn' }, 'executor', now),
    { ok: true, to: 'rejected', effects: [] });
  for (const from of ['new', 'in_progress', 'planned', 'control'] as const) {
    assert.equal(decide(from, { to: 'rejected', answer: 'Це мережі газу', rejectReason: 'not_competent' }, 'executor', now),
      { ok: true, to: 'new', effects: ['return_to_centre'] }, from);
  }
  assert.equal(REJECT_REASONS.length, 3);
});

test('the confirmation: confirmed closes, not confirmed returns to the executor; a second done repeats the survey', () => {
  for (const actor of ['survey', 'centre'] as const) {
    assert.equal(decide('done', { to: 'closed' }, actor, now), { ok: true, to: 'closed', effects: [] });
    assert.equal(decide('done', { to: 'control' }, actor, now), { ok: true, to: 'control', effects: ['return_to_executor'] });
  }
  assert.equal(decide('control', full('done'), 'executor', now), { ok: true, to: 'done', effects: ['repeat_survey'] });
  assert.equal(decide('in_progress', full('done'), 'executor', now, true), { ok: true, to: 'done', effects: ['repeat_survey'] },
    'taken into work again after Control, still a repeat');
  assert.equal(decide('in_progress', full('done'), 'executor', now), { ok: true, to: 'done', effects: [] });
  // Only a control call's "not done" reopens a closed appeal (a late result of an older survey is
  // stopped before it reaches the table: server/appeals/survey-moves.repo.ts).
  assert.equal(decide('closed', { to: 'control' }, 'survey', now), { ok: true, to: 'control', effects: ['return_to_executor'] });
  assert.equal(decide('closed', { to: 'control' }, 'centre', now).ok, false, 'the contact centre does not reopen a closed appeal');
});

test('every reason has its label in both languages', () => {
  for (const r of PLAN_REASONS) assert.ok(`appeal.planReason.${r}` in messages, r);
  for (const r of REJECT_REASONS) assert.ok(`appeal.rejectReason.${r}` in messages, r);
});

test.run();
