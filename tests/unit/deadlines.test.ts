// Deadlines and retries: a control deadline is the category's hours after registration (a night the
// clocks go back is still 24 hours) or its working hours on the work calendar; mail retries back off to a cap.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { dueAt } from '../../server/catalogue/catalogue.service.ts';
import { backoffSeconds } from '../../server/mail/worker.ts';
import { addWorkingHours, deadlineOf, type WorkCalendar } from '../../server/catalogue/deadlines.ts';

const HOUR = 3600_000;

test('a deadline is the category\'s hours after registration', () => {
  const at = new Date('2026-11-20T10:00:00Z');
  assert.is(dueAt({ deadlineHours: 72 }, at).toISOString(), '2026-11-23T10:00:00.000Z');
  assert.is(dueAt({ deadlineHours: 4 }, at).getTime() - at.getTime(), 4 * HOUR);
  // Kyiv leaves summer time at 04:00 on 25 October 2026: 24 hours later the wall clock shows 23 hours on.
  const evening = new Date('2026-10-24T20:00:00+03:00');
  assert.is(dueAt({ deadlineHours: 24 }, evening).toISOString(), new Date('2026-10-25T19:00:00+02:00').toISOString());
  assert.is(dueAt({ deadlineHours: 1 }, new Date('2026-12-31T21:30:00Z')).toISOString(), '2026-12-31T22:30:00.000Z', 'into the new year in Kyiv');
});

// Monday to Friday 08:00–17:00 in Kyiv, the migration's default week; 9 working hours a day.
const WEEK: WorkCalendar = { week: [1, 2, 3, 4, 5].map((isodow) => ({ isodow, opens: '08:00:00', closes: '17:00:00' })), holidays: [] };
const kyiv = (s: string) => new Date(s);

test('working hours count inside the opening hours of working days, in Kyiv', () => {
  const add = (from: string, h: number, cal = WEEK) => addWorkingHours(kyiv(from), h, cal).toISOString();
  // Friday 20 November 2026, 15:00 Kyiv (+02:00): 2 hours that day, 2 more on Monday from 08:00.
  assert.is(add('2026-11-20T15:00:00+02:00', 4), kyiv('2026-11-23T10:00:00+02:00').toISOString());
  assert.is(add('2026-11-20T15:00:00+02:00', 2), kyiv('2026-11-20T17:00:00+02:00').toISOString(), 'ends at closing time');
  assert.is(add('2026-11-21T12:00:00+02:00', 1), kyiv('2026-11-23T09:00:00+02:00').toISOString(), 'registered on Saturday');
  assert.is(add('2026-11-23T06:30:00+02:00', 1), kyiv('2026-11-23T09:00:00+02:00').toISOString(), 'before opening');
  assert.is(add('2026-11-23T19:00:00+02:00', 1), kyiv('2026-11-24T09:00:00+02:00').toISOString(), 'after closing');
  assert.is(add('2026-11-23T08:00:00+02:00', 45), kyiv('2026-11-27T17:00:00+02:00').toISOString(), 'a working week');
  // A holiday on Monday pushes it to Tuesday.
  assert.is(add('2026-11-20T15:00:00+02:00', 4, { ...WEEK, holidays: ['2026-11-23'] }), kyiv('2026-11-24T10:00:00+02:00').toISOString());
  // Across the change to summer time (29 March 2027 is a Monday): opening hours are wall time.
  assert.is(add('2027-03-26T16:00:00+02:00', 2), kyiv('2027-03-29T09:00:00+03:00').toISOString());
  assert.throws(() => addWorkingHours(kyiv('2026-11-20T10:00:00Z'), 1, { week: [], holidays: [] }), /no working hours/);
});

test('a category counts calendar hours unless it says working hours', () => {
  const from = kyiv('2026-11-20T15:00:00+02:00');
  assert.is(deadlineOf({ deadlineHours: 4 }, from, WEEK).toISOString(), kyiv('2026-11-20T19:00:00+02:00').toISOString());
  assert.is(deadlineOf({ deadlineHours: 4, deadlineBasis: 'calendar' }, from, WEEK).toISOString(), kyiv('2026-11-20T19:00:00+02:00').toISOString());
  assert.is(deadlineOf({ deadlineHours: 4, deadlineBasis: 'working' }, from, WEEK).toISOString(), kyiv('2026-11-23T10:00:00+02:00').toISOString());
});

test('mail retries after 1 min, 2, 4 … and never later than 6 h', () => {
  assert.equal([1, 2, 3, 4, 5].map(backoffSeconds), [60, 120, 240, 480, 960]);
  assert.is(backoffSeconds(0), 60, 'a row never tried waits as after its first failure');
  assert.is(backoffSeconds(9), 15_360);
  assert.is(backoffSeconds(10), 6 * 3600);
  assert.is(backoffSeconds(30), 6 * 3600);
});

test.run();
