// Survey and control calls: the scheduler (scan the history, claim due surveys within the channel
// limit and the calling hours, dial), what an attempt's end means (retry or result), and report 3.
// No HTTP here; the PBX is reached through the telephony service's AMI link.
import type { EventEmitter } from 'node:events';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { ClaimedAttempt, SurveysRepo } from './surveys.repo.ts';
import { surveyDialler, type AttemptReport, type DiallerOptions, type SurveyDialler } from './dialler.ts';
import type { Classified } from './classify.ts';
import { controlMail } from './surveys.mail.ts';
import {
  inCallingHours, parseControlShares, parseHours, parseRetryPolicy,
  type ControlShares, type RetryPolicy, type SurveyFigures, type SurveyResult, type SurveyStats,
} from '../../vocabulary/surveys.ts';

/** The scheduler's settings; how a call is dialled and followed is the dialler's (DiallerOptions). */
export interface SurveySettings extends DiallerOptions {
  delayMinutes: number;
  hours: { from: number; to: number };
  channels: number;
  maxAgeHours: number;
  lagSeconds: number;
  retry: RetryPolicy;
  controlDueHours: number;
  control: ControlShares;
  tickMs: number;
  scanBatch: number;
}

export function surveySettings(c: Config['survey']): SurveySettings {
  return {
    delayMinutes: c.delayMinutes, hours: parseHours(c.hours), channels: c.channels, dial: c.dial, callerId: c.callerId,
    context: c.context, ringSeconds: c.ringSeconds, maxCallSeconds: c.maxCallSeconds, causeWaitMs: 1500,
    maxAgeHours: c.maxAgeHours, lagSeconds: 60, retry: parseRetryPolicy(c.retry), controlDueHours: c.controlDueHours,
    control: parseControlShares(c.controlShare, c.controlShares), tickMs: c.tickMs, scanBatch: 10_000,
  };
}

/** What the scheduler needs of telephony. */
export interface SurveyPbx {
  action(msg: Record<string, string>, timeoutMs?: number): Promise<Record<string, string | undefined>>;
  amiEvents: EventEmitter;
  status(): { connected: boolean };
}

/** Retry or result after one attempt, by the policy. */
export function nextStep(o: Classified, attempt: number, now: Date, retry: RetryPolicy): { retryAt: Date | null; result: SurveyResult | null } {
  if (o.outcome === 'answered') return { retryAt: null, result: o.confirmed ? 'confirmed' : 'not_confirmed' };
  if (o.outcome === 'invalid_number') return { retryAt: null, result: 'invalid_number' };
  const p = retry[o.outcome];
  if (attempt < p.attempts) return { retryAt: new Date(now.getTime() + p.afterMinutes * 60_000), result: null };
  return { retryAt: null, result: 'unreached' };
}

const ZERO: SurveyFigures = {
  calls: 0, answeredWithResult: 0, answeredWithoutResult: 0, noPickup: 0, busy: 0, invalidNumber: 0, failed: 0,
  confirmed: 0, notConfirmed: 0, averageRating: null,
};
const figures = (r: SurveyFigures): SurveyFigures => ({
  calls: r.calls, answeredWithResult: r.answeredWithResult, answeredWithoutResult: r.answeredWithoutResult, noPickup: r.noPickup,
  busy: r.busy, invalidNumber: r.invalidNumber, failed: r.failed, confirmed: r.confirmed, notConfirmed: r.notConfirmed,
  averageRating: r.averageRating,
});

export interface SurveysDeps { repo: SurveysRepo; clock: Clock; settings: SurveySettings; publicUrl: string }

