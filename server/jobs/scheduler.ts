// Puts the jobs on the clock in every process (registered in server/boot.ts WORKERS): node-cron
// fires each slot at its wall time in Europe/Kyiv, start-up catches up on a slot missed while every
// server was down, and pending notices are sent every few seconds. Every instance runs this; the
// slot record and the notices' row locks make each piece of work happen once.
import { hostname } from 'node:os';
import cron from 'node-cron';
import type { Services } from '../services.ts';
import { jobs, JOBS, type Job, type JobsConfig } from './jobs.ts';
import { CITY_TZ, cronOf, parseTimes } from './slots.ts';
import { housekeeping, SWEEP_EVERY_MS } from './housekeeping.ts';

export function jobsConfigOf(c: Services['config']): JobsConfig {
  return {
    digestTimes: parseTimes(c.jobs.digestTimes), overdueTimes: parseTimes(c.jobs.overdueTimes),
    supervisorEmail: c.jobs.supervisorEmail, publicUrl: c.publicUrl,
  };
}

export async function jobsWorker(s: Services, log: (m: string) => void) {
  const config = jobsConfigOf(s.config);
  const j = jobs({ repo: s.repos.jobs, clock: s.clock, config, instance: `${hostname()}:${process.pid}` });
  const running = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => { running.add(p); p.finally(() => running.delete(p)).catch(() => {}); return p; };
  const run = (job: Job) => track(s.metrics.jobRun(job, () => j.runDue(job))
    .then((r) => { if (r) log(`[jobs] ${job} for ${r.slot.toISOString()}: ${r.mails} mail(s) queued`); })
    .catch((e) => log(`[jobs] ${job}: ${(e as Error).message}`)));

  // A slot missed while no server ran: once now (another instance starting at the same time skips it).
  for (const job of JOBS) await run(job);

  const tasks = JOBS.flatMap((job) => (job === 'digest' ? config.digestTimes : config.overdueTimes).map((time) =>
    cron.schedule(cronOf(time), () => run(job), { timezone: CITY_TZ, noOverlap: true })));

  let sending: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (sending) return;
    sending = track(s.metrics.jobRun('appeal-notices', () => j.sendNotices()).catch((e) => log(`[jobs] notices: ${(e as Error).message}`))).finally(() => { sending = null; });
  }, s.config.jobs.noticeEveryMs);
  timer.unref();
  const sweep = housekeeping({
    auth: s.repos.auth, announcements: s.repos.announcements, intake: s.repos.intake, clock: s.clock,
    mailWindowS: Math.max(s.config.mailLimits.perAddress.windowS, s.config.mailLimits.perClient.windowS),
    reportWindowS: Math.max(s.config.intake.perEmail.windowS, s.config.intake.perClient.windowS),
  });
  const sweepNow = () => track(sweep()
    .then((r) => { if (Object.values(r).some(Boolean)) log(`[jobs] housekeeping: ${r.sessions} expired session(s), ${r.throttleKeys} throttle key(s), ${r.confirmationMails} mail log and ${r.webReports} web report log entr(ies) deleted`); })
    .catch((e) => log(`[jobs] housekeeping: ${(e as Error).message}`)));
  sweepNow();
  const sweeper = setInterval(sweepNow, SWEEP_EVERY_MS);
  sweeper.unref();
  log(`[jobs] digests at ${config.digestTimes.join(', ')}, overdue lists at ${config.overdueTimes.join(', ')} (${CITY_TZ})`);

  return async () => {
    clearInterval(timer);
    clearInterval(sweeper);
    for (const t of tasks) await t.destroy();
    await Promise.allSettled([...running]);
  };
}
