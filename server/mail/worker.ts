// The outbox worker: a plain function the process schedules and tests call directly.
import type { Db } from '../db/db.ts';
import { mailRepo } from './mail.repo.ts';
import type { MailTransport } from './transport.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Metrics } from '../observe/metrics.ts';

export interface WorkerOptions { from: string; batch?: number; maxAttempts?: number; log?: (m: string) => void; clock?: Clock }

/** Retry after 1 min, 2, 4 … capped at 6 h. */
export const backoffSeconds = (attempts: number) => Math.min(60 * 2 ** Math.max(0, attempts - 1), 6 * 3600);

/** Sends due mail once; returns how many were sent and failed. Concurrent workers never send a row twice. */
export async function sendPendingMail(db: Db, transport: MailTransport, opts: WorkerOptions) {
  const repo = mailRepo(db);
  const batch = opts.batch ?? 50;
  const maxAttempts = opts.maxAttempts ?? 8;
  const clock = opts.clock ?? systemClock;
  return db.tx('mail-outbox', async (t) => {
    let sent = 0, failed = 0;
    for (const m of await repo.claim(t, batch, maxAttempts, clock.now())) {
      try {
        await transport.send({ from: opts.from, to: m.to, subject: m.subject, text: m.text, html: m.html ?? undefined, headers: unsubscribeHeader(m.text) });
        await repo.markSent(t, m.id, clock.now());
        sent++;
      } catch (e) {
        failed++;
        const msg = (e as Error).message || String(e);
        await repo.markFailed(t, m.id, msg, backoffSeconds(m.attempts + 1), clock.now());
        // The address is personal data: the log names the outbox row only.
        opts.log?.(`mail ${m.id} failed (attempt ${m.attempts + 1}): ${msg}`);
      }
    }
    return { sent, failed };
  });
}

// Mail clients offer a one-click "unsubscribe" when the header names the link the body carries.
function unsubscribeHeader(text: string): Record<string, string> | undefined {
  const link = text.match(/https?:\/\/\S+\/unsubscribe\?token=[\w-]+/)?.[0];
  return link ? { 'List-Unsubscribe': `<${link}>` } : undefined;
}

/** Runs the worker every `everyMs` until stopped; one run at a time. `stop` waits for a run under way. */
export function startMailWorker(db: Db, transport: MailTransport, opts: WorkerOptions & { everyMs?: number; metrics?: Metrics }) {
  let running: Promise<void> | null = null;
  const m = opts.metrics;
  const once = async () => {
    const r = m ? await m.jobRun('mail-outbox', () => sendPendingMail(db, transport, opts)) : await sendPendingMail(db, transport, opts);
    m?.mailSent.inc(r.sent);
    m?.mailFailed.inc(r.failed);
    if (m) { const pending = await mailRepo(db).pending(); m.sources.outbox = () => ({ pending }); }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = once().catch((e) => opts.log?.(`mail worker: ${(e as Error).message}`)).finally(() => { running = null; });
  }, opts.everyMs ?? 5000);
  timer.unref();
  return { stop: async () => { clearInterval(timer); await running; } };
}

/** The process's outbox worker (registered in server/boot.ts WORKERS). */
export async function mailWorker(s: { db: Db; clock: Clock; metrics: Metrics; config: { smtpUrl: string; mailDir: string; mailFrom: string } }, log: (m: string) => void) {
  const { transportFromConfig } = await import('./transport.ts');
  const transport = transportFromConfig(s.config, s.clock, (m) => log(`[mail] ${m}`));
  if (!s.config.smtpUrl) log(`[mail] SMTP_URL is not set: mail is written as .eml files to ${transport.describe.replace(/^files in /, '')}`);
  else log(`[mail] sending through ${transport.describe}`);
  const w = startMailWorker(s.db, transport, { from: s.config.mailFrom, clock: s.clock, metrics: s.metrics, log: (m) => log(`[mail] ${m}`) });
  return () => w.stop();
}
