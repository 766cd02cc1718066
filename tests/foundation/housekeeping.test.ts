// The hourly sweep: expired sessions, throttle keys quiet for longer than any counts, and confirmation
// mails and web reports (e-mail addresses) older than the longest limit window are deleted; everything still in use stays.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { testClock, TEST_NOW, HOUR } from '../helpers/clock.ts';
import { createRepos } from '../../server/services.ts';
import { housekeeping } from '../../server/jobs/housekeeping.ts';
import type { Db } from '../../server/db/db.ts';

const DAY = 24 * HOUR;
const at = (ms: number) => new Date(TEST_NOW.getTime() + ms);
let db: Db;
test.before(async () => { ({ db } = await migratedDb('housekeeping')); });

test('the sweep deletes what no longer counts and keeps what does', async () => {
  const user = await builder(db).user('operator');
  const session = (hex: string, expires: Date) => db.none(
    `INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (decode($1, 'hex'), $2, $3, $3, $4)`,
    [hex, user, at(-10 * DAY), expires]);
  await session('01', at(-1));
  await session('02', at(HOUR));
  const throttle = (key: string, last: Date) => db.none(
    'INSERT INTO sign_in_throttle (key, failures, last_at, blocked_until) VALUES ($1, 3, $2, $2)', [key, last]);
  await throttle('pair:old|1.2.3.4', at(-31 * DAY));
  await throttle('known:op|1.2.3.4', at(-29 * DAY));
  const mail = (email: string, sent: Date) => db.none(
    'INSERT INTO confirmation_mail_log (email, client, sent_at) VALUES ($1, $2, $3)', [email, '1.2.3.4', sent]);
  await mail('old@example.com', at(-25 * HOUR));
  await mail('recent@example.com', at(-23 * HOUR));
  for (const [email, hours] of [['old@example.com', -25], ['recent@example.com', -1]] as const) {
    await db.none('INSERT INTO web_report_log (email, client, at) VALUES ($1, $2, $3)', [email, '1.2.3.4', at(hours * HOUR)]);
  }

  const repos = createRepos(db);
  const sweep = housekeeping({ auth: repos.auth, announcements: repos.announcements, intake: repos.intake, clock: testClock(), mailWindowS: 24 * 3600, reportWindowS: 24 * 3600 });
  assert.equal(await sweep(), { sessions: 1, throttleKeys: 1, confirmationMails: 1, webReports: 1 });
  assert.equal((await db.any(`SELECT encode(token_hash, 'hex') AS t FROM user_session`)).map((r) => r.t), ['02']);
  assert.equal((await db.any('SELECT key FROM sign_in_throttle')).map((r) => r.key), ['known:op|1.2.3.4']);
  assert.equal((await db.any('SELECT email FROM confirmation_mail_log')).map((r) => r.email), ['recent@example.com']);
  assert.equal((await db.any('SELECT email FROM web_report_log')).map((r) => r.email), ['recent@example.com']);
  // A second sweep finds nothing more.
  assert.equal(await sweep(), { sessions: 0, throttleKeys: 0, confirmationMails: 0, webReports: 0 });
});

test.run();
