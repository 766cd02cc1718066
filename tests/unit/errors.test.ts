// Error codes are vocabulary: each has its text in both languages, and describeError turns an API
// error body into the reader's sentence with the field's label and the server's values.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { ERROR_CODES } from '../../vocabulary/errors.ts';
import { LOCALES, messages } from '../../vocabulary/i18n/messages.ts';
import { describeError } from '../../vocabulary/i18n/describe-error.ts';
import { fromPostgres } from '../../server/http/errors.ts';

const table = messages as Record<string, Record<string, string>>;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every message has both languages, with the same placeholders', () => {
  for (const [key, text] of Object.entries(table)) {
    for (const l of LOCALES) assert.ok(typeof text[l] === 'string' && text[l].trim() !== '', `${key} has no ${l}`);
    assert.equal(placeholders(text.uk), placeholders(text.en), `${key}: {…} in uk and en`);
  }
});

test('every error code has its text; every error text is a code or a page of its own', () => {
  assert.is(new Set(ERROR_CODES).size, ERROR_CODES.length, 'no code twice');
  for (const code of ERROR_CODES) assert.ok(`error.${code}` in table, `error.${code}`);
  // Texts of the error pages and of the client's own failure, which are not API codes.
  const pages = ['403', '404', '503', 'generic', 'back', 'network'];
  const codes = new Set<string>([...ERROR_CODES, ...pages]);
  for (const key of Object.keys(table).filter((k) => k.startsWith('error.'))) assert.ok(codes.has(key.slice(6)), `${key} is no error code`);
});

test('an error body in the reader\'s language, with the field\'s label and the values', () => {
  const body = { error: 'too_short', message: 'text must have at least 5 characters', field: 'text', params: { min: 5 } };
  assert.is(describeError('uk', body), 'Поле «Опис проблеми»: щонайменше 5 символів.');
  assert.is(describeError('en', body), '“Description”: at least 5 characters.');
  assert.is(describeError('uk', { error: 'illegal_move', params: { from: 'закрито', to: 'в роботі' } }), 'Звернення у статусі «закрито» не можна перевести в «в роботі».');
  assert.is(describeError('en', { error: 'not_found', message: 'Appeal 7 not found' }), 'Not found.', 'never the server\'s English sentence');
});

test('field labels: the field\'s own, its list\'s, its object\'s, else "value"', () => {
  const label = (field: string) => describeError('en', { error: 'required', field });
  assert.is(label('zone.widthM'), 'Fill in “Width”.');
  assert.is(label('point[0]'), 'Fill in “Point on the map”.');
  assert.is(label('zone.geometry'), 'Fill in “Zone”.');
  assert.is(label('nosuchfield'), 'Fill in “value”.');
  assert.is(describeError('uk', { error: 'required' }), 'Заповніть поле «значення».');
});

test('an unknown code or no body reads as the generic text', () => {
  assert.is(describeError('uk', { error: 'no_such_code', message: 'Boom' }), 'Щось пішло не так.');
  assert.is(describeError('en', null), 'Something went wrong.');
  assert.is(describeError('en', undefined), 'Something went wrong.');
  assert.is(describeError('en', {}), 'Something went wrong.');
  assert.is(describeError('en', { error: 'network' }), 'No connection to the server. Check the network.');
});

test('PostgreSQL errors become their 4xx/503; the driver\'s own errors (numeric codes) are left to the caller', () => {
  assert.equal([fromPostgres({ code: '23505', message: 'dup', constraint: 'u' })?.status, fromPostgres({ code: '22P05', message: 'nul' })?.status], [409, 400]);
  assert.is(fromPostgres({ code: '57P01', message: 'admin shutdown' })?.code, 'database_unavailable');
  // pg-promise's QueryResultError: "No data returned from the query." with code 0.
  assert.is(fromPostgres({ code: 0, message: 'No data returned from the query.' }), undefined);
  assert.is(fromPostgres({ message: 'no code at all' }), undefined);
});

test.run();
