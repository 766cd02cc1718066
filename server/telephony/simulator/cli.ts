// `npm run pbx:sim`: the AMI simulator as a standalone PBX, for running the product against a
// separate "Asterisk" (AMI_HOST=127.0.0.1 AMI_PORT=<port> npm start). Lines on stdin place calls:
//   call +380501234567 PJSIP/101        a queued call (Local channels) rung on the member PJSIP/101, answered after 3 s
//   direct +380501234567 PJSIP/101      direct dialling instead of the queue
//   queue +380501234567                 the call runs [misto-incoming] by itself (the queue rings its members)
//   hangup <uniqueid> [cause]           hangs a call up (16 normal clearing, 17 busy, …)
//   channels                            lists live channels
//   restart | kill | start              core stop now and a restart / kill -9 / start after a kill
import { createInterface } from 'node:readline';
import { config } from '../../config.ts';
import { AmiSimulator, type SimCall } from './ami-simulator.ts';

const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const port = Number(opt('port') ?? process.env.AMI_SIM_PORT ?? 5038);
const host = opt('host') ?? '127.0.0.1';

const sim = new AmiSimulator({
  users: { [config.ami.user]: config.ami.secret },
  recordingsDir: config.recordingsDir,
  log: (m) => console.log(`[pbx-sim] ${m}`),
});
await sim.start(port, host);
console.log(`[pbx-sim] user "${config.ami.user}"; recordings in ${config.recordingsDir}. Type "call +380501234567 PJSIP/101".`);

const calls = new Map<string, SimCall>();
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, a, b] = line.trim().split(/\s+/);
  if (cmd === 'call' || cmd === 'direct') {
    if (!a || !b) return console.log('usage: call <phone> <interface>');
    const call = sim.incomingCall({ phone: a, local: true });
    calls.set(call.uniqueid, call);
    try {
      if (cmd === 'direct') call.dial(b); else { call.join('operators'); call.ring(b); }
    } catch (e) { call.hangup(); return console.log(`[pbx-sim] ${(e as Error).message}`); }
    setTimeout(() => call.answer(), 3000);
    console.log(`[pbx-sim] ${call.uniqueid} ringing ${b}`);
  } else if (cmd === 'queue') {
    if (!a) return console.log('usage: queue <phone>');
    const call = sim.incomingCall({ phone: a, local: true, dialplan: true });
    calls.set(call.uniqueid, call);
    console.log(`[pbx-sim] ${call.uniqueid} in [misto-incoming]`);
  } else if (cmd === 'restart') {
    void sim.restart().then(() => console.log('[pbx-sim] restarted'));
  } else if (cmd === 'kill') {
    void sim.kill().then(() => console.log('[pbx-sim] killed; "start" starts it again'));
  } else if (cmd === 'start') {
    void sim.start(port, host).then(() => console.log('[pbx-sim] started'));
  } else if (cmd === 'hangup') {
    const call = calls.get(a);
    if (!call) return console.log('no such call');
    call.hangup(Number(b ?? 16));
    calls.delete(a);
  } else if (cmd === 'channels') {
    for (const ch of sim.channels.values()) console.log(`${ch.uniqueid}  ${ch.name}  ${ch.callerNum}  ${ch.application}`);
  } else if (cmd) console.log('commands: call, direct, queue, hangup, channels, restart, kill, start');
});

const stop = async () => { rl.close(); await sim.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
