// The AMI peer and the product's AMI client over real TCP: the wire format, a failed login,
// events split across TCP packets at every possible byte boundary.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { AmiSimulator, type OriginateOutcome } from '../../server/telephony/simulator/ami-simulator.ts';
import { AmiConnection } from '../../server/telephony/ami-connection.ts';
import { BlockParser, header } from '../../server/telephony/ami-wire.ts';
import { world, signedIn, sse, until, KNOWN_PHONE, KNOWN_NAME } from './harness.ts';

/** A raw AMI session: what Asterisk writes, byte for byte. */
async function raw(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  const parser = new BlockParser();
  const blocks: [string, string][][] = [];
  socket.on('data', (d) => { text += d.toString(); blocks.push(...parser.push(d)); });
  await new Promise((r) => socket.once('connect', r));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return {
    socket, closed, blocks,
    get text() { return text; },
    send: (lines: string[]) => socket.write(lines.join('\r\n') + '\r\n\r\n'),
    async waitFor(pred: (b: [string, string][]) => boolean, ms = 2000) {
      return until(() => blocks.find(pred), ms, 'AMI block');
    },
  };
}

test('wire: banner line, login failure echoes the ActionID and ends the session', async () => {
  const sim = new AmiSimulator({ users: { misto: 'right' } });
  await sim.start(0);
  try {
    const s = await raw(sim.port);
    await until(() => s.text.length > 0, 1000, 'banner');
    assert.is(s.text, 'Asterisk Call Manager/11.0.0\r\n', 'one line, no empty line after it');
    s.send(['Action: Ping', 'ActionID: early']);
    const denied = await s.waitFor((b) => header(b, 'ActionID') === 'early');
    assert.is(header(denied, 'Response'), 'Error');
    s.send(['Action: Login', 'Username: misto', 'Secret: wrong', 'ActionID: L1']);
    const r = await s.waitFor((b) => header(b, 'ActionID') === 'L1');
    assert.is(r[0][0], 'Response', 'Response comes first');
    assert.is(header(r, 'Response'), 'Error');
    assert.is(header(r, 'Message'), 'Authentication failed');
    await s.closed;
    assert.is(sim.stats.failedLogins, 1);
  } finally { await sim.stop(); }
});

test('wire: login, Ping with Pong, CoreShowChannels as a list with start, items and Complete', async () => {
  const sim = new AmiSimulator({ users: { misto: 'right' } });
  await sim.start(0);
  try {
    const call = sim.incomingCall({ phone: KNOWN_PHONE });
    call.join('operators');
    call.ring('PJSIP/101');
    const s = await raw(sim.port);
    s.send(['Action: Login', 'Username: misto', 'Secret: right', 'ActionID: L2']);
    assert.is(header(await s.waitFor((b) => header(b, 'ActionID') === 'L2'), 'Response'), 'Success');
    s.send(['Action: Ping', 'ActionID: P1']);
    const pong = await s.waitFor((b) => header(b, 'ActionID') === 'P1');
    assert.is(header(pong, 'Ping'), 'Pong');
    assert.match(header(pong, 'Timestamp')!, /^\d+\.\d{6}$/);
    s.send(['Action: CoreShowChannels', 'ActionID: C1']);
    const done = await s.waitFor((b) => header(b, 'Event') === 'CoreShowChannelsComplete');
    const mine = s.blocks.filter((b) => header(b, 'ActionID') === 'C1');
    assert.is(header(mine[0], 'EventList'), 'start');
    const items = mine.filter((b) => header(b, 'Event') === 'CoreShowChannel');
    assert.is(items.length, 2, 'caller and the rung operator leg');
    assert.is(header(done, 'EventList'), 'Complete');
    assert.is(header(done, 'ListItems'), '2');
    const caller = items.find((b) => header(b, 'Uniqueid') === call.uniqueid)!;
    assert.is(header(caller, 'Application'), 'Queue');
    assert.is(header(caller, 'CallerIDNum'), KNOWN_PHONE);
    s.send(['Action: NoSuchThing', 'ActionID: X1']);
    assert.match(header(await s.waitFor((b) => header(b, 'ActionID') === 'X1'), 'Message')!, /^Invalid\/unknown command: NoSuchThing\. /);
    s.socket.destroy();
  } finally { await sim.stop(); }
});

