// The contact centre's statistics from the call log: the figures of a period of Kyiv days with
// their breakdowns, and the wallboard's figures of today. No HTTP here; the input layer has already
// checked the period (call-stats.input.ts).
import type { Clock } from '../clock.ts';
import type { CallStatsFilter, CallStatsRepo, CallStatsRow } from './call-stats.repo.ts';
import { eachDay, kyivDay } from '../../vocabulary/calendar.ts';
import {
  SERVICE_LEVEL_SECONDS, SERVICE_LEVEL_TARGET, callFigures,
  type BoardToday, type CallCounts, type CallFigures, type CallStats,
} from '../../vocabulary/telephony.ts';

const NONE: CallCounts = {
  offered: 0, answered: 0, answeredInTime: 0, abandoned: 0, noOperators: 0, unanswered: 0, lost: 0,
  consultations: 0, endedBeforeQueue: 0, averageSpeedOfAnswerSeconds: null, averageHandleTimeSeconds: null, longestWaitSeconds: null,
};

function countsOf(r: CallCounts): CallCounts {
  return {
    offered: r.offered, answered: r.answered, answeredInTime: r.answeredInTime, abandoned: r.abandoned,
    noOperators: r.noOperators, unanswered: r.unanswered, lost: r.lost, consultations: r.consultations,
    endedBeforeQueue: r.endedBeforeQueue, averageSpeedOfAnswerSeconds: r.averageSpeedOfAnswerSeconds,
    averageHandleTimeSeconds: r.averageHandleTimeSeconds, longestWaitSeconds: r.longestWaitSeconds,
  };
}
const figuresOf = (r: CallCounts | undefined): CallFigures => callFigures(r ? countsOf(r) : NONE);

/** The rows of the one statement, sorted into the response; hours and days without calls are zeros. */
export function assemble(f: CallStatsFilter, rows: CallStatsRow[]): CallStats {
  const of = (dim: CallStatsRow['dim']) => rows.filter((r) => r.dim === dim);
  const hours = new Map(of('hour').map((r) => [r.hour, r]));
  const days = new Map(of('day').map((r) => [r.day, r]));
  return {
    from: f.from, to: f.to, queue: f.queue ?? null, operator: f.operator ?? null,
    thresholds: { serviceLevelSeconds: SERVICE_LEVEL_SECONDS, serviceLevelTarget: SERVICE_LEVEL_TARGET },
    totals: figuresOf(of('total')[0]),
    byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, ...figuresOf(hours.get(hour)) })),
    byDay: eachDay(f.from, f.to).map((day) => ({ day, ...figuresOf(days.get(day)) })),
    byQueue: of('queue')
      .map((r) => ({ queue: r.queue, ...figuresOf(r) }))
      .sort((a, b) => b.offered - a.offered || (a.queue ?? '\uffff').localeCompare(b.queue ?? '\uffff')),
    byOperator: of('operator')
      .map((r) => ({
        operatorId: r.operatorId!, name: r.name ?? '', answered: r.answered, consultations: r.consultations,
        averageSpeedOfAnswerSeconds: r.averageSpeedOfAnswerSeconds, averageHandleTimeSeconds: r.averageHandleTimeSeconds,
      }))
      .sort((a, b) => b.answered - a.answered || a.name.localeCompare(b.name, 'uk')),
  };
}

export function callStatsService(repo: CallStatsRepo, clock: Clock) {
  return {
    /** The figures of `from`…`to` (Kyiv days, inclusive), for one queue or operator when given. */
    async stats(f: CallStatsFilter): Promise<CallStats> {
      return assemble(f, await repo.breakdown(f));
    },

    /** The figures of the Kyiv day containing `now`, for the supervisor's wallboard. */
    async today(now: Date = clock.now()): Promise<BoardToday> {
      const day = kyivDay(now);
      const f = callFigures(await repo.totals({ from: day, to: day }));
      return {
        offered: f.offered, answered: f.answered, abandoned: f.abandoned, noOperators: f.noOperators,
        serviceLevel: f.serviceLevel, averageSpeedOfAnswerSeconds: f.averageSpeedOfAnswerSeconds,
      };
    },
  };
}
export type CallStatsService = ReturnType<typeof callStatsService>;
