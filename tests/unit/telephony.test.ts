// Telephony's pure parts: the phone interface behind an Asterisk channel or queue member, the operator
// behind it (the directory, with its logging of phones nobody has), and the byte range
// a recording is streamed with.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { canonicalInterface } from '../../vocabulary/telephony.ts';
import { parseRange } from '../../server/telephony/telephony.routes.ts';
import { operatorDirectory } from '../../server/telephony/operators.ts';

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

test('the operators\' directory: any spelling Asterisk uses finds the operator; a phone nobody has is logged once per 10 minutes', async () => {
  let now = Date.parse('2026-03-29T00:30:00Z');
  const logs: string[] = [];
  const dir = operatorDirectory({
    operatorInterfaces: async () => [
      { id: 1, fullName: 'Олена Коваль', sipInterface: 'Local/100@operators' },
      { id: 2, fullName: 'Петро Іваненко', sipInterface: 'pjsip/102' },
      { id: 3, fullName: 'Друга Олена', sipInterface: 'Local/100@operators/n' },
      { id: 4, fullName: 'Помилка', sipInterface: 'Skype/7' },
    ],
    watchOperators: () => ({ close: async () => {} }),
  }, { clock: { now: () => new Date(now) }, log: (m) => logs.push(m) });
  await dir.start();
  assert.is(dir.of('Local/100@operators/n')?.id, 1);
  assert.is(dir.of('Local/100@operators-0000001c;2')?.id, 1);
  assert.is(dir.of('PJSIP/102-0000002a')?.id, 2);
  assert.equal(logs, [
    'operators 1 and 3 share the phone interface Local/100@operators: pops go to 1',
    'operator 4: "Skype/7" is not a phone interface Asterisk can ring',
  ]);
  logs.length = 0;
  assert.is(dir.of('PJSIP/199-00000001'), null);
  assert.is(dir.of('PJSIP/199-00000002'), null);
  assert.equal(logs, ['the PBX rang PJSIP/199-00000001, but no operator has the phone interface PJSIP/199 (Admin → Users): no screen pop']);
  now += 10 * 60_000 + 1;
  assert.is(dir.of('PJSIP/199-00000003'), null);
  assert.is(logs.length, 2, 'logged again after ten minutes');
  assert.is(dir.of('PJSIP/198', { quiet: true }), null);
  assert.is(logs.length, 2, 'a quiet look-up logs nothing');
  await dir.stop();
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
