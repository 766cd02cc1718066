// The executors' notices and scheduled mails, as plain functions over the repo and a clock: the
// scheduler (scheduler.ts) calls them on time, tests call them directly. Mail goes through the
// outbox in the same transaction that records the work, so a crash leaves neither half.
import { enqueueMail, type OutgoingMail } from '../mail/mail.repo.ts';
import type { Clock } from '../clock.ts';
import type { JobsRepo } from './jobs.repo.ts';
import { digestMail, noticeMail, overdueMail, type MailLinks } from './mails.ts';
import { latestSlot, previousSlot } from './slots.ts';

export interface JobsConfig {
  /** Times of day of the digest, in the city's time ("07:00", "19:00"). */
  digestTimes: string[];
  /** Time of day of the overdue list. */
  overdueTimes: string[];
  /** The contact centre's supervisor, copied on the overdue lists ('' for none). */
  supervisorEmail: string;
  publicUrl: string;
}

export interface JobsDeps { repo: JobsRepo; clock: Clock; config: JobsConfig; instance: string }

export const JOBS = ['digest', 'overdue'] as const;
export type Job = (typeof JOBS)[number];

const linksFor = (publicUrl: string): MailLinks => ({
  appeal: (id) => `${publicUrl}/executor?appeal=${id}`,
  inbox: `${publicUrl}/executor`,
});

export function jobs(d: JobsDeps) {
  const { repo, clock, config } = d;
  const links = linksFor(config.publicUrl);
  const timesOf = (job: Job) => (job === 'digest' ? config.digestTimes : config.overdueTimes);

  return {
    /**
     * Handles pending notices: organisations that read digests only are skipped (the digest lists the
     * appeal), the rest are mailed; concurrent senders never handle a notice twice.
     */
    async sendNotices(limit = 100) {
      return repo.tx('appeal-notices', async (t) => {
        const now = clock.now();
        const claimed = await repo.claimNotices(t, limit);
        const mails: OutgoingMail[] = [];
        const handled = claimed.map((n) => {
          if (n.stale) return { eventId: n.eventId, outcome: 'stale' };
          if (n.notifyMode === 'digest') return { eventId: n.eventId, outcome: 'digest' };
          if (!n.email) return { eventId: n.eventId, outcome: 'no_address' };
          mails.push(noticeMail(n, links, now));
          return { eventId: n.eventId, outcome: 'mailed' };
        });
        await enqueueMail(t, now, mails);
        await repo.markNotices(t, handled, now);
        return { handled: handled.length, mailed: mails.length };
      });
    },

    /**
     * Runs the job's latest slot at or before now, unless it ran already (on this instance or any
     * other): the scheduler's tick and the start-up catch-up of a slot missed while every server was
     * down are the same call. Returns the slot and its mail count, or null when there was nothing to run.
     */
    async runDue(job: Job) {
      const now = clock.now();
      const slot = latestSlot(timesOf(job), now);
      const since = (await repo.lastRunBefore(job, slot)) ?? previousSlot(timesOf(job), slot);
      const result = await repo.runSlot(job, slot, d.instance, now, async (t) => {
        const rows = await repo.digests(t, since, slot);
        const mails = rows
          .map((r) => (job === 'digest' ? digestMail(r, slot, links) : overdueMail(r, slot, links, config.supervisorEmail)))
          .filter((m): m is OutgoingMail => m !== null);
        await enqueueMail(t, now, mails);
        return { mails: mails.length };
      });
      return result && { job, slot, mails: result.mails };
    },
  };
}
export type Jobs = ReturnType<typeof jobs>;
