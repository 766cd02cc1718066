// Appeals' free text by role (server/appeals/appeals.service.ts redact, redactEvent): withheld from
// an analyst without an admin's grant, null with `textHidden`; every other role reads it as before.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { redact, redactEvent } from '../../server/appeals/appeals.service.ts';
import { FREE_TEXT_GRANT_ROLES, ROLES, canSeeFreeText, type Role, type User } from '../../vocabulary/roles.ts';
import { EVENT_KINDS } from '../../vocabulary/appeals.ts';

const user = (role: Role, seesAppealText?: boolean): User => ({ id: 1, login: 'u', fullName: 'U', role, executorId: null, sipInterface: null, seesAppealText });
const row = { id: 7, text: 'Тече дах', answer: 'Залатано', executorOverrideReason: 'Не та ділянка', dueOverrideReason: 'Свято',
  returnReason: 'Не наше', residentName: 'Коваленко', callerPhone: '+380501112233', apartment: '5', residentId: 3, status: 'done' as const };

test('only analysts need the grant; without it (or with it absent) they read no free text', () => {
  assert.equal(FREE_TEXT_GRANT_ROLES, ['analyst']);
  for (const role of ROLES) assert.is(canSeeFreeText(user(role)), role !== 'analyst', role);
  assert.is(canSeeFreeText(user('analyst', true)), true);
  assert.is(canSeeFreeText(user('analyst', false)), false);
  assert.is(canSeeFreeText(null), false);
});

test('redact: an analyst without the grant gets the words as null and textHidden; with it the words, never the resident', () => {
  const hidden = redact(row, user('analyst'));
  assert.equal([hidden.text, hidden.answer, hidden.executorOverrideReason, hidden.dueOverrideReason, hidden.returnReason, hidden.textHidden], [null, null, null, null, null, true]);
  assert.equal([hidden.id, hidden.status, hidden.residentName, hidden.callerPhone], [7, 'done', null, null]);
  const granted = redact(row, user('analyst', true));
  assert.equal([granted.text, granted.answer, granted.returnReason, 'textHidden' in granted], ['Тече дах', 'Залатано', 'Не наше', false]);
  assert.is(granted.residentName, null);
  for (const role of ['admin', 'operator', 'executor', 'supervisor'] as const) {
    const r = redact(row, user(role));
    assert.equal([r.text, r.answer, 'textHidden' in r], ['Тече дах', 'Залатано', false], role);
  }
  assert.is(redact(row, user('operator')).residentName, 'Коваленко');
  // A list row without the detail's columns gains none of them.
  assert.equal(Object.keys(redact({ id: 1, text: 'x' }, user('analyst'))).sort(), ['apartment', 'callerPhone', 'id', 'residentId', 'residentName', 'text', 'textHidden']);
});

test('redactEvent: the words of answers, comments and reasons go; codes and events without words stay unmarked', () => {
  const a = user('analyst');
  assert.equal(redactEvent({ kind: 'comment', data: { text: 'Мешканець каже', by: 'resident' } }, a), { kind: 'comment', data: { text: null, by: 'resident', phone: undefined }, textHidden: true });
  assert.equal(redactEvent({ kind: 'answer', data: { text: 'Зроблено' } }, a).data.text, null);
  assert.equal(redactEvent({ kind: 'assigned', data: { executorId: 2, source: 'reassign', reason: 'Чужа ділянка' } }, a).data, { executorId: 2, source: 'reassign', reason: null, phone: undefined });
  assert.equal(redactEvent({ kind: 'status', data: { from: 'new', to: 'in_progress' } }, a), { kind: 'status', data: { from: 'new', to: 'in_progress', phone: undefined } });
  const survey = redactEvent({ kind: 'survey', data: { step: 'skipped', reason: 'no_phone' } }, a);
  assert.equal([survey.data.reason, 'textHidden' in survey], ['no_phone', false], 'a survey\'s reason is a code');
  assert.equal(redactEvent({ kind: 'comment', data: { text: 'Так' } }, user('analyst', true)).data.text, 'Так');
  assert.equal(redactEvent({ kind: 'comment', data: { text: 'Так' } }, user('executor')).data.text, 'Так');
  assert.equal(redactEvent({ kind: 'created', data: { phone: '+380501112233' } }, user('executor')).data.phone, undefined, 'the phone stays the desk\'s');
  for (const kind of EVENT_KINDS) redactEvent({ kind, data: {} }, a);
});

test.run();
