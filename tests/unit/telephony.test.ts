// Telephony's pure parts: the phone interface behind an Asterisk channel or queue member, and the byte range
// a recording is streamed with.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { canonicalInterface } from '../../vocabulary/telephony.ts';
import { parseRange } from '../../server/telephony/telephony.routes.ts';

test('interfaces compare in one canonical form: technology and resource, without options, suffixes or Local halves', () => {
  const cases: [string | undefined, string | null][] = [
    ['PJSIP/101', 'PJSIP/101'], ['pjsip/101', 'PJSIP/101'], ['PJSIP/101-0000002a', 'PJSIP/101'],
    ['PJSIP/operator-7-DEADBEEF', 'PJSIP/operator-7'], ['SIP/trunk-00000001', 'SIP/trunk'], ['IAX2/desk101', 'IAX2/desk101'],
    ['Local/100@operators/n', 'Local/100@operators'], ['Local/100@operators/nj', 'Local/100@operators'],
    ['Local/100@operators-00000003;1', 'Local/100@operators'], ['Local/100@operators-00000003;2', 'Local/100@operators'],
    ['local/100@operators', 'Local/100@operators'], ['PJSIP/101-123', 'PJSIP/101-123'], ['DAHDI/1-1', 'DAHDI/1'],
    ['Local/100', null], ['Skype/101', null], ['PJSIP/', null], ['101', null], ['', null], [undefined, null],
  ];
  for (const [raw, want] of cases) assert.is(canonicalInterface(raw), want, String(raw));
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
