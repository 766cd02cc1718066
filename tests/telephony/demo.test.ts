// Demo mode: no AMI_HOST, so the product starts the PBX simulator in-process and reaches it over
// loopback TCP with the same AMI client; the desk's "simulate incoming call" is an AMI Originate.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratedDb } from '../helpers/db.ts';
import { serve } from '../helpers/http.ts';
import { createUser } from '../helpers/users.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import { config } from '../../server/config.ts';
import { seedCity, signedIn, sse, until, KNOWN_NAME, world } from './harness.ts';

test('no AMI_HOST: demo mode, simulated call rings the signed-in operator, hang-up through AMI', async () => {
  const { db } = await migratedDb('telephony_demo');
  await seedCity(db);
  await createUser(db, 'op1', 'operator', { sipInterface: 'PJSIP/101' });
  await createUser(db, 'admin1', 'admin');
  const logs: string[] = [];
  const services = testServices(db, { recordingsDir: mkdtempSync(join(tmpdir(), 'misto-rec-')), ami: { ...config.ami, host: '', simPort: 0 } });
  await services.telephony.start({ log: (m) => logs.push(m), simulator: { demoRingMs: 300 } });
  const srv = await serve(createApp(services));
  try {
    assert.ok(logs.some((l) => /DEMO MODE/.test(l)), 'the log says so');
    await until(() => services.telephony.status().connected, 5000, 'AMI to the in-process simulator');
    const op = await signedIn(srv.url, 'op1');
    const st = await (await op.get('/api/telephony/status')).json();
    assert.is(st.demo, true);
    assert.match(st.host, /^127\.0\.0\.1:\d+$/);
    const stream = await sse(srv.url, op.cookie);

    const res = await op.post('/api/desk/simulate-call', { phone: '050-111-22-33' });
    assert.is(res.status, 200);
    assert.equal(await res.json(), { phone: '+380501112233', interface: 'PJSIP/101' });
    const ringing = (await stream.next((e) => e.event === 'call' && e.data.type === 'ringing')).data;
    assert.is(ringing.card.resident.fullName, KNOWN_NAME);
    const answered = (await stream.next((e) => e.event === 'call' && e.data.type === 'answered' && e.data.callId === ringing.callId, 8000)).data;
    assert.ok(answered.answeredAt);
    const hang = await op.post(`/api/calls/${ringing.callId}/hangup`, {});
    assert.is(hang.status, 200);
    await stream.next((e) => e.event === 'call' && e.data.type === 'ended' && e.data.callId === ringing.callId);
    await services.telephony.tracker.settle();
    const row = await db.one(`SELECT operator_id, hangup_cause, caller_phone FROM call WHERE id = $1`, [ringing.callId]);
    assert.is(row.hangup_cause, 16);
    assert.is(row.caller_phone, '+380501112233');
    assert.is((await op.post(`/api/calls/${ringing.callId}/hangup`, {})).status, 409);

    // Without a number: one of the residents' numbers.
    const random = await (await op.post('/api/desk/simulate-call', {})).json();
    assert.ok(['+380501112233', '+380672223344'].includes(random.phone));
    const pop = (await stream.next((e) => e.event === 'call' && e.data.type === 'ringing' && e.data.phone === random.phone && e.data.callId !== ringing.callId)).data;
    assert.is(pop.card.resident.fullName, KNOWN_NAME);
    await op.post(`/api/calls/${pop.callId}/hangup`, {});

    const bad = await op.post('/api/desk/simulate-call', { phone: 'abc' });
    assert.is(bad.status, 400);
    const admin = await signedIn(srv.url, 'admin1');
    const noPhone = await admin.post('/api/desk/simulate-call', {});
    assert.is(noPhone.status, 400);
    assert.match((await noPhone.json()).message, /sip_interface/);
    stream.close();
  } finally {
    await srv.close();
    await services.telephony.stop();
  }
});

test('simulated calls are refused when a real PBX is connected', async () => {
  const w = await world('telephony_nodemo');
  try {
    await until(() => w.services.telephony.status().connected, 5000, 'AMI');
    const op = await signedIn(w.url, 'op1');
    const r = await op.post('/api/desk/simulate-call', {});
    assert.is(r.status, 409);
    assert.match((await r.json()).message, /demo mode/);
  } finally { await w.close(); }
});

test.run();
