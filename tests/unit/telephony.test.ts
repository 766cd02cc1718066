// Telephony's pure parts: the phone interface behind an Asterisk channel name, and the byte range
// a recording is streamed with.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { interfaceOf } from '../../server/telephony/call-tracker.ts';
import { parseRange } from '../../server/telephony/telephony.routes.ts';

test('a channel name without its sequence suffix is the interface an operator is configured with', () => {
  assert.is(interfaceOf('PJSIP/101-0000002a'), 'PJSIP/101');
  assert.is(interfaceOf('PJSIP/operator-7-DEADBEEF'), 'PJSIP/operator-7', 'only the eight hex digits Asterisk appends');
  assert.is(interfaceOf('SIP/trunk-00000001'), 'SIP/trunk');
  assert.is(interfaceOf('Local/100@operators-00000003;1'), 'Local/100@operators', 'both halves of a Local channel');
  assert.is(interfaceOf('Local/100@operators-00000003;2'), 'Local/100@operators');
  assert.is(interfaceOf('PJSIP/101'), 'PJSIP/101');
  assert.is(interfaceOf('PJSIP/101-123'), 'PJSIP/101-123');
  assert.is(interfaceOf(''), '');
  assert.is(interfaceOf(undefined), '');
});

test('Range parsing follows RFC 9110 for one range', () => {
  assert.equal(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.equal(parseRange('bytes=90-200', 100), { start: 90, end: 99 });
  assert.equal(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.equal(parseRange('bytes=-500', 100), { start: 0, end: 99 });
  assert.equal(parseRange('bytes=10-', 100), { start: 10, end: 99 });
  assert.equal(parseRange(' bytes=0-0 ', 100), { start: 0, end: 0 });
  assert.is(parseRange('bytes=100-', 100), 'unsatisfiable');
  assert.is(parseRange('bytes=-0', 100), 'unsatisfiable');
  assert.is(parseRange('bytes=-1', 0), 'unsatisfiable', 'an empty file has no last byte');
  assert.is(parseRange('bytes=5-1', 100), null);
  assert.is(parseRange('bytes=0-1,5-6', 100), null);
  assert.is(parseRange('bytes=-', 100), null);
  assert.is(parseRange('items=0-1', 100), null);
  assert.is(parseRange(undefined, 100), null);
  assert.is(parseRange('', 100), null);
});

test.run();
