// The statistics' vocabulary on its own: the outcome lists partition the outcomes, rates are divided
// in one place, Kyiv calendar days are labels whatever the machine's zone, and /analytics/calls is
// an area of its own inside /analytics.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import {
  ABANDONED_OUTCOMES, ANSWERED_OUTCOMES, BEFORE_QUEUE_OUTCOMES, CALL_OUTCOMES, NO_OPERATOR_OUTCOMES, OFFERED_OUTCOMES,
  callFigures, meetsServiceLevel, type CallCounts,
} from '../../vocabulary/telephony.ts';
import { addDays, daysInclusive, eachDay, isCalendarDay, kyivDay } from '../../vocabulary/calendar.ts';
import { areaOfPath, mayEnter, type Role, type User } from '../../vocabulary/roles.ts';

test('every outcome is offered or ended before the queue, never both; the parts lie inside offered', () => {
  assert.equal([...OFFERED_OUTCOMES, ...BEFORE_QUEUE_OUTCOMES].sort(), [...CALL_OUTCOMES].sort());
  for (const part of [ANSWERED_OUTCOMES, ABANDONED_OUTCOMES, NO_OPERATOR_OUTCOMES]) assert.ok(part.every((o) => OFFERED_OUTCOMES.includes(o)));
  const parts = [...ANSWERED_OUTCOMES, ...ABANDONED_OUTCOMES, ...NO_OPERATOR_OUTCOMES, 'unanswered', 'lost'];
  assert.equal([...parts].sort(), [...OFFERED_OUTCOMES].sort(), 'answered + abandoned + no operators + unanswered + lost = offered');
});

const counts = (c: Partial<CallCounts>): CallCounts => ({
  offered: 0, answered: 0, answeredInTime: 0, abandoned: 0, noOperators: 0, unanswered: 0, lost: 0, consultations: 0,
  endedBeforeQueue: 0, averageSpeedOfAnswerSeconds: null, averageHandleTimeSeconds: null, longestWaitSeconds: null, ...c,
});

test('rates: fractions of offered, null when nothing was offered; the target is met at exactly 80 %', () => {
  const f = callFigures(counts({ offered: 10, answered: 9, answeredInTime: 8, abandoned: 1 }));
  assert.equal([f.serviceLevel, f.abandonRate, f.serviceLevelMet], [0.8, 0.1, true]);
  assert.is(callFigures(counts({ offered: 10, answeredInTime: 7 })).serviceLevelMet, false);
  const none = callFigures(counts({ endedBeforeQueue: 3 }));
  assert.equal([none.serviceLevel, none.abandonRate, none.serviceLevelMet], [null, null, null]);
  assert.is(meetsServiceLevel(0.7999), false);
});

test('Kyiv calendar days: the day of an instant on both sides of midnight and of the DST changes', () => {
  assert.is(kyivDay(new Date('2026-11-19T21:59:59Z')), '2026-11-19');
  assert.is(kyivDay(new Date('2026-11-19T22:00:00Z')), '2026-11-20');
  assert.is(kyivDay(new Date('2026-03-28T21:59:59Z')), '2026-03-28');   // Saturday, EET
  assert.is(kyivDay(new Date('2026-03-29T20:59:59Z')), '2026-03-29');   // Sunday 23:59:59 EEST
  assert.is(kyivDay(new Date('2026-03-29T21:00:00Z')), '2026-03-30');
  assert.is(kyivDay(new Date('2026-10-24T21:00:00Z')), '2026-10-25');   // Sunday 00:00 EEST
  assert.is(kyivDay(new Date('2026-10-25T21:59:59Z')), '2026-10-25');   // Sunday 23:59:59 EET
  assert.ok(isCalendarDay('2028-02-29'));
  for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '2026-11-20T00:00', '20.11.2026', '']) assert.not.ok(isCalendarDay(bad), bad);
  assert.is(addDays('2026-03-28', 2), '2026-03-30');
  assert.is(addDays('2027-01-01', -1), '2026-12-31');
  assert.is(daysInclusive('2026-01-01', '2026-12-31'), 365);
  assert.is(daysInclusive('2026-11-20', '2026-11-19'), 0);
  assert.equal(eachDay('2026-10-24', '2026-10-26'), ['2026-10-24', '2026-10-25', '2026-10-26']);
});

const user = (role: Role): User => ({ id: 1, login: role, fullName: role, role, executorId: null, sipInterface: null });

test('/analytics/calls is its own area: the supervisor may open it, not the rest of /analytics', () => {
  assert.is(areaOfPath('/analytics/calls'), 'callStats');
  assert.is(areaOfPath('/analytics/calls/anything'), 'callStats');
  assert.is(areaOfPath('/analytics/announcements'), 'analytics');
  assert.is(areaOfPath('/analytics/callsx'), 'analytics');
  assert.is(areaOfPath('/karta'), undefined);
  assert.ok(mayEnter(user('supervisor'), 'callStats'));
  assert.not.ok(mayEnter(user('supervisor'), 'analytics'));
  for (const r of ['analyst', 'admin'] as const) assert.ok(mayEnter(user(r), 'callStats') && mayEnter(user(r), 'analytics'));
  for (const r of ['operator', 'executor'] as const) assert.not.ok(mayEnter(user(r), 'callStats'));
});

test.run();
