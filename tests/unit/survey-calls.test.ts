// Survey calls without a PBX: every capture of a real Asterisk 22.10.1 survey call replayed into the
// dialler (the correlation and the classification the product runs), the classification table,
// the retry policy, calling hours on the city's clock, and the settings' parsing.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { readCapture } from '../helpers/ami-capture.ts';
import { manualClock } from '../../server/clock.ts';
import { TEST_NOW } from '../helpers/clock.ts';
import { surveyDialler } from '../../server/surveys/dialler.ts';
import { classify } from '../../server/surveys/classify.ts';
import { nextStep } from '../../server/surveys/surveys.service.ts';
import type { ClaimedAttempt } from '../../server/surveys/surveys.repo.ts';
import { describeSurveyEvent } from '../../vocabulary/i18n/survey-event.ts';
import { dialledNumber, inCallingHours, parseControlShares, parseHours, parseRetryPolicy } from '../../vocabulary/surveys.ts';

const OPTS = { dial: 'Local/{number}@resident', callerId: '"Misto 15-80" <1580>', context: 'misto-survey', ringSeconds: 20, maxCallSeconds: 120, causeWaitMs: 50 };

/** Replays a capture's events to a dialler that "sent" the capture's Originates; resolves with each attempt's end. */
async function replayed(scenario: string, attempts: { id: number; actionId: string }[]) {
  const { events, frames } = readCapture(scenario);
  const sent: Record<string, string>[] = [];
  const ends: Record<number, ReturnType<typeof classify> & { reason?: number; cause?: number; digit?: string }> = {};
  const bus = new EventEmitter();
  const clock = manualClock(TEST_NOW);
  const d = surveyDialler(OPTS, {
    action: async (m) => { sent.push(m); return { Response: 'Success', ActionID: m.ActionID, Message: 'Originate successfully queued' }; },
    events: bus, clock, log: () => {},
    ended: (a, r) => { ends[a.attemptId] = { ...r, reason: r.observed.reason, cause: r.observed.cause, digit: r.observed.digit }; },
  });
  for (const a of attempts) {
    d.dial({ attemptId: a.id, actionId: a.actionId, surveyId: a.id, appealId: 1, kind: 'survey', phone: '+380501000001', n: 1 } satisfies ClaimedAttempt);
  }
  await Promise.resolve();
  for (const [, e] of events) bus.emit('event', e);
  // A Reason 0 with no cause heard waits causeWaitMs.
  await new Promise((r) => setTimeout(r, 80));
  d.stop();
  const lab = frames.filter((f) => f.dir === 'out' && f.msg?.Action === 'Originate').map((f) => f.msg!);
  return { ends, sent, lab };
}

const CASES: [string, { outcome: string; confirmed: boolean | null; rating: number | null; reason: number; cause?: number }][] = [
  ['survey-confirm-rate', { outcome: 'answered', confirmed: true, rating: 4, reason: 4 }],
  ['survey-not-confirmed', { outcome: 'answered', confirmed: false, rating: null, reason: 4 }],
  ['survey-silent', { outcome: 'no_input', confirmed: null, rating: null, reason: 4 }],
  ['survey-hangup-17-after-answer', { outcome: 'no_input', confirmed: null, rating: null, reason: 4, cause: 17 }],
  ['survey-busy', { outcome: 'busy', confirmed: null, rating: null, reason: 5 }],
  ['survey-hangup-17-before-answer', { outcome: 'busy', confirmed: null, rating: null, reason: 0, cause: 17 }],
  ['survey-rejected-21', { outcome: 'busy', confirmed: null, rating: null, reason: 0, cause: 21 }],
  ['survey-no-answer', { outcome: 'no_pickup', confirmed: null, rating: null, reason: 3 }],
  ['survey-unallocated', { outcome: 'invalid_number', confirmed: null, rating: null, reason: 0, cause: 1 }],
  ['survey-congestion', { outcome: 'failed', confirmed: null, rating: null, reason: 8 }],
  ['survey-congestion-34', { outcome: 'failed', confirmed: null, rating: null, reason: 0, cause: 34 }],
];

