// Scheduled slots are wall-clock times in Kyiv turned into instants: the latest slot at or before a
// moment, the one before it, across midnight, the new year and both changes of the clocks.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { cronOf, latestSlot, parseTimes, previousSlot, wallTime } from '../../server/jobs/slots.ts';

const DIGEST = ['07:00', '19:00'];
const iso = (d: Date) => d.toISOString();

test('wall time in Kyiv: +2 h in winter, +3 h in summer', () => {
  assert.is(iso(wallTime(2026, 11, 20, 7, 0)), '2026-11-20T05:00:00.000Z');
  assert.is(iso(wallTime(2026, 7, 1, 7, 0)), '2026-07-01T04:00:00.000Z');
  // 29 March 2026: 03:00 becomes 04:00; 03:30 does not exist and falls an hour later.
  assert.is(iso(wallTime(2026, 3, 29, 3, 30)), '2026-03-29T01:30:00.000Z');
  assert.is(iso(wallTime(2026, 3, 29, 7, 0)), '2026-03-29T04:00:00.000Z');
  // 25 October 2026: 04:00 becomes 03:00 again; 07:00 is winter time.
  assert.is(iso(wallTime(2026, 10, 25, 7, 0)), '2026-10-25T05:00:00.000Z');
});

test('the latest slot at or before a moment, and the one before it', () => {
  const slot = (at: string) => iso(latestSlot(DIGEST, new Date(at)));
  assert.is(slot('2026-11-20T05:00:00Z'), '2026-11-20T05:00:00.000Z', 'on the dot');
  assert.is(slot('2026-11-20T04:59:59Z'), '2026-11-19T17:00:00.000Z', 'a second early: yesterday evening');
  assert.is(slot('2026-11-20T16:59:00Z'), '2026-11-20T05:00:00.000Z');
  assert.is(slot('2026-11-20T21:30:00Z'), '2026-11-20T17:00:00.000Z', '23:30 in Kyiv');
  assert.is(slot('2026-11-20T22:30:00Z'), '2026-11-20T17:00:00.000Z', '00:30 in Kyiv: the evening before');
  assert.is(slot('2027-01-01T03:00:00Z'), '2026-12-31T17:00:00.000Z', 'into the new year');
  assert.is(iso(previousSlot(DIGEST, new Date('2026-11-20T05:00:00Z'))), '2026-11-19T17:00:00.000Z');
  assert.is(iso(previousSlot(['08:00'], new Date('2026-11-20T06:00:00Z'))), '2026-11-19T06:00:00.000Z');
  assert.is(iso(latestSlot(DIGEST, new Date('2026-10-25T05:30:00Z'))), '2026-10-25T05:00:00.000Z', 'the morning the clocks go back');
  assert.is(iso(previousSlot(DIGEST, new Date('2026-10-25T05:00:00Z'))), '2026-10-24T16:00:00.000Z', 'the evening before, in summer time');
});

test('times of day from configuration; node-cron expressions', () => {
  assert.equal(parseTimes('19:00, 7:00,07:00'), ['07:00', '19:00']);
  assert.throws(() => parseTimes('7am'), /HH:MM/);
  assert.throws(() => parseTimes('24:00'), /HH:MM/);
  assert.throws(() => parseTimes(' , '), /No times/);
  assert.is(cronOf('07:00'), '0 7 * * *');
  assert.is(cronOf('19:30'), '30 19 * * *');
});

test.run();
