// AMI Originate as Asterisk answers it: "Originate successfully queued" at once (Async), then the
// channels' events, then OriginateResponse with the same ActionID (broadcast, class call). On success
// its Channel/Uniqueid are the originated channel's (Local ";1"); on failure Channel is the requested
// string and Uniqueid "<unknown>". Reason is app_originate's old AST_CONTROL number: 4 answered, 5 a
// Busy() indication, 8 a Congestion() indication, 3 still ringing at the timeout, and 0 for a far end
// that just hangs up before answering, whatever its cause (17, 21, 34…): classify by the Hangup Cause
// and DialEnd DialStatus, not by Reason alone.
//
// Local/1580@misto-incoming is an incoming call (calls.ts): its ;2 runs [misto-incoming]. Survey
// calls (Context misto-survey) run [misto-survey] on the originated channel: Local/<n>@resident gives
// a pair whose ;2 is the resident's phone (scripted by the `originate` option); PJSIP/<n>@city-trunk
// gives one PJSIP/city-trunk-… channel.
import { performance } from 'node:perf_hooks';
import { header, headerAll, type Headers } from '../ami-wire.ts';
import { BUSY, hhmmss, parseCallerId, RINGING, snapshot, UP, type Channel, type ChannelOwner } from './channels.ts';
import { dialStatusOf, SimCall, type OriginateLink } from './calls.ts';
import type { Pbx } from './pbx.ts';

export interface OriginateRequest {
  channel: string;
  context: string;
  exten: string;
  application: string;
  data: string;
  callerId: string;
  vars: Record<string, string>;
  timeoutMs: number;
}

/** What the far end of an originated (survey) call does. */
export interface OriginateOutcome {
  /**
   * answer; busy / congestion: a Busy() / Congestion() indication (Reason 5 / 8 on Local channels);
   * hangup: hangs up before answering with `cause` (Reason 0); no-answer: rings until the Originate's Timeout (Reason 3).
   */
  result: 'answer' | 'busy' | 'congestion' | 'hangup' | 'no-answer';
  /** hangup: the cause before answering (default 16); answer + hangupAfterMs: the cause of that hang-up. */
  cause?: number;
  /** Time until the outcome (default 200 ms; 0 for busy and congestion). */
  delayMs?: number;
  /** The phone rings (Newstate Ringing) before the outcome; default when delayMs > 0 and not busy/congestion. */
  ringing?: boolean;
  /**
   * The keys pressed, one per Read() of [misto-survey]; "" stays silent (the Read times out). A key
   * comes `keyDelayMs` after its Read starts, or `afterMs`.
   */
  digits?: (string | { digit: string; afterMs: number })[];
  /** The resident hangs up this long after answering (READSTATUS=HANGUP if a Read is running). */
  hangupAfterMs?: number;
}

/** Contexts the simulated dialplan has (an Originate into another one gets "Extension does not exist."). */
export const CONTEXTS = new Set(['misto-incoming', 'misto-survey', 'misto-direct', 'misto-operators', 'misto-queue', 'caller', 'operators', 'resident']);

export function originateRequest(req: Headers): OriginateRequest {
  const vars: Record<string, string> = {};
  for (const v of headerAll(req, 'Variable')) {
    for (const pair of v.split(',')) {
      const i = pair.indexOf('=');
      // "__MISTO_RING" (inherited by every channel the call creates) is MISTO_RING on this one.
      if (i > 0) vars[pair.slice(0, i).trim().replace(/^_{1,2}/, '')] = pair.slice(i + 1);
    }
  }
  return {
    channel: header(req, 'Channel') ?? '', context: header(req, 'Context') ?? '', exten: header(req, 'Exten') ?? '',
    application: header(req, 'Application') ?? '', data: header(req, 'Data') ?? '', callerId: header(req, 'CallerID') ?? '',
    vars, timeoutMs: Number(header(req, 'Timeout') ?? 30000) || 30000,
  };
}

type Reply = (ok: boolean, reason: number, ch: Channel | null) => void;

/** OriginateResponse for `r`, or (Async: false) the action's own late answer. */
export function replier(pbx: Pbx, r: OriginateRequest, actionId: string | undefined, respond: ((ok: boolean) => void) | null): Reply {
  const cid = parseCallerId(r.callerId);
  let done = false;
  return (ok, reason, ch) => {
    if (done) return;
    done = true;
    if (respond) { respond(ok); return; }
    const target: Headers = r.application ? [['Application', r.application], ['Data', r.data]] : [['Context', r.context], ['Exten', r.exten]];
    pbx.emit('OriginateResponse', [...(actionId ? [['ActionID', actionId] as [string, string]] : []),
      ['Response', ok ? 'Success' : 'Failure'], ['Channel', ok && ch ? ch.name : r.channel], ...target,
      ['Reason', String(reason)], ['Uniqueid', ok && ch ? ch.uniqueid : '<unknown>'],
      ['CallerIDNum', cid.num || '<unknown>'], ['CallerIDName', cid.name || '<unknown>']]);
  };
}

