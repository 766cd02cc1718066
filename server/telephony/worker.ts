// Telephony as a background worker of the product process (server/boot.ts): connects to the PBX
// (or starts the demo simulator) on boot and hangs up cleanly on shutdown.
import type { Services } from '../services.ts';

export async function telephonyWorker(s: Services, log: (m: string) => void) {
  await s.telephony.start({ log: (m) => log(`[telephony] ${m}`) });
  return () => s.telephony.stop();
}