test('wire: a queued Local call emits the events in Asterisk\'s order, the number arriving in NewCallerid', async () => {
  const sim = new AmiSimulator({ users: { misto: 'right' } });
  await sim.start(0);
  try {
    const s = await raw(sim.port);
    s.send(['Action: Login', 'Username: misto', 'Secret: right', 'ActionID: L3']);
    await s.waitFor((b) => header(b, 'ActionID') === 'L3');
    const call = sim.incomingCall({ phone: KNOWN_PHONE, local: true });
    call.join('operators'); call.ring('PJSIP/101'); call.answer(); call.hangup(16);
    await s.waitFor((b) => header(b, 'Event') === 'QueueMemberStatus' && header(b, 'Status') === '1');
    const names = s.blocks.map((b) => header(b, 'Event')).filter((e) => e && !['VarSet', 'MixMonitorStart', 'Newstate', 'FullyBooted', 'SuccessfulAuth',
      'BridgeCreate', 'BridgeDestroy', 'BridgeLeave', 'QueueCallerLeave', 'DialEnd', 'QueueMemberStatus'].includes(e));
    // Both halves of the Local channel, the originate's own DialBegin, the member's PJSIP leg.
    assert.equal(names, ['Newchannel', 'Newchannel', 'NewCallerid', 'NewCallerid', 'DialBegin', 'QueueCallerJoin', 'Newchannel', 'NewCallerid',
      'AgentCalled', 'DialBegin', 'AgentConnect', 'BridgeEnter', 'BridgeEnter', 'Hangup', 'AgentComplete', 'Hangup', 'Hangup']);
    const first = s.blocks.find((b) => header(b, 'Event') === 'Newchannel')!;
    assert.is(header(first, 'CallerIDNum'), '<unknown>');
    const hangup = s.blocks.find((b) => header(b, 'Event') === 'Hangup')!;
    assert.is(header(hangup, 'Cause'), '16');
    assert.is(header(hangup, 'Cause-txt'), 'Normal Clearing');
    s.socket.destroy();
  } finally { await sim.stop(); }
});

test('client: a wrong secret is reported, retried with backoff, and never connects', async () => {
  const sim = new AmiSimulator({ users: { misto: 'right' } });
  await sim.start(0);
  const logs: string[] = [];
  const c = new AmiConnection({ host: '127.0.0.1', port: sim.port, user: 'misto', secret: 'wrong', backoffMinMs: 30, backoffMaxMs: 200, log: (m) => logs.push(m) });
  try {
    c.start();
    await until(() => sim.stats.failedLogins >= 2, 3000, 'two failed logins');
    assert.is(c.connected, false);
    assert.match(c.lastError!, /AMI login failed for user "misto": Authentication failed/);
    assert.ok(logs.some((l) => /login failed/.test(l)));
  } finally { await c.stop(); await sim.stop(); }
});

test('status API shows a failed login to the desk', async () => {
  const w = await world('telephony_badlogin', { secret: 'not-the-secret' });
  try {
    await until(() => w.sim.stats.failedLogins >= 1, 3000, 'failed login');
    const op = await signedIn(w.url, 'op1');
    const st = await (await op.get('/api/telephony/status')).json();
    assert.is(st.connected, false);
    assert.match(st.error, /login failed/);
  } finally { await w.close(); }
});

test('events split across TCP packets (1–13 byte chunks, CRLF cut in half) still make the right pops', async () => {
  const w = await world('telephony_chunks', { sim: { chunks: [1, 2, 3, 5, 7, 11, 13] }, pingMs: 10_000, pingTimeoutMs: 5000 });
  try {
    await until(() => w.services.telephony.status().connected, 8000, 'AMI connection through chunked login');
    const op = await signedIn(w.url, 'op1');
    const stream = await sse(w.url, op.cookie);
    const call = w.sim.incomingCall({ phone: KNOWN_PHONE, local: true });
    call.join('operators');
    call.ring('PJSIP/101');
    const pop = (await stream.next((e) => e.event === 'call' && e.data.uniqueid === call.uniqueid, 15_000)).data;
    assert.is(pop.type, 'ringing');
    assert.is(pop.card.resident.fullName, KNOWN_NAME);
    call.answer();
    await stream.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'answered', 15_000);
    call.hangup(17);
    await stream.next((e) => e.data?.uniqueid === call.uniqueid && e.data.type === 'ended', 15_000);
    // "ended" pops at the first half's Hangup; the row closes at the last one, still in chunks.
    const row = await until(() => w.db.oneOrNone(`SELECT caller_phone, hangup_cause, operator_id FROM call WHERE uniqueid = $1 AND outcome IS NOT NULL`, [call.uniqueid]), 15_000, 'the call closed');
    assert.equal(row, { caller_phone: KNOWN_PHONE, hangup_cause: 17, operator_id: w.users.op1 });
    stream.close();
  } finally { await w.close(); }
});

