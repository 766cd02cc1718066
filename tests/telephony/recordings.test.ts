// Recordings: MixMonitor names the file by the uniqueid, the row links it to the call and, through
// appeal.call_id, to the appeal; it streams with Range to operators, admins and the assigned executor.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { world, signedIn, sse, until, sleep, KNOWN_PHONE } from './harness.ts';
import { client } from '../helpers/http.ts';
import { builder } from '../helpers/build.ts';

test('a recorded call: file by uniqueid, linked to call and appeal, streamed with Range to the right people', async () => {
  const w = await world('telephony_rec');
  try {
    await until(() => w.services.telephony.status().connected, 5000, 'AMI');
    const op1 = await signedIn(w.url, 'op1');
    const stream = await sse(w.url, op1.cookie);
    const call = w.sim.incomingCall({ phone: KNOWN_PHONE });
    call.join('operators'); call.ring('PJSIP/101'); call.answer();
    const pop = (await stream.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'answered')).data;
    // An appeal registered during the call (the desk does this through POST /api/appeals).
    await w.services.telephony.tracker.settle();
    const appeal = { id: await builder(w.db).appeal({ number: '15-80/2026/000010', resident: 1, category: 1, executor: 1,
      dueAt: new Date(w.services.clock.now().getTime() + 24 * 3600_000), call: pop.callId, operator: w.users.op1 }) };
    await sleep(500);
    call.hangup(16);
    await stream.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ended');
    const rec = await until(() => w.db.oneOrNone(`SELECT * FROM recording WHERE call_id = $1 AND bytes IS NOT NULL`, [pop.callId]), 3000, 'recording finished');
    assert.is(rec.path, `${call.uniqueid}.wav`);
    const file = readFileSync(join(w.recordingsDir, rec.path));
    assert.is(rec.bytes, file.length);
    assert.ok(file.length > 44 + 8000 * 2 * 0.4, 'about half a second of 8 kHz 16-bit audio');
    assert.is(file.subarray(0, 4).toString(), 'RIFF');
    assert.is(file.subarray(8, 12).toString(), 'WAVE');

    const detail = await (await op1.get(`/api/calls/${pop.callId}`)).json();
    assert.equal(detail.recordings.map((r: { id: number }) => r.id), [rec.id]);
    assert.equal(detail.appeals, [{ id: appeal.id, number: '15-80/2026/000010' }]);

    const url = `/api/recordings/${rec.id}`;
    const full = await op1.get(url);
    assert.is(full.status, 200);
    assert.is(full.headers.get('accept-ranges'), 'bytes');
    assert.is(full.headers.get('content-type'), 'audio/wav');
    assert.is(Number(full.headers.get('content-length')), file.length);
    assert.ok(Buffer.from(await full.arrayBuffer()).equals(file));

    const head = await op1.fetch(url, { headers: { range: 'bytes=0-43' } });
    assert.is(head.status, 206);
    assert.is(head.headers.get('content-range'), `bytes 0-43/${file.length}`);
    assert.ok(Buffer.from(await head.arrayBuffer()).equals(file.subarray(0, 44)));

    const tail = await op1.fetch(url, { headers: { range: 'bytes=-100' } });
    assert.is(tail.status, 206);
    assert.is(tail.headers.get('content-range'), `bytes ${file.length - 100}-${file.length - 1}/${file.length}`);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(file.subarray(file.length - 100)));

    const open = await op1.fetch(url, { headers: { range: 'bytes=1000-' } });
    assert.is(open.status, 206);
    assert.is((await open.arrayBuffer()).byteLength, file.length - 1000);

    const beyond = await op1.fetch(url, { headers: { range: `bytes=${file.length}-` } });
    assert.is(beyond.status, 416);
    assert.is(beyond.headers.get('content-range'), `bytes */${file.length}`);

    // Who may listen: operators, admins, the executor the appeal is assigned to; nobody else.
    assert.is((await (await signedIn(w.url, 'op2')).get(url)).status, 200);
    assert.is((await (await signedIn(w.url, 'admin1')).get(url)).status, 200);
    const vodokanal = await signedIn(w.url, 'vodokanal');
    const part = await vodokanal.fetch(url, { headers: { range: 'bytes=0-3' } });
    assert.is(part.status, 206);
    assert.is(Buffer.from(await part.arrayBuffer()).toString(), 'RIFF');
    assert.is((await (await signedIn(w.url, 'teplo')).get(url)).status, 403);
    assert.is((await (await signedIn(w.url, 'analyst1')).get(url)).status, 403);
    assert.is((await client(w.url).get(url)).status, 401);
    assert.is((await op1.get('/api/recordings/999999')).status, 404);
    stream.close();
  } finally { await w.close(); }
});

test('recording started by the product through the AMI MixMonitor action', async () => {
  const w = await world('telephony_rec_ami', { record: 'ami', sim: { dialplanRecording: false } });
  try {
    await until(() => w.services.telephony.status().connected, 5000, 'AMI');
    const call = w.sim.incomingCall({ phone: KNOWN_PHONE });
    call.join('operators'); call.ring('PJSIP/101'); call.answer();
    const rec = await until(() => w.db.oneOrNone(`SELECT r.path FROM recording r JOIN call c ON c.id = r.call_id WHERE c.uniqueid = $1`, [call.uniqueid]), 3000, 'recording row');
    assert.is(rec.path, `${call.uniqueid}.wav`);
    call.hangup(16);
    await until(() => w.db.oneOrNone(`SELECT 1 FROM recording r JOIN call c ON c.id = r.call_id WHERE c.uniqueid = $1 AND r.bytes > 44`, [call.uniqueid]), 3000, 'bytes');
  } finally { await w.close(); }
});

test.run();
