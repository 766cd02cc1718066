// The vocabulary agrees with itself: every list's values have their meaning, their labels in the
// i18n table (for the keys the UI builds from them) and no stray entries. What the database allows
// is held against the same lists by tests/foundation/vocabulary.test.ts.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import {
  APPEAL_STATUSES, CHANNELS, EVENT_KINDS, EXECUTOR_MOVES, NEEDS_ANSWER, OPEN_STATUSES, STATUS_MEANING, isAppealStatus, isOpen, isTerminal,
} from '../../vocabulary/appeals.ts';
import { KINDS, KIND_COLOR, UTILITIES, UTILITY_COLOR } from '../../vocabulary/announcements.ts';
import { AREA_KINDS, INFRA_KINDS, STREET_KINDS, STREET_KIND_WORDS, STREET_PREFIX, streetKindOf } from '../../vocabulary/city.ts';
import { AREA_ROLES, PERSONAL_DATA_ROLES, ROLES } from '../../vocabulary/roles.ts';
import { messages } from '../../vocabulary/i18n/messages.ts';

const labelled = (prefix: string, values: readonly string[]) => {
  for (const v of values) assert.ok(`${prefix}.${v}` in messages, `${prefix}.${v} has no text`);
};
const distinct = (name: string, values: readonly string[]) => assert.is(new Set(values).size, values.length, `${name} without repeats`);
const within = (name: string, values: readonly string[], list: readonly string[]) => {
  for (const v of values) assert.ok(list.includes(v), `${name}: "${v}" is not in the list`);
};

test('appeal statuses: each has a meaning and a label; open and terminal exclude each other', () => {
  distinct('APPEAL_STATUSES', APPEAL_STATUSES);
  assert.equal(Object.keys(STATUS_MEANING).sort(), [...APPEAL_STATUSES].sort());
  labelled('appeal.status', APPEAL_STATUSES);
  for (const s of APPEAL_STATUSES) {
    const m = STATUS_MEANING[s];
    assert.not.ok(m.open && m.terminal, `${s} is open and terminal`);
    assert.is(isOpen(s), m.open, s);
    assert.is(isTerminal(s), m.terminal, s);
    assert.ok(isAppealStatus(s));
  }
  assert.equal([...OPEN_STATUSES], APPEAL_STATUSES.filter((s) => STATUS_MEANING[s].open));
  assert.not.ok(isAppealStatus('archived'));
  assert.not.ok(isOpen('archived') || isTerminal('archived'));
});

test('executor moves name statuses only, stay put only to re-plan, and end nowhere after the end', () => {
  assert.equal(Object.keys(EXECUTOR_MOVES).sort(), [...APPEAL_STATUSES].sort());
  for (const [from, to] of Object.entries(EXECUTOR_MOVES)) {
    within(`EXECUTOR_MOVES.${from}`, to, APPEAL_STATUSES);
    distinct(`EXECUTOR_MOVES.${from}`, to);
    // Planned works may be re-planned to another date; nothing else stays put.
    if (from !== 'planned') assert.not.ok(to.includes(from as never), `${from} → ${from}`);
    if (isTerminal(from)) assert.equal(to, [], `${from} is terminal`);
  }
  // Every open appeal can be finished by its executor one way or the other.
  for (const s of OPEN_STATUSES) assert.ok(EXECUTOR_MOVES[s].includes('done') && EXECUTOR_MOVES[s].includes('rejected'), s);
  within('NEEDS_ANSWER', NEEDS_ANSWER, APPEAL_STATUSES);
  distinct('CHANNELS', CHANNELS);
  distinct('EVENT_KINDS', EVENT_KINDS);
});

test('roles: labelled, and the areas and personal data name only roles', () => {
  distinct('ROLES', ROLES);
  labelled('role', ROLES);
  for (const [area, roles] of Object.entries(AREA_ROLES)) {
    within(`AREA_ROLES.${area}`, roles, ROLES);
    assert.ok((roles as readonly string[]).includes('admin'), `admin may open ${area}`);
  }
  within('PERSONAL_DATA_ROLES', PERSONAL_DATA_ROLES, ROLES);
});

test('utilities and announcement kinds: labels on the map and in mail, one colour each', () => {
  distinct('UTILITIES', UTILITIES);
  distinct('KINDS', KINDS);
  labelled('ann.utility', UTILITIES);
  labelled('mail.utility', UTILITIES);
  labelled('ann.kind', KINDS);
  assert.equal(Object.keys(UTILITY_COLOR).sort(), [...UTILITIES].sort());
  assert.equal(Object.keys(KIND_COLOR).sort(), [...KINDS].sort());
  for (const c of [...Object.values(UTILITY_COLOR), ...Object.values(KIND_COLOR)]) assert.match(c, /^#[0-9a-f]{6}$/);
  distinct('utility colours', Object.values(UTILITY_COLOR));
});

test('infrastructure kinds: labelled on Karta and at the desk; areas are kinds', () => {
  distinct('INFRA_KINDS', INFRA_KINDS);
  labelled('karta.kind', INFRA_KINDS);
  labelled('desk.kind', INFRA_KINDS);
  within('AREA_KINDS', AREA_KINDS, INFRA_KINDS);
});

test('street kinds: each has its prefix, and its name and its prefix read back as it', () => {
  distinct('STREET_KINDS', STREET_KINDS);
  assert.equal(Object.keys(STREET_PREFIX).sort(), [...STREET_KINDS].sort());
  within('STREET_KIND_WORDS', Object.values(STREET_KIND_WORDS), STREET_KINDS);
  for (const k of STREET_KINDS) {
    assert.is(streetKindOf(k), k);
    assert.is(streetKindOf(STREET_PREFIX[k]), k, `"${STREET_PREFIX[k]}"`);
    assert.is(streetKindOf(k.toUpperCase()), k);
  }
  assert.is(streetKindOf('майдан'), undefined);
});

test.run();
