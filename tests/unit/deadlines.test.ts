// Deadlines and retries are elapsed time: a control deadline is the category's hours after
// registration (a night the clocks go back is still 24 hours), mail retries back off to a cap.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { dueAt } from '../../server/catalogue/catalogue.service.ts';
import { backoffSeconds } from '../../server/mail/worker.ts';

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

test('mail retries after 1 min, 2, 4 … and never later than 6 h', () => {
  assert.equal([1, 2, 3, 4, 5].map(backoffSeconds), [60, 120, 240, 480, 960]);
  assert.is(backoffSeconds(0), 60, 'a row never tried waits as after its first failure');
  assert.is(backoffSeconds(9), 15_360);
  assert.is(backoffSeconds(10), 6 * 3600);
  assert.is(backoffSeconds(30), 6 * 3600);
});

test.run();