/** Starts what an accepted Originate asks for. */
export function runOriginate(pbx: Pbx, r: OriginateRequest, reply: Reply) {
  const cid = parseCallerId(r.callerId);
  const local = /^Local\/([^@/]+)@([^/]+)/i.exec(r.channel);
  if (local && local[2] === 'misto-incoming') {
    const link: OriginateLink = {
      answered: (first) => reply(true, 4, first),
      failed: (reason) => reply(false, reason, null),
      timeoutMs: r.timeoutMs,
      target: r.application ? { application: r.application, data: r.data } : { context: r.context, exten: r.exten || 's' },
    };
    return new SimCall(pbx, { phone: cid.num, name: cid.name, local: true, exten: local[1], vars: r.vars, dialplan: true, originate: link });
  }
  return new OutboundCall(pbx, r, reply);
}

/** An originated call to a resident: Local/<n>@resident (a pair) or <tech>/<n>@<trunk> (one channel). */
export class OutboundCall implements ChannelOwner {
  /** The originated channel: it runs [misto-survey] once answered. */
  readonly one: Channel;
  /** Local: the resident's phone (;2). */
  readonly two: Channel | null;
  private ended = false;
  private answered = false;
  private timers = new Set<NodeJS.Timeout>();
  private reading: 'DIGIT' | 'RATING' | null = null;
  private readonly outcome: OriginateOutcome;
  private readonly survey: boolean;

  constructor(private readonly pbx: Pbx, private readonly r: OriginateRequest, private readonly reply: Reply) {
    const cid = parseCallerId(r.callerId);
    this.survey = r.context === 'misto-survey';
    this.outcome = pbx.opts.originate?.(r) ?? { result: 'answer', digits: ['1', '5'] };
    const local = /^Local\/([^@/]+)@([^/]+)/i.exec(r.channel);
    if (local) {
      [this.one, this.two] = pbx.table.local(r.channel);
      pbx.newchannel(this.one);
      pbx.newchannel(this.two);
      for (const [k, v] of Object.entries(r.vars)) pbx.setVar(this.one, k, v);
      pbx.callerId(this.one, cid.num, cid.name);
      this.one.connectedNum = cid.num; this.one.connectedName = cid.name;
      for (const [k, v] of Object.entries(r.vars)) pbx.setVar(this.two, k, v);
      this.two.connectedNum = cid.num; this.two.connectedName = cid.name;
      pbx.callerId(this.two, cid.num, cid.name);
      pbx.dialBegin(null, this.one, `${local[1]}@${local[2]}`);
    } else {
      // "PJSIP/<number>@city-trunk": a channel of the trunk endpoint, in the endpoint's context until answered.
      const m = /^([^/]+)\/(?:([^@]+)@)?(.+)$/.exec(r.channel);
      const tech = m?.[1] ?? 'PJSIP', endpoint = m?.[3] ?? r.channel;
      this.one = pbx.table.single(`${tech}/${endpoint}`, { context: 'misto-incoming', exten: 's' });
      this.two = null;
      pbx.newchannel(this.one);
      for (const [k, v] of Object.entries(r.vars)) pbx.setVar(this.one, k, v);
      pbx.callerId(this.one, cid.num, cid.name);
      pbx.dialBegin(null, this.one, m?.[2] ? `${m[2]}@${endpoint}` : endpoint);
    }
    for (const ch of this.channels) ch.owner = this;
    const o = this.outcome;
    const delay = o.delayMs ?? (o.result === 'busy' || o.result === 'congestion' ? 0 : 200);
    const ringing = o.ringing ?? (delay > 0 && o.result !== 'busy' && o.result !== 'congestion');
    if (ringing || o.result === 'no-answer') pbx.newState(this.one, RINGING);
    this.after(r.timeoutMs, () => this.timedOut());
    if (o.result !== 'no-answer') this.after(delay, () => this.farEnd());
  }

  private get channels() { return this.two ? [this.one, this.two] : [this.one]; }

  private after(ms: number, fn: () => void) {
    const t = this.pbx.later(ms, () => { this.timers.delete(t); if (!this.ended) fn(); });
    this.timers.add(t);
  }

  private end() {
    this.ended = true;
    for (const t of this.timers) this.pbx.timers.clear(t);
    this.timers.clear();
  }

  private farEnd() {
    const p = this.pbx, o = this.outcome, one = this.one, two = this.two;
    if (o.result === 'answer') return this.answer();
    this.end();
    if (!two) {
      // A SIP 486/503 ends the session with a hangup cause, not a Busy/Congestion indication: Reason 0.
      const cause = o.result === 'busy' ? 17 : o.result === 'congestion' ? 34 : o.cause ?? 16;
      p.hangup(one, cause);
      p.dialEnd(null, one, dialStatusOf(cause));
      this.reply(false, 0, null);
      return;
    }
    if (o.result === 'busy' || o.result === 'congestion') {
      // Busy()/Congestion() before answer: the resident's half shows Busy, the originated half ends with cause 0.
      p.newState(two, BUSY);
      p.dialEnd(null, one, o.result === 'busy' ? 'BUSY' : 'CONGESTION');
      this.reply(false, o.result === 'busy' ? 5 : 8, null);
      if (o.result === 'busy') { p.hangup(one, 0); p.hangup(two, 17); } else { p.hangup(two, 34); p.hangup(one, 0); }
      return;
    }
    const cause = o.cause ?? 16;
    p.hangup(two, cause);
    p.dialEnd(null, one, dialStatusOf(cause));
    p.hangup(one, cause);
    this.reply(false, 0, null);
  }