export function surveysService(d: SurveysDeps) {
  const { repo, clock } = d;
  return {
    settings: d.settings,

    /** Report 3 for the Kyiv days from…to (checked by the input layer). */
    async stats(f: { from: string; to: string; by: 'executor' | 'category' }): Promise<SurveyStats> {
      const rows = await repo.stats(f);
      const total = rows.find((r) => r.total);
      return {
        from: f.from, to: f.to, by: f.by,
        totals: total ? figures(total) : ZERO,
        rows: rows.filter((r) => !r.total && r.id !== null).map((r) => ({ id: Number(r.id), name: r.name ?? '', nameEn: r.nameEn, ...figures(r) })),
      };
    },

    /** The scheduler of one process; `tick` is also what tests and the benchmark drive by hand. */
    scheduler(pbx: SurveyPbx, o: { log?: (m: string) => void; settings?: Partial<SurveySettings> } = {}) {
      const s = { ...d.settings, ...o.settings };
      const log = o.log ?? ((m: string) => console.log(`[surveys] ${m}`));
      let timer: NodeJS.Timeout | null = null;
      let running: Promise<void> | null = null;
      let again = false;
      let stopped = false;
      const finishing = new Set<Promise<unknown>>();
      const listeners = new Set<(e: { attempt: ClaimedAttempt; outcome: string }) => void>();

      const dialler: SurveyDialler = surveyDialler(s, {
        action: (m, t) => pbx.action(m, t), events: pbx.amiEvents, clock, log,
        ended: (a, obs) => {
          const p = ended(a, obs).catch((e) => log(`survey attempt ${a.attemptId}: not written: ${(e as Error).message}`))
            .finally(() => { finishing.delete(p); });
          finishing.add(p);
        },
      });

      async function ended(a: ClaimedAttempt, r: AttemptReport) {
        const now = clock.now();
        const step = nextStep(r, a.n, now, s.retry);
        const o = r.observed;
        await repo.finish({
          attemptId: a.attemptId, now, outcome: r.outcome, reason: o.reason ?? null, cause: o.cause ?? null,
          dialStatus: o.dialStatus ?? null, digit: o.digit ?? null, rating: r.confirmed ? r.rating : null, answeredAt: r.answeredAt,
          retryAt: step.retryAt, result: step.result, confirmed: r.confirmed, controlDueHours: s.controlDueHours,
        }, (appeal, from) => controlMail(appeal, from, d.publicUrl));
        for (const l of listeners) l({ attempt: a, outcome: r.outcome });
        // A channel is free: use it now rather than at the next tick (no scan: the tick does that).
        void kick(false);
      }

      async function once(scan: boolean) {
        const now = clock.now();
        // Up to 20 batches a round: a history loaded in bulk is caught up within a few ticks.
        for (let i = 0; scan && i < 20; i++) {
          const r = await repo.scan({ now, delayMinutes: s.delayMinutes, maxAgeHours: s.maxAgeHours, lagSeconds: s.lagSeconds, batch: s.scanBatch, control: s.control });
          if (!r.more) break;
        }
        if (stopped || !pbx.status().connected || !inCallingHours(now, s.hours)) return;
        const claimed = await repo.claim({
          now, channels: s.channels, staleSeconds: s.ringSeconds + s.maxCallSeconds + 60,
          failedRetryMinutes: s.retry.failed.afterMinutes, failedAttempts: s.retry.failed.attempts,
        });
        for (const c of claimed) dialler.dial(c);
      }

      let scanAgain = false;
      function kick(scan = true): Promise<void> {
        if (stopped) return Promise.resolve();
        if (running) { again = true; scanAgain ||= scan; return running; }
        running = (async () => {
          let withScan = scan;
          do {
            again = false;
            try { await once(withScan); } catch (e) { log(`tick: ${(e as Error).message}`); }
            withScan = scanAgain;
            scanAgain = false;
          } while (again && !stopped);
        })().finally(() => { running = null; });
        return running;
      }

      return {
        /** One round: scan the history, claim and dial. Resolves when the claims are sent. */
        tick: () => kick(true),
        start() {
          timer = setInterval(() => { void kick(true); }, s.tickMs);
          timer.unref();
        },
        /** Every attempt's end (tests, the benchmark). */
        onEnded(fn: (e: { attempt: ClaimedAttempt; outcome: string }) => void) { listeners.add(fn); return () => listeners.delete(fn); },
        active: () => dialler.active(),
        /** Waits for writes under way. Calls still on the line are written off as failed and dialled again later. */
        async stop() {
          stopped = true;
          if (timer) clearInterval(timer);
          await running;
          await Promise.all([...finishing]);
          const left = dialler.stop();
          if (left.length) await repo.abandon(left, clock.now(), s.retry.failed.afterMinutes);
        },
      };
    },
  };
}
export type SurveysService = ReturnType<typeof surveysService>;
export type SurveyScheduler = ReturnType<SurveysService['scheduler']>;
