// Rows that matter only for a while: sessions past their lifetime, sign-in throttle keys nobody has
// touched for longer than any of them counts, and the logs of confirmation mails and of web reports
// (e-mail and client addresses) older than the longest window of their limits. Every instance sweeps hourly; the deletes are
// idempotent, so two instances sweeping at once do no harm.
import type { AuthRepo } from '../auth/auth.repo.ts';
import type { AnnouncementsRepo } from '../announcements/announcements.repo.ts';
import type { IntakeRepo } from '../intake/intake.repo.ts';
import { KNOWN_S } from '../auth/throttle.ts';
import type { Clock } from '../clock.ts';

export const SWEEP_EVERY_MS = 3600_000;

export interface HousekeepingDeps {
  auth: Pick<AuthRepo, 'deleteExpiredSessions' | 'deleteStaleThrottle'>;
  announcements: Pick<AnnouncementsRepo, 'pruneConfirmationMails'>;
  intake: Pick<IntakeRepo, 'pruneSubmissions'>;
  clock: Clock;
  /** The longest window of the confirmation-mail limits (s). */
  mailWindowS: number;
  /** The longest window of the web reports' limits (s). */
  reportWindowS: number;
}

export function housekeeping(d: HousekeepingDeps) {
  return async function sweep() {
    const now = d.clock.now();
    const ago = (s: number) => new Date(now.getTime() - s * 1000);
    return {
      sessions: await d.auth.deleteExpiredSessions(now),
      throttleKeys: await d.auth.deleteStaleThrottle(ago(KNOWN_S)),
      confirmationMails: await d.announcements.pruneConfirmationMails(ago(d.mailWindowS)),
      webReports: await d.intake.pruneSubmissions(ago(d.reportWindowS)),
    };
  };
}
