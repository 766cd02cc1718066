// How mail leaves the process: real SMTP from SMTP_URL, or (no SMTP configured) .eml files on disk
// so a demo shows exactly what would have been sent without a mail server.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Clock } from '../clock.ts';

export interface MailMessage { from: string; to: string; subject: string; text: string; html?: string; headers?: Record<string, string> }
export interface MailTransport { send(m: MailMessage): Promise<void>; describe: string }

export function smtpTransport(url: string): MailTransport {
  const t = nodemailer.createTransport(url);
  return {
    describe: `SMTP ${url.replace(/\/\/[^@/]*@/, '//***@')}`,
    async send(m) { await t.sendMail(m); },
  };
}

/** Writes each message as an RFC 822 .eml file; any mail client opens them. */
export function fileTransport(dir: string, clock: Clock, log: (m: string) => void = () => {}): MailTransport {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    describe: `files in ${dir}`,
    async send(m) {
      const info = await t.sendMail(m) as unknown as { message: Buffer; messageId: string };
      mkdirSync(dir, { recursive: true });
      const name = `${clock.now().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^\w.-]/g, '')}.eml`;
      writeFileSync(join(dir, name), info.message);
      log(`mail "${m.subject}" written to ${join(dir, name)}`);
    },
  };
}

export function transportFromConfig(cfg: { smtpUrl: string; mailDir: string }, clock: Clock, log: (m: string) => void = () => {}): MailTransport {
  return cfg.smtpUrl ? smtpTransport(cfg.smtpUrl) : fileTransport(cfg.mailDir, clock, log);
}
