// Screen pops on the seeded demo city (≈ Ivano-Frankivsk, 230k residents): the demo operators
// (sip_interface PJSIP/101 and PJSIP/102) get the cards of real demo residents.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { demoCity, DEMO_PASSWORD } from '../helpers/city.ts';
import { client } from '../helpers/http.ts';
import { telephonyOn, sse, until } from './harness.ts';
import { OPEN_APPEALS_LIMIT } from '../../server/residents/residents.repo.ts';

test('demo residents pop on the demo operator they ring, with their open appeals and building', async () => {
  const { db } = await demoCity('telephony_city');
  const w = await telephonyOn(db);
  try {
    await until(() => w.services.telephony.status().connected, 5000, 'AMI');
    const ops = await db.map(`SELECT login, sip_interface FROM app_user WHERE login IN ('operator', 'operator2') ORDER BY login`, [],
      (r: { login: string; sip_interface: string }) => r);
    assert.equal(ops.map((o) => o.sip_interface), ['PJSIP/101', 'PJSIP/102']);
    const streams = [];
    for (const o of ops) {
      const c = client(w.url);
      assert.is((await c.signIn(o.login, DEMO_PASSWORD)).status, 200);
      streams.push(await sse(w.url, c.cookie));
    }
    const who = await db.one(`
      SELECT p.phone, r.id, r.full_name, r.apartment, b.address,
             (SELECT count(*)::int FROM appeal a WHERE a.resident_id = r.id AND a.status NOT IN ('closed', 'rejected')) AS open
        FROM resident_phone p JOIN resident r ON r.id = p.resident_id JOIN building b ON b.id = r.building_id
       WHERE EXISTS (SELECT 1 FROM appeal a WHERE a.resident_id = r.id AND a.status NOT IN ('closed', 'rejected'))
       ORDER BY p.phone LIMIT 1`);
    // The trunk delivers the national format.
    const national = '0' + who.phone.slice(4);
    const call = w.sim.incomingCall({ phone: national, local: true });
    call.join('operators');
    call.ring('PJSIP/102');
    const pop = (await streams[1].next((e) => e.event === 'call' && e.data.uniqueid === call.uniqueid)).data;
    assert.is(pop.phone, who.phone);
    assert.is(pop.card.resident.id, who.id);
    assert.is(pop.card.resident.fullName, who.full_name);
    assert.is(pop.card.resident.apartment, who.apartment);
    assert.is(pop.card.resident.building.address, who.address);
    assert.ok(pop.card.resident.phones.includes(who.phone));
    assert.is(pop.card.openAppeals.length, Math.min(who.open, OPEN_APPEALS_LIMIT));
    assert.ok(pop.card.openAppeals.every((a: { status: string }) => !['closed', 'rejected'].includes(a.status)));
    const banner = await db.map(`
      SELECT a.id FROM announcement_building ab JOIN announcement a ON a.id = ab.announcement_id JOIN resident r ON r.building_id = ab.building_id
       WHERE r.id = $1 AND a.status = 'published' AND a.ends_at > $2 ORDER BY a.id`, [who.id, w.services.clock.now()], (r: { id: number }) => r.id);
    assert.equal(pop.card.announcements.map((a: { id: number }) => a.id).sort(), banner);
    call.hangup(16);
    await streams[1].next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ended');
    assert.is(streams[0].calls().filter((c) => c.uniqueid === call.uniqueid).length, 0, 'operator (PJSIP/101) got nothing');

    // A resident of a building inside an active announcement gets the banner.
    const affected = await db.oneOrNone(`
      SELECT p.phone, a.id AS announcement FROM announcement a JOIN announcement_building ab ON ab.announcement_id = a.id
        JOIN resident r ON r.building_id = ab.building_id JOIN resident_phone p ON p.resident_id = r.id
       WHERE a.status = 'published' AND a.starts_at <= $1 AND a.ends_at > $1 LIMIT 1`, [w.services.clock.now()]);
    if (affected) {
      const c2 = w.sim.incomingCall({ phone: affected.phone });
      c2.join('operators'); c2.ring('PJSIP/101');
      const p2 = (await streams[0].next((e) => e.event === 'call' && e.data.uniqueid === c2.uniqueid)).data;
      assert.ok(p2.card.announcements.some((a: { id: number }) => a.id === affected.announcement), 'banner of the active announcement');
      c2.hangup(16);
      await streams[0].next((e) => e.data?.uniqueid === c2.uniqueid && e.data.type === 'ended');
    } else console.log('  (no announcement is active now in the demo city: banner not checked here; screenpop.test.ts checks it)');
    for (const s of streams) s.close();
  } finally { await w.close(); }
});

test.run();
