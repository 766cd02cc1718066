// The database and vocabulary/ mean the same by each word: every CHECK list is exactly the
// vocabulary's list, and SQL's "open" and "terminal" statuses are the vocabulary's.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import type { Db } from '../../server/db/db.ts';
import { APPEAL_STATUSES, CHANNELS, DEADLINE_BASES, EVENT_KINDS, STATUS_MEANING } from '../../vocabulary/appeals.ts';
import { PLAN_REASONS, REJECT_REASONS } from '../../vocabulary/appeal-lifecycle.ts';
import { INFRA_KINDS, STREET_KINDS } from '../../vocabulary/city.ts';
import { KINDS, UTILITIES } from '../../vocabulary/announcements.ts';
import { ROLES } from '../../vocabulary/roles.ts';
import { CALL_OUTCOMES } from '../../vocabulary/telephony.ts';

let db: Db;
test.before(async () => { ({ db } = await migratedDb('vocabulary')); });

/** The values a CHECK constraint on `table` allows for `column` (the first check naming it). */
async function allowed(table: string, column: string): Promise<string[]> {
  const defs = await db.map<string>(`
    SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
     WHERE c.conrelid = $1::regclass AND c.contype = 'c'`, [table], (r: { def: string }) => r.def);
  const def = defs.find((d) => new RegExp(`\\(${column} = ANY|\\(\\(${column}\\)::text = ANY|${column} IN`).test(d));
  assert.ok(def, `a CHECK on ${table}.${column}`);
  return [...def!.matchAll(/'([^']+)'::text/g)].map((m) => m[1]).sort();
}
const sorted = (xs: readonly string[]) => [...xs].sort();

test('CHECK constraints allow exactly the vocabulary', async () => {
  assert.equal(await allowed('appeal', 'status'), sorted(APPEAL_STATUSES));
  assert.equal(await allowed('appeal', 'channel'), sorted(CHANNELS));
  assert.equal(await allowed('appeal_event', 'kind'), sorted(EVENT_KINDS));
  assert.equal(await allowed('appeal', 'plan_reason'), sorted(PLAN_REASONS));
  assert.equal(await allowed('appeal', 'reject_reason'), sorted(REJECT_REASONS));
  assert.equal(await allowed('category', 'deadline_basis'), sorted(DEADLINE_BASES));
  assert.equal(await allowed('infra_object', 'kind'), sorted(INFRA_KINDS));
  assert.equal(await allowed('street', 'kind'), sorted(STREET_KINDS));
  assert.equal(await allowed('announcement', 'utility'), sorted(UTILITIES));
  assert.equal(await allowed('announcement', 'kind'), sorted(KINDS));
  assert.equal(await allowed('executor', 'utility'), sorted(UTILITIES));
  assert.equal(await allowed('app_user', 'role'), sorted(ROLES));
  assert.equal(await allowed('call', 'outcome'), sorted(CALL_OUTCOMES));
});

test('appeal_status_is_open and _is_terminal say what STATUS_MEANING says', async () => {
  const rows = await db.any<{ s: string; open: boolean; terminal: boolean }>(
    `SELECT s, appeal_status_is_open(s) AS open, appeal_status_is_terminal(s) AS terminal FROM unnest($1::text[]) s`, [APPEAL_STATUSES]);
  for (const r of rows) {
    const m = STATUS_MEANING[r.s as keyof typeof STATUS_MEANING];
    assert.is(r.open, m.open, `${r.s} open`);
    assert.is(r.terminal, m.terminal, `${r.s} terminal`);
  }
});

test.run();
