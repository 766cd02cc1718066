// Phone numbers: every national form a caller or an operator writes becomes one E.164 number, and
// numbers in log lines are masked while uniqueids and other numbers stay readable.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { isE164, normalizePhone } from '../../vocabulary/phone.ts';
import { maskPhones } from '../../server/observe/log.ts';

test('Ukrainian forms normalise to +380…', () => {
  for (const raw of ['050 123 45 67', '(050)123-45-67', '+38 050 123-45-67', '380501234567', '80501234567', '501234567',
    '0501234567', '+380501234567', '00380501234567', ' 050.123.45.67 ', '050/123-45-67']) {
    assert.is(normalizePhone(raw), '+380501234567', raw);
  }
});

test('other countries in international form; nonsense is refused', () => {
  assert.is(normalizePhone('+48 22 123 45 67'), '+48221234567');
  assert.is(normalizePhone('0048221234567'), '+48221234567');
  for (const raw of ['12', 'call me', '', '+', '+0501234567', '050-123-45-6x', '+3805012345678901', '050 123 45 67 ext 2']) {
    assert.is(normalizePhone(raw), null, raw);
  }
  // Outside Ukraine a national number has no country to assume.
  assert.is(normalizePhone('0501234567', '48'), null);
  assert.ok(isE164('+380501234567'));
  assert.not.ok(isE164('0501234567'));
});

test('log lines: phones masked to their first four and last two characters', () => {
  assert.is(maskPhones('caller +380501234567 rang'), 'caller +380•••••••67 rang');
  assert.is(maskPhones('380501234567'), '3805••••••67');
  assert.is(maskPhones('0501234567, 0671112233'), '0501••••67, 0671••••33');
  assert.is(maskPhones('call 1796164887.5 on PJSIP/101-0000002a'), 'call 1796164887.5 on PJSIP/101-0000002a', 'uniqueids are not phones');
  assert.is(maskPhones('call 1700000000.42 ended'), 'call 1700000000.42 ended');
  assert.is(maskPhones('appeal 15-80/2026/000123, 42 rows'), 'appeal 15-80/2026/000123, 42 rows');
  assert.is(maskPhones('+380501234567: 2 calls'), '+380•••••••67: 2 calls');
  // As residents and operators type them.
  assert.is(maskPhones('tel. +38 (050) 123-45-67'), 'tel. +38 (0••) •••-••-67');
  assert.is(maskPhones('050 123 45 67 or 067-111-22-33'), '050 1•• •• 67 or 067-1••-••-33');
  assert.is(maskPhones('(050)1234567'), '(050)1••••67');
  assert.is(maskPhones('on 2026-12-01 at 10:00, 12 345 67 rows'), 'on 2026-12-01 at 10:00, 12 345 67 rows', 'dates and counts are not phones');
});

test.run();
