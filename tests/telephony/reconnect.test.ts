// Losing the PBX connection must not lose calls: after the manager interface comes back the log is
// reconciled with the PBX's live channels (CoreShowChannels).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { world, signedIn, sse, until, KNOWN_PHONE, type World } from './harness.ts';
import { LOST_TEXT } from '../../server/telephony/call-tracker.ts';
import { builder } from '../helpers/build.ts';

let w: World;
test.before(async () => { w = await world('telephony_reconnect'); await until(() => w.services.telephony.status().connected, 5000, 'AMI'); });
test.after(() => w.close());

const row = (u: string) => w.db.one(`SELECT * FROM call WHERE uniqueid = $1`, [u]);

test('the simulator restarts: calls that ended in the gap are closed, calls that began in it are logged and popped', async () => {
  const s1 = await sse(w.url, (await signedIn(w.url, 'op1')).cookie);
  const s2 = await sse(w.url, (await signedIn(w.url, 'op2')).cookie);
  const a = w.sim.incomingCall({ phone: KNOWN_PHONE });
  a.join('operators'); a.ring('PJSIP/101'); a.answer();
  const b = w.sim.incomingCall({ phone: '+380931110000' });
  b.join('operators'); b.ring('PJSIP/102'); b.answer();
  await s1.next((e) => e.data?.uniqueid === a.uniqueid && e.data.type === 'answered');
  await s2.next((e) => e.data?.uniqueid === b.uniqueid && e.data.type === 'answered');
  await w.services.telephony.tracker.settle();

  await w.sim.stop();
  await until(() => !w.services.telephony.status().connected, 2000, 'disconnect noticed');
  // While the product cannot hear the PBX: A ends, C is answered by op1, D rings op2.
  a.hangup(16);
  const c = w.sim.incomingCall({ phone: '+380932220000' });
  c.join('operators'); c.ring('PJSIP/101'); c.answer();
  const d = w.sim.incomingCall({ phone: KNOWN_PHONE });
  d.join('operators'); d.ring('PJSIP/102');
  const reconciled = w.services.telephony.reconciled();
  await w.sim.start();
  await reconciled;
  await w.services.telephony.tracker.settle();
  assert.ok(w.services.telephony.status().connected);

  const ra = await row(a.uniqueid);
  assert.ok(ra.hungup_at, 'A is closed');
  assert.is(ra.hangup_cause_text, LOST_TEXT);
  const lost = (await s1.next((e) => e.data?.uniqueid === a.uniqueid && e.data.type === 'ended')).data;
  assert.is(lost.reason, 'lost');

  const rb = await row(b.uniqueid);
  assert.is(rb.hungup_at, null, 'B still in progress');

  const rc = await row(c.uniqueid);
  assert.is(rc.operator_id, w.users.op1);
  assert.ok(rc.answered_at);
  assert.is(rc.queue, 'operators');
  assert.is(rc.caller_phone, '+380932220000');
  assert.is(rc.hungup_at, null);
  assert.ok(w.services.clock.now().getTime() - rc.entered_at.getTime() < 5000);
  const popC = (await s1.next((e) => e.data?.uniqueid === c.uniqueid)).data;
  assert.is(popC.type, 'answered');

  const rd = await row(d.uniqueid);
  assert.is(rd.agent_interface, 'PJSIP/102');
  assert.is(rd.answered_at, null);
  const popD = (await s2.next((e) => e.data?.uniqueid === d.uniqueid)).data;
  assert.is(popD.type, 'ringing');
  assert.is(popD.card.resident.id, 1);

  // Tracked again from live events: D is answered and everything hangs up normally.
  d.answer();
  await s2.next((e) => e.data?.uniqueid === d.uniqueid && e.data.type === 'answered');
  b.hangup(16); c.hangup(16); d.hangup(16);
  await s2.next((e) => e.data?.uniqueid === d.uniqueid && e.data.type === 'ended');
  await w.services.telephony.tracker.settle();
  for (const u of [b.uniqueid, c.uniqueid, d.uniqueid]) {
    const r = await row(u);
    assert.is(r.hangup_cause, 16, `${u} ended normally`);
  }
  assert.is((await row(d.uniqueid)).resident_id, 1, 'the caller found in the PBX list is identified');
  s1.close(); s2.close();
});

test('a half-open connection (the PBX stops answering) is noticed by our own Ping and replaced', async () => {
  const before = w.sim.stats.logins;
  w.sim.freeze();
  await until(() => w.sim.stats.logins > before && w.services.telephony.status().connected, 5000, 'a new login');
  assert.ok(w.logs.some((l) => /no Pong within/.test(l)), 'the reason is logged');
});

test('calls left open by a previous process are closed at the next reconciliation', async () => {
  await builder(w.db).call({ uniqueid: '1700000000.1', callerPhone: '+380501112233', enteredAt: new Date(w.services.clock.now().getTime() - 3600_000) });
  const reconciled = w.services.telephony.reconciled();
  w.sim.dropConnections();
  await reconciled;
  const r = await row('1700000000.1');
  assert.ok(r.hungup_at);
  assert.is(r.hangup_cause_text, LOST_TEXT);
});

test.run();