test('Originate: queued at once, then OriginateResponse with Asterisk\'s Reason, Hangup causes and SurveyResult', async () => {
  // The far end of each survey call on the city trunk. A SIP busy or rejection ends the call with a
  // hangup cause, so only an answer gives a Reason other than 0 here (Busy()/Congestion() indications
  // giving 5/8 exist on Local channels only).
  const outcomes: Record<string, OriginateOutcome> = {
    '+380501000001': { result: 'answer', digits: ['1', '5'] },
    '+380501000002': { result: 'busy' },
    '+380501000003': { result: 'hangup', cause: 17 },
    '+380501000004': { result: 'answer', digits: [''] },
    '+380501000005': { result: 'hangup', cause: 1 },
  };
  const sim = new AmiSimulator({ users: { misto: 'right' }, originate: (r) => ({ delayMs: 30, ...outcomes[/PJSIP\/([^@]+)/.exec(r.channel)![1]] }),
    timing: { surveyWaitMs: 20, keyDelayMs: 150, readTimeoutMs: 300, thanksPromptMs: 20 } });
  await sim.start(0);
  const c = new AmiConnection({ host: '127.0.0.1', port: sim.port, user: 'misto', secret: 'right' });
  const events: Record<string, string | undefined>[] = [];
  c.on('event', (e) => events.push(e));
  try {
    c.start();
    await until(() => c.connected, 3000, 'connected');
    const ids: Record<string, string> = {};
    for (const phone of Object.keys(outcomes)) {
      const r = await c.action({ Action: 'Originate', Channel: `PJSIP/${phone}@city-trunk`, Context: 'misto-survey', Exten: 's', Priority: '1',
        CallerID: '"15-80" <1580>', Variable: `SURVEY_ID=${phone.slice(-1)}`, Async: 'true', Timeout: '30000' });
      assert.is(r.Response, 'Success');
      assert.is(r.Message, 'Originate successfully queued');
      ids[phone] = r.ActionID!;
    }
    await until(() => events.filter((e) => e.Event === 'OriginateResponse').length === 5, 3000, 'five OriginateResponses');
    const resp = (phone: string) => events.find((e) => e.Event === 'OriginateResponse' && e.ActionID === ids[phone])!;
    assert.is(resp('+380501000001').Reason, '4');
    assert.is(resp('+380501000001').Response, 'Success');
    assert.is(resp('+380501000002').Reason, '0');
    assert.is(resp('+380501000002').Response, 'Failure');
    assert.is(resp('+380501000002').Uniqueid, '<unknown>');
    assert.is(resp('+380501000003').Reason, '0');
    assert.is(resp('+380501000005').Reason, '0');
    await until(() => events.filter((e) => e.Event === 'UserEvent').length === 3, 3000, 'three SurveyResults');
    const survey = events.filter((e) => e.Event === 'UserEvent');
    assert.equal(survey.map((e) => [e.UserEvent, e.Digit, e.ReadStatus, e.SurveyId, e.Step]).sort(),
      [['SurveyResult', '', 'TIMEOUT', '4', undefined], ['SurveyResult', '1', 'OK', '1', undefined], ['SurveyResult', '5', 'OK', '1', 'rating']]);
    await until(() => events.filter((e) => e.Event === 'Hangup').length === 5, 3000, 'five hangups');
    // The resident's number is only in the dial string: the channels carry the Originate's CallerID.
    const channelOf = (n: string) => events.find((e) => e.Event === 'DialBegin' && e.DialString === `${n}@city-trunk`)?.DestChannel;
    const cause = (n: string) => events.find((e) => e.Event === 'Hangup' && e.Channel === channelOf(n))?.Cause;
    assert.is(cause('+380501000002'), '17');
    assert.is(cause('+380501000003'), '17');
    assert.is(cause('+380501000005'), '1');
    assert.is(cause('+380501000001'), '16');
    // Actions answered out of order still reach their callers (our own ActionIDs, never the library's).
    const many = await Promise.all(Array.from({ length: 20 }, () => c.action({ Action: 'Ping' })));
    assert.is(new Set(many.map((r) => r.ActionID)).size, 20);
    assert.ok(many.every((r) => r.Ping === 'Pong'));
  } finally { await c.stop(); await sim.stop(); }
});

test.run();
