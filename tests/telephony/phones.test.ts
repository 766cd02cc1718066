// Operators' phones against the PBX's queues (the simulator over TCP): an interface no member has
// is saved with a warning, a member's is not, however it is spelt; the directory follows the change
// at once (NOTIFY), so the very next ring pops on the new phone.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { world, signedIn, sse, until, KNOWN_PHONE, type World } from './harness.ts';

let w: World;
test.before(async () => {
  w = await world('telephony_phones');
  await until(() => w.services.telephony.status().connected, 5000, 'AMI');
});
test.after(() => w.close());

test('an interface no queue member has is saved with a warning; a member\'s, in any spelling, without', async () => {
  const admin = await signedIn(w.url, 'admin1');
  const patch = (json: Record<string, unknown>) => admin.fetch(`/api/admin/users/${w.users.op2}`, { method: 'PATCH', body: JSON.stringify(json) });
  const lonely = await (await patch({ sipInterface: 'PJSIP/199' })).json();
  assert.equal([lonely.sipInterface, lonely.warnings], ['PJSIP/199', [{ code: 'interface_not_in_queue', interface: 'PJSIP/199' }]]);
  const member = await (await patch({ sipInterface: 'pjsip/103' })).json();
  assert.equal([member.sipInterface, member.warnings], ['pjsip/103', []]);
  const refused = await patch({ sipInterface: 'Skype/103' });
  assert.is(refused.status, 400);
  assert.equal((await refused.json()).error, 'not_an_interface');
});

test('the directory follows the change at once: the next ring on the new phone pops on that operator', async () => {
  const admin = await signedIn(w.url, 'admin1');
  await admin.fetch(`/api/admin/users/${w.users.op2}`, { method: 'PATCH', body: JSON.stringify({ sipInterface: 'PJSIP/104' }) });
  await until(() => w.services.telephony.operators.of('PJSIP/104-00000001', { quiet: true })?.id === w.users.op2, 3000, 'the directory reloaded');
  const desk = await sse(w.url, (await signedIn(w.url, 'op2')).cookie);
  const call = w.sim.incomingCall({ phone: KNOWN_PHONE });
  call.join('operators');
  call.ring('PJSIP/104');
  const pop = await desk.next((e) => e.data?.type === 'ringing');
  assert.is(pop.data.phone, KNOWN_PHONE);
  call.hangup(16);
  await desk.next((e) => e.data?.type === 'ended');
  desk.close();
});

test.run();
