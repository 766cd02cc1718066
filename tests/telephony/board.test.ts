// The supervisor's wallboard over the PBX simulator: a call waits in the queue, rings an operator,
// is talked and ends; the board follows it step by step over SSE (queue length, the operator's
// state through wrap-up back to free, the day's figures), carries no caller's number, is refused to
// operators, and an instance not connected to the PBX (AMI_HOST=none) serves the same board from
// PostgreSQL.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { world, signedIn, sse, until, KNOWN_PHONE, type World, type SseEvent } from './harness.ts';
import { startApi } from '../helpers/app.ts';
import { createUser } from '../helpers/users.ts';
import { runningClock } from '../helpers/clock.ts';
import { config as baseConfig } from '../../server/config.ts';
import type { Board } from '../../vocabulary/telephony.ts';

let w: World;
test.before(async () => {
  // Wrap-up of one second on both sides (the queue's wrapuptime and the product's QUEUE_WRAPUP_S).
  w = await world('telephony_board', { wrapupSeconds: 1, sim: { queues: { operators: { members: ['PJSIP/101', 'PJSIP/102'], wrapuptime: 1 } } } });
  await createUser(w.db, 'sup1', 'supervisor');
  await until(() => w.services.telephony.status().connected, 5000, 'AMI');
});
test.after(() => w.close());

const boardOf = (e: SseEvent) => e.data as Board;
const stateOf = (b: Board, iface: string) => b.operators.find((o) => o.interface === iface)?.state;
const queue = (b: Board) => b.queues.find((q) => q.name === 'operators');

test('a call through the queue, step by step: waiting, ringing, on a call, wrap-up, free; the day\'s figures move', async () => {
  const sup = await signedIn(w.url, 'sup1');
  const stream = await sse(w.url, sup.cookie, '/api/supervisor/events');
  assert.is(stream.status, 200);
  const first = boardOf(await stream.next((e) => e.event === 'board' && e.data.operators.length === 2, 5000));
  assert.is(first.connected, true);
  assert.equal(first.operators.map((o) => [o.interface, o.userId, o.state]), [['PJSIP/101', w.users.op1, 'free'], ['PJSIP/102', w.users.op2, 'free']]);
  assert.equal(first.today, { offered: 0, answered: 0, abandoned: 0, noOperators: 0, serviceLevel: null, averageSpeedOfAnswerSeconds: null });

  const after = (b: (x: Board) => boolean) => stream.next((e) => e.event === 'board' && b(boardOf(e)), 5000).then(boardOf);
  const call = w.sim.incomingCall({ phone: KNOWN_PHONE, local: true });
  call.join('operators');
  // The simulator's queue does not ring by itself here: the call waits until ring().
  const waiting = await after((b) => queue(b)?.waiting === 1);
  assert.is(stateOf(waiting, 'PJSIP/101'), 'free');
  call.ring('PJSIP/101');
  const ringing = await after((b) => stateOf(b, 'PJSIP/101') === 'ringing');
  assert.is(queue(ringing)?.waiting, 1);
  call.answer();
  const talking = await after((b) => stateOf(b, 'PJSIP/101') === 'on_call');
  assert.is(queue(talking)?.waiting, 0);
  assert.is(talking.counts.on_call, 1);
  assert.is(talking.counts.free, 1);
  call.hangup(16);
  const wrapping = await after((b) => stateOf(b, 'PJSIP/101') === 'wrap_up');
  assert.is(wrapping.counts.wrap_up, 1);
  const done = await after((b) => b.today.answered === 1);
  const { averageSpeedOfAnswerSeconds: asa, ...today } = done.today;
  assert.equal(today, { offered: 1, answered: 1, abandoned: 0, noOperators: 0, serviceLevel: 1 });
  // From joining the queue to the answer: the steps above, on the running clock.
  assert.ok(asa !== null && asa > 0 && asa < 5, `ASA ${asa}`);
  // Wrap-up runs out without any event from the PBX.
  await after((b) => stateOf(b, 'PJSIP/101') === 'free');
  // Prometheus sees the same call end.
  const metrics = await (await fetch(`${w.url}/metrics`)).text();
  assert.match(metrics, /^misto_calls_ended_total\{outcome="answered"\} 1$/m);
  assert.match(metrics, /^misto_calls_ended_total\{outcome="abandoned_queue"\} 0$/m);
  assert.match(metrics, /^misto_calls_active 0$/m);

  // No caller's number anywhere on the board.
  const digits = KNOWN_PHONE.replace(/\D/g, '').slice(-9);
  assert.not.ok(stream.events.some((e) => JSON.stringify(e.data).replace(/\D/g, '').includes(digits)));
  stream.close();
});

test('a caller who finds every operator paused counts as "no operators" and never waits in the queue', async () => {
  const sup = await signedIn(w.url, 'sup1');
  w.sim.pauseMember('PJSIP/101', true);
  w.sim.pauseMember('PJSIP/102', true);
  try {
    const stream = await sse(w.url, sup.cookie, '/api/supervisor/events');
    await stream.next((e) => e.event === 'board' && boardOf(e).counts.paused === 2, 5000);
    const call = w.sim.incomingCall({ phone: '+380931234567', local: true });
    assert.is(call.join('operators'), 'JOINEMPTY');
    // The resident hangs up during the "no free operators" prompt.
    call.hangup(16);
    const b = boardOf(await stream.next((e) => e.event === 'board' && boardOf(e).today.noOperators === 1, 8000));
    assert.is(queue(b)?.waiting, 0);
    // Offered to the contact centre but not answered: the day's service level halves.
    assert.equal([b.today.offered, b.today.answered, b.today.serviceLevel], [2, 1, 0.5]);
    stream.close();
  } finally {
    w.sim.pauseMember('PJSIP/101', false);
    w.sim.pauseMember('PJSIP/102', false);
  }
});

test('operators may not see the wallboard; an instance without the PBX serves the same board', async () => {
  const op = await signedIn(w.url, 'op1');
  assert.is((await op.get('/api/supervisor/board')).status, 403);
  const denied = await sse(w.url, op.cookie, '/api/supervisor/events');
  assert.is(denied.status, 403);
  assert.is((await denied.res.json()).error, 'forbidden');

  // A second instance behind the same load balancer, not connected to the PBX.
  const follower = await startApi(w.db, { ami: { ...baseConfig.ami, host: 'none' } }, { clock: runningClock() });
  await follower.services.telephony.start({ log: () => {} });
  try {
    const sup = await signedIn(follower.url, 'sup1');
    const stream = await sse(follower.url, sup.cookie, '/api/supervisor/events');
    const call = w.sim.incomingCall({ phone: KNOWN_PHONE, local: true });
    call.join('operators');
    call.ring('PJSIP/102');
    const seen = boardOf(await stream.next((e) => e.event === 'board' && stateOf(boardOf(e), 'PJSIP/102') === 'ringing', 8000));
    assert.is(seen.connected, true);
    assert.is(queue(seen)?.waiting, 1);
    const direct = await (await sup.get('/api/supervisor/board')).json() as Board;
    assert.is(stateOf(direct, 'PJSIP/102'), 'ringing');
    call.hangup(16);
    await stream.next((e) => e.event === 'board' && queue(boardOf(e))?.waiting === 0 && stateOf(boardOf(e), 'PJSIP/102') === 'free', 8000);
    stream.close();
    // Every share of the board went through without an error logged.
    assert.equal(w.logs.filter((l) => /wallboard/.test(l)), []);
  } finally {
    await follower.services.telephony.stop();
    await follower.close();
  }
});

test.run();