for (const [scenario, want] of CASES) {
  test(`capture ${scenario}: ${want.outcome}${want.confirmed === null ? '' : want.confirmed ? ', confirmed' : ', not confirmed'}`, async () => {
    const { ends, sent, lab } = await replayed(scenario, [{ id: 42, actionId: 'survey-1' }]);
    const e = ends[42];
    assert.ok(e, 'the attempt ended');
    assert.is(e.outcome, want.outcome);
    assert.is(e.confirmed, want.confirmed);
    assert.is(e.rating, want.rating);
    assert.is(e.reason, want.reason);
    if (want.cause !== undefined) assert.is(e.cause, want.cause);
    // The product's Originate asks what the lab's did (the channel aside: the lab dialled its own resident context).
    for (const k of ['Context', 'Exten', 'Priority', 'Async', 'Variable']) assert.is(sent[0][k], lab[0][k], k);
    assert.is(sent[0].ActionID, 'survey-1');
  });
}

test('capture survey-two-concurrent: each attempt by its ActionID and SURVEY_ID', async () => {
  const { ends } = await replayed('survey-two-concurrent', [{ id: 42, actionId: 'survey-a' }, { id: 43, actionId: 'survey-b' }]);
  assert.equal([ends[42]?.outcome, ends[42]?.confirmed, ends[42]?.rating], ['answered', true, 4]);
  assert.equal([ends[43]?.outcome, ends[43]?.confirmed, ends[43]?.rating], ['answered', false, null]);
});

test('events of calls this dialler did not make are ignored', async () => {
  const { ends } = await replayed('survey-confirm-rate', [{ id: 7, actionId: 'survey-7' }]);
  assert.is(ends[7], undefined);
});

test('an Originate the PBX refuses ends the attempt as failed at once', async () => {
  const bus = new EventEmitter();
  const ended: string[] = [];
  const d = surveyDialler(OPTS, {
    action: async () => ({ Response: 'Error', Message: 'Extension does not exist.' }), events: bus, clock: manualClock(TEST_NOW), log: () => {},
    ended: (_a, o) => { ended.push(o.outcome); },
  });
  d.dial({ attemptId: 1, actionId: 'survey-1', surveyId: 1, appealId: 1, kind: 'survey', phone: '+380501000001', n: 1 });
  await new Promise((r) => setTimeout(r, 10));
  d.stop();
  assert.equal(ended, ['failed']);
});

test('classification table: reasons, causes and keys', () => {
  const c = (o: Parameters<typeof classify>[0]) => classify(o).outcome;
  assert.is(c({ response: 'Success', reason: 4, digit: '1', rating: '5' }), 'answered');
  assert.equal(classify({ response: 'Success', reason: 4, digit: '1', rating: '' }), { outcome: 'answered', confirmed: true, rating: null });
  assert.equal(classify({ response: 'Success', reason: 4, digit: '1', rating: '9' }), { outcome: 'answered', confirmed: true, rating: null });
  assert.is(c({ response: 'Success', reason: 4, digit: '7' }), 'no_input');
  assert.is(c({ response: 'Success', reason: 4 }), 'no_input');
  assert.is(c({ response: 'Failure', reason: 3, cause: 19 }), 'no_pickup');
  assert.is(c({ response: 'Failure', reason: 0, cause: 18 }), 'no_pickup');
  assert.is(c({ response: 'Failure', reason: 0, cause: 16 }), 'no_pickup');
  assert.is(c({ response: 'Failure', reason: 0, cause: 28 }), 'invalid_number');
  assert.is(c({ response: 'Failure', reason: 0, cause: 3 }), 'invalid_number');
  assert.is(c({ response: 'Failure', reason: 0, cause: 38 }), 'failed');
  assert.is(c({ response: 'Failure', reason: 0, dialStatus: 'BUSY' }), 'busy');
  assert.is(c({ response: 'Failure', reason: 0 }), 'failed');
  assert.is(c({ refused: true }), 'failed');
});

