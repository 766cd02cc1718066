// The mail a resident gets after sending an appeal from /report: its number and the private link.
// Words live in the one i18n table under mail.report.*.
import { renderMail, mailDate, type MailLang } from '../mail/templates.ts';
import type { OutgoingMail } from '../mail/mail.repo.ts';
import { translate } from '../../vocabulary/i18n/translate.ts';

export function reportedMail(to: string, a: { number: string; category: string; dueAt: Date; trackUrl: string; expiresAt: Date }, lang: MailLang): OutgoingMail {
  const body = renderMail({
    heading: translate(lang, 'mail.report.heading', { number: a.number }),
    paragraphs: [translate(lang, 'mail.report.text'), translate(lang, 'mail.report.private')],
    facts: [
      [translate(lang, 'mail.report.number'), a.number],
      [translate(lang, 'mail.report.category'), a.category],
      [translate(lang, 'mail.report.due'), mailDate(a.dueAt, lang)],
    ],
    action: { label: translate(lang, 'mail.report.track'), url: a.trackUrl },
    footer: { text: translate(lang, 'mail.report.why', { until: mailDate(a.expiresAt, lang) }) },
  });
  return { to, subject: translate(lang, 'mail.report.subject', { number: a.number }), ...body, kind: 'report_registered' };
}
