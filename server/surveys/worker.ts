// Survey calls as a background worker of the product process (server/boot.ts): after telephony,
// so the scheduler dials through the same AMI link; stopped before it.
import type { Services } from '../services.ts';

export async function surveysWorker(s: Services, log: (m: string) => void) {
  if (!s.config.survey.enabled) {
    log('[surveys] SURVEY_ENABLED=0: this process schedules and dials no survey calls');
    return () => {};
  }
  const scheduler = s.surveys.scheduler(s.telephony, { log: (m) => log(`[surveys] ${m}`) });
  scheduler.start();
  return () => scheduler.stop();
}
