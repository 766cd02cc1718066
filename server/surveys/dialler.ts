// One process's survey calls on the line: sends the Originate and follows the call by what Asterisk
// says about it until its outcome is known. Correlation, as the captures show it: the ActionID on
// OriginateResponse (ours: survey-<attempt>), and SURVEY_ID=<attempt> — a VarSet on every channel
// the Originate creates (their Uniqueids, for Hangup and DialEnd) and a header of our UserEvents.
// A failed OriginateResponse may come before or after the Hangup carrying the cause, so a Reason 0
// waits for that Hangup (briefly) before classifying.
import type { EventEmitter } from 'node:events';
import type { Clock } from '../clock.ts';
import type { ClaimedAttempt } from './surveys.repo.ts';
import { classify, type Classified, type Observed } from './classify.ts';
import { dialledNumber } from '../../vocabulary/surveys.ts';

type Msg = Record<string, string | undefined>;

export interface DiallerOptions {
  /** "PJSIP/{number}@city-trunk": {number} is the dialled form of the resident's number. */
  dial: string;
  callerId: string;
  context: string;
  ringSeconds: number;
  /** Longest an answered survey call may last before it is written off (the dialplan needs ~30 s). */
  maxCallSeconds: number;
  /** How long a Reason 0 waits for the Hangup that gives its cause. */
  causeWaitMs: number;
}

/** How an attempt ended: what Asterisk said, and what that means. */
export interface AttemptReport extends Classified { observed: Observed; answeredAt: Date | null }

export interface DiallerDeps {
  action(msg: Record<string, string>, timeoutMs?: number): Promise<Msg>;
  events: EventEmitter;
  clock: Clock;
  log: (m: string) => void;
  /** Called once per attempt with what was observed and how it classifies. */
  ended(a: ClaimedAttempt, r: AttemptReport): void;
}

interface Live {
  claim: ClaimedAttempt;
  obs: Observed;
  channels: Set<string>;
  answeredAt: Date | null;
  timers: NodeJS.Timeout[];
  done: boolean;
}

export function surveyDialler(opts: DiallerOptions, d: DiallerDeps) {
  const byAttempt = new Map<string, Live>();
  const byAction = new Map<string, Live>();
  const byChannel = new Map<string, Live>();

  function end(l: Live) {
    if (l.done) return;
    l.done = true;
    for (const t of l.timers) clearTimeout(t);
    byAttempt.delete(String(l.claim.attemptId));
    byAction.delete(l.claim.actionId);
    // Channels stay mapped until their Hangup so late events find nothing to act on.
    d.ended(l.claim, { ...classify(l.obs), observed: { ...l.obs }, answeredAt: l.answeredAt });
  }

  function settle(l: Live) {
    const o = l.obs;
    if (l.done || !o.response) return;
    if (o.response === 'Success') {
      if (l.channels.size === 0) end(l);
      return;
    }
    if (o.reason !== 0 || o.cause !== undefined) return end(l);
    l.timers.push(setTimeout(() => end(l), opts.causeWaitMs));
  }

  function onEvent(e: Msg) {
    switch (e.Event) {
      case 'VarSet': {
        if (e.Variable !== 'SURVEY_ID' || !e.Uniqueid) return;
        const l = byAttempt.get(e.Value ?? '');
        if (l) { l.channels.add(e.Uniqueid); byChannel.set(e.Uniqueid, l); }
        return;
      }
      case 'OriginateResponse': {
        const l = byAction.get(e.ActionID ?? '');
        if (!l) return;
        l.obs.response = e.Response === 'Success' ? 'Success' : 'Failure';
        l.obs.reason = Number(e.Reason ?? 0);
        if (l.obs.response === 'Success') {
          l.answeredAt = d.clock.now();
          // Without VarSet events (no dialplan class) the answered channel is still known from here.
          const uid = e.Uniqueid;
          if (uid && uid !== '<unknown>' && !byChannel.has(uid) && !l.channels.size) { l.channels.add(uid); byChannel.set(uid, l); }
        }
        return settle(l);
      }
      case 'DialEnd': {
        const l = byChannel.get(e.DestUniqueid ?? '');
        if (l && e.DialStatus) l.obs.dialStatus = e.DialStatus;
        return;
      }
      case 'UserEvent': {
        if (e.UserEvent !== 'SurveyResult') return;
        const l = byAttempt.get(e.SurveyId ?? '');
        if (!l) return;
        const key = e.ReadStatus === 'OK' ? e.Digit ?? '' : '';
        if (e.Step === 'rating') l.obs.rating = key;
        else l.obs.digit = key;
        return;
      }
      case 'Hangup': {
        const uid = e.Uniqueid ?? '';
        const l = byChannel.get(uid);
        if (!l) return;
        byChannel.delete(uid);
        l.channels.delete(uid);
        const cause = Number(e.Cause ?? 0);
        // Local pairs: the resident's half carries the cause, the originated half often 0.
        if (cause && l.obs.cause === undefined) l.obs.cause = cause;
        if (l.obs.response === 'Failure' && l.channels.size === 0 && l.obs.cause === undefined) return end(l);
        return settle(l);
      }
    }
  }
  d.events.on('event', onEvent);

  return {
    /** Dials one claimed attempt; its end is reported through `ended`. */
    dial(c: ClaimedAttempt) {
      const l: Live = { claim: c, obs: {}, channels: new Set(), answeredAt: null, timers: [], done: false };
      byAttempt.set(String(c.attemptId), l);
      byAction.set(c.actionId, l);
      // Nothing heard for the whole ring and call: written off as failed (the claim's stale sweep is the backstop).
      l.timers.push(setTimeout(() => { if (!l.obs.response) l.obs.refused = true; end(l); }, (opts.ringSeconds + opts.maxCallSeconds) * 1000));
      d.action({
        Action: 'Originate', ActionID: c.actionId, Channel: opts.dial.replace('{number}', dialledNumber(c.phone)),
        Context: opts.context, Exten: 's', Priority: '1', CallerID: opts.callerId,
        // The dialplan picks the control call's prompt by SURVEY_KIND.
        Variable: c.kind === 'control' ? `SURVEY_ID=${c.attemptId},SURVEY_KIND=control` : `SURVEY_ID=${c.attemptId}`,
        Async: 'true', Timeout: String(opts.ringSeconds * 1000),
      }).then((r) => {
        if (r.Response !== 'Success') {
          d.log(`survey attempt ${c.attemptId}: the PBX refused the Originate: ${r.Message ?? r.Response}`);
          l.obs.refused = true;
          end(l);
        }
      }, (err: Error) => {
        d.log(`survey attempt ${c.attemptId}: Originate failed: ${err.message}`);
        l.obs.refused = true;
        end(l);
      });
    },
    /** Attempts on the line now (this process). */
    active: () => [...byAttempt.values()].map((l) => l.claim.attemptId),
    stop() {
      d.events.off('event', onEvent);
      for (const l of byAttempt.values()) for (const t of l.timers) clearTimeout(t);
      const left = [...byAttempt.values()].map((l) => l.claim.attemptId);
      byAttempt.clear(); byAction.clear(); byChannel.clear();
      return left;
    },
  };
}
export type SurveyDialler = ReturnType<typeof surveyDialler>;