  /** Rang until the Originate's Timeout: Reason 3, cause 19 on every channel, no DialEnd. */
  private timedOut() {
    if (this.answered) return;
    this.end();
    this.reply(false, 3, null);
    for (const ch of this.channels) this.pbx.hangup(ch, 19);
  }

  private answer() {
    const p = this.pbx, one = this.one;
    this.answered = true;
    if (this.two) p.newState(this.two, UP);
    p.newState(one, UP);
    p.dialEnd(null, one, 'ANSWER');
    this.reply(true, 4, one);
    one.context = this.r.context || one.context;
    one.exten = this.r.exten || 's';
    one.priority = 1;
    if (this.r.application) { one.application = this.r.application; one.appData = this.r.data; }
    if (this.outcome.hangupAfterMs !== undefined) this.after(this.outcome.hangupAfterMs, () => this.residentHangsUp(this.outcome.cause ?? 16));
    if (this.survey) this.after(p.timing.surveyWaitMs, () => this.read('DIGIT', 0));
    else this.after(1000, () => this.hangupAll(16));
  }

  /** Read(DIGIT|RATING,…,1,,1,10): READSTATUS=ERROR while it runs, then the key (or a timeout) and our UserEvent. */
  private read(variable: 'DIGIT' | 'RATING', index: number) {
    const p = this.pbx, one = this.one, t = p.timing;
    this.reading = variable;
    one.application = 'Read';
    one.priority = index === 0 ? 3 : 8;
    p.setVar(one, 'READSTATUS', 'ERROR');
    const key = this.outcome.digits?.[index] ?? '';
    const digit = typeof key === 'string' ? key : key.digit;
    const keyMs = typeof key === 'string' ? t.keyDelayMs : key.afterMs;
    const done = (status: 'OK' | 'TIMEOUT') => {
      this.reading = null;
      p.setVar(one, variable, digit);
      p.setVar(one, 'READSTATUS', status);
      one.application = 'UserEvent';
      p.emitOn('UserEvent', one, [['UserEvent', 'SurveyResult'], ['Digit', status === 'OK' ? digit : ''], ['ReadStatus', status],
        ['SurveyId', one.vars.get('SURVEY_ID') ?? ''], ...(variable === 'RATING' ? [['Step', 'rating'] as [string, string]] : [])]);
      if (variable === 'DIGIT' && digit === '1' && status === 'OK') return this.read('RATING', 1);
      one.application = 'Playback';
      one.appData = 'custom/misto-thanks';
      this.after(t.thanksPromptMs, () => this.hangupAll(16));
    };
    if (digit === '') { this.after(t.readTimeoutMs, () => done('TIMEOUT')); return; }
    // SendDTMF on the resident's side arrives on the originated channel as received DTMF (class dtmf).
    this.after(Math.max(0, keyMs - 100), () => {
      p.emitOn('DTMFBegin', one, [['Digit', digit], ['Direction', 'Received']]);
      this.after(100, () => {
        p.emitOn('DTMFEnd', one, [['Digit', digit], ['DurationMs', '100'], ['Direction', 'Received']]);
        done('OK');
      });
    });
  }

  private residentHangsUp(cause: number) {
    const p = this.pbx;
    this.end();
    if (this.two) p.hangup(this.two, cause);
    if (this.reading) {
      p.setVar(this.one, this.reading, '');
      p.setVar(this.one, 'READSTATUS', 'HANGUP');
    }
    p.hangup(this.one, cause);
  }

  private hangupAll(cause: number) {
    this.end();
    for (const ch of this.channels) this.pbx.hangup(ch, cause);
  }

  hangupChannel(ch: Channel, cause: number) {
    if (this.ended) return;
    if (!this.answered) {
      // Hung up before the far end answered.
      this.end();
      if (this.two) this.pbx.hangup(this.two, cause);
      this.pbx.hangup(this.one, cause);
      this.reply(false, 0, null);
      return;
    }
    if (ch === this.two) return this.residentHangsUp(cause);
    this.hangupAll(cause);
  }

  shutdown() {
    if (this.ended) return;
    if (!this.answered) this.reply(false, 0, null);
    this.hangupAll(0);
  }
}

/** CoreShowChannel for one channel (ActionID second, no Privilege). */
export function coreShowChannel(ch: Channel, actionId: string | undefined): Headers {
  return [['Event', 'CoreShowChannel'], ...(actionId !== undefined ? [['ActionID', actionId] as [string, string]] : []), ...snapshot(ch),
    ['Application', ch.application], ['ApplicationData', ch.appData], ['Duration', hhmmss(performance.now() - ch.createdAt)], ['BridgeId', ch.bridgeId]];
}