test('retry policy: attempts in total and the interval per outcome; answered and invalid numbers end at once', () => {
  const p = parseRetryPolicy('no_input:2@120,no_pickup:3@60,busy:3@15,failed:3@30');
  const at = new Date('2026-03-01T10:00:00Z');
  const step = (outcome: string, n: number) => nextStep({ outcome, confirmed: outcome === 'answered' ? true : null, rating: null } as never, n, at, p);
  assert.equal(step('busy', 1), { retryAt: new Date('2026-03-01T10:15:00Z'), result: null });
  assert.equal(step('busy', 3), { retryAt: null, result: 'unreached' });
  assert.equal(step('no_pickup', 2), { retryAt: new Date('2026-03-01T11:00:00Z'), result: null });
  assert.equal(step('no_input', 2), { retryAt: null, result: 'unreached' });
  assert.equal(step('answered', 1), { retryAt: null, result: 'confirmed' });
  assert.equal(nextStep({ outcome: 'answered', confirmed: false, rating: null }, 1, at, p), { retryAt: null, result: 'not_confirmed' });
  assert.equal(step('invalid_number', 1), { retryAt: null, result: 'invalid_number' });
  // Outcomes not named are dialled once.
  assert.equal(nextStep({ outcome: 'busy', confirmed: null, rating: null }, 1, at, parseRetryPolicy('')), { retryAt: null, result: 'unreached' });
  assert.throws(() => parseRetryPolicy('busy:3'));
  assert.throws(() => parseRetryPolicy('ringing:3@5'));
});

test('calling hours on the city clock, winter and summer time', () => {
  const h = parseHours('09:00-20:00');
  assert.equal(h, { from: 540, to: 1200 });
  assert.not.ok(inCallingHours(new Date('2026-11-20T06:59:00Z'), h)); // 08:59 EET
  assert.ok(inCallingHours(new Date('2026-11-20T07:00:00Z'), h));
  assert.ok(inCallingHours(new Date('2026-11-20T17:59:00Z'), h));
  assert.not.ok(inCallingHours(new Date('2026-11-20T18:00:00Z'), h)); // 20:00 EET
  assert.not.ok(inCallingHours(new Date('2026-07-01T05:59:00Z'), h)); // 08:59 EEST
  assert.ok(inCallingHours(new Date('2026-07-01T06:00:00Z'), h));
  assert.not.ok(inCallingHours(new Date('2026-07-01T17:00:00Z'), h)); // 20:00 EEST
  assert.throws(() => parseHours('20:00-09:00'));
  assert.throws(() => parseHours('9-20'));
});

test('control shares and the dialled number', () => {
  assert.equal(parseControlShares('0.05', 'category:road-pothole=0.3,executor:zhek-1=1'), { share: 0.05, categories: { 'road-pothole': 0.3 }, executors: { 'zhek-1': 1 } });
  assert.throws(() => parseControlShares('1.5', ''));
  assert.throws(() => parseControlShares('0.1', 'district:1=0.2'));
  assert.is(dialledNumber('+380501112233'), '0501112233');
  assert.is(dialledNumber('+48221234567'), '0048221234567');
});

test('a survey event of the history as one line, in Ukrainian and English', () => {
  assert.is(describeSurveyEvent('uk', { step: 'attempt', attempt: 2, outcome: 'busy' }), 'Дзвінок-опитування, спроба 2: зайнято');
  assert.is(describeSurveyEvent('en', { step: 'attempt', attempt: 1, outcome: 'answered', confirmed: true, rating: 5 }), 'Survey call, attempt 1: answered — Confirmed, 5/5');
  assert.is(describeSurveyEvent('uk', { step: 'skipped', reason: 'opted_out' }), 'Дзвінок-опитування не буде: мешканець відмовився від автоматичних дзвінків');
  assert.is(describeSurveyEvent('en', { step: 'scheduled' }), 'Survey call scheduled');
  assert.is(describeSurveyEvent('uk', { confirmed: true, rating: 4 }), 'Підтвердили виконання, 4/5');
});

test.run();
