// The mayor's dashboard: the Kyiv day's calls and appeals, open and overdue appeals, the contact
// centre's service level, outages on now and the day's top issues. Every instance LISTENs on
// misto_live (migration 131) and redraws at most every THROTTLE_MS while anyone watches; a minute
// tick moves "overdue" and the day along without any change in the tables. Counts only.
import type { Clock } from '../clock.ts';
import type { Listener } from '../db/listen.ts';
import type { PlanningRepo } from './planning.repo.ts';
import type { BoardToday } from '../../vocabulary/telephony.ts';
import { LIVE_TOP_ISSUES, type LiveDashboard } from '../../vocabulary/planning.ts';
import { kyivDay } from '../../vocabulary/calendar.ts';

const THROTTLE_MS = 500;
const TICK_MS = 60_000;

export function liveDashboard(deps: {
  repo: PlanningRepo;
  clock: Clock;
  /** The contact centre's own figures of the day (server/telephony/call-stats.service.ts). */
  callsToday(now: Date): Promise<BoardToday>;
  log(m: string): void;
}) {
  const listeners = new Set<(d: LiveDashboard) => void>();
  let listener: Listener | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  async function snapshot(now: Date = deps.clock.now()): Promise<LiveDashboard> {
    const day = kyivDay(now);
    const start = await deps.repo.dayStart(day);
    const [calls, appeals, outages] = await Promise.all([
      deps.callsToday(now),
      deps.repo.appealsToday(start, now, LIVE_TOP_ISSUES),
      deps.repo.activeOutages(now),
    ]);
    return {
      at: now.toISOString(), day,
      calls: {
        offered: calls.offered, answered: calls.answered, abandoned: calls.abandoned,
        serviceLevel: calls.serviceLevel, averageSpeedOfAnswerSeconds: calls.averageSpeedOfAnswerSeconds,
      },
      appeals: { today: appeals.today, open: appeals.open, overdue: appeals.overdue },
      topIssues: appeals.topIssues,
      outages: outages.map((o) => ({ ...o, startsAt: new Date(o.startsAt).toISOString(), endsAt: new Date(o.endsAt).toISOString() })),
    };
  }

  function redraw() {
    if (running) { again = true; return; }
    running = snapshot().then((d) => { for (const fn of listeners) fn(d); }, (e: Error) => deps.log(`live dashboard: ${e.message}`))
      .finally(() => { running = null; if (again) { again = false; changed(); } });
  }

  /** Something changed: redraw, but not more often than once a THROTTLE_MS. */
  function changed() {
    if (timer || !listeners.size) return;
    timer = setTimeout(() => { timer = null; redraw(); }, THROTTLE_MS);
    timer.unref();
  }

  return {
    snapshot,
    /** Hear every fresh dashboard; the first LISTENer starts the watch, the last one stops it. */
    subscribe(fn: (d: LiveDashboard) => void) {
      listeners.add(fn);
      listener ??= deps.repo.watchLive(changed, deps.log);
      ticker ??= setInterval(changed, TICK_MS).unref();
      return () => {
        listeners.delete(fn);
        if (listeners.size) return;
        if (ticker) clearInterval(ticker);
        ticker = null;
        void listener?.close();
        listener = null;
      };
    },
    async stop() {
      if (timer) clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      timer = ticker = null;
      listeners.clear();
      await listener?.close();
      listener = null;
    },
  };
}
export type LiveDashboardHub = ReturnType<typeof liveDashboard>;
