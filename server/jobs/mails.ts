// The executors' mails — a notice of one appeal, the twice-daily digest, the daily overdue list —
// in Ukrainian, text and HTML from the same parts; their words live in the i18n table under notice.*.
import { renderMail, mailDate, type MailLang } from '../mail/templates.ts';
import type { OutgoingMail } from '../mail/mail.repo.ts';
import { translate, type MessageKey } from '../../vocabulary/i18n/translate.ts';
import type { DigestLine, DigestRow, NoticeRow } from './jobs.repo.ts';

type Key = Extract<MessageKey, `notice.${string}`>;
const tr = (k: Key, lang: MailLang, p?: Record<string, string | number>) => translate(lang, k, p);
const LANG: MailLang = 'uk';

export interface MailLinks { appeal: (id: number) => string; inbox: string }

/** "15-80/2026/000123 · Протікання покрівлі · вул. Незалежності, 12 · до 23 листопада 2026 р. о 10:00 (прострочено на 5 год)". */
function lineOf(l: DigestLine, now: Date, lang: MailLang): string {
  const due = new Date(l.dueAt);
  const parts = [l.number, l.category, ...(l.place ? [l.place] : []), tr('notice.due', lang, { at: mailDate(due, lang) })];
  if (due.getTime() < now.getTime()) parts.push(tr('notice.late', lang, { hours: Math.max(1, Math.floor((now.getTime() - due.getTime()) / 3600_000)) }));
  if (l.controlCount > 0) parts.push(tr('notice.returned', lang, { n: l.controlCount }));
  return parts.join(' · ');
}

function section(title: Key, lines: DigestLine[], total: number, now: Date, lang: MailLang): { title: string; items: string[] }[] {
  if (!total) return [];
  const more = total > lines.length ? [tr('notice.more', lang, { n: total - lines.length })] : [];
  return [{ title: `${tr(title, lang)} (${total})`, items: [...lines.map((l) => lineOf(l, now, lang)), ...more] }];
}

export function noticeMail(n: NoticeRow, links: MailLinks, now: Date): OutgoingMail {
  const lang = LANG;
  const heading = n.why === 'control' ? tr('notice.controlHeading', lang, { number: n.number })
    : n.why === 'assigned' ? tr('notice.assignedHeading', lang, { number: n.number })
    : tr('notice.newHeading', lang, { number: n.number });
  const body = renderMail({
    heading,
    paragraphs: [n.text],
    facts: [
      [tr('notice.category', lang), n.category],
      ...(n.place ? [[tr('notice.place', lang), n.place] as [string, string]] : []),
      [tr('notice.dueAt', lang), mailDate(new Date(n.dueAt), lang)],
    ],
    action: { label: tr('notice.open', lang), url: links.appeal(n.appealId) },
    footer: { text: tr('notice.footer', lang, { at: mailDate(now, lang) }) },
  });
  return { to: n.email!, subject: heading, ...body, kind: 'appeal_notice' };
}

/** The digest, or null when there is nothing to say (no new, due, overdue or returned appeal). */
export function digestMail(d: DigestRow, slot: Date, links: MailLinks): OutgoingMail | null {
  const lang = LANG;
  if (!d.fresh.length && !d.dueSoon.length && !d.overdueTotal && !d.control.length) return null;
  const sections = [
    ...section('notice.fresh', d.fresh, d.fresh.length, slot, lang),
    ...section('notice.control', d.control, d.control.length, slot, lang),
    ...section('notice.overdue', d.overdue, d.overdueTotal, slot, lang),
    ...section('notice.dueSoon', d.dueSoon, d.dueSoon.length, slot, lang),
  ];
  const subject = tr('notice.digestSubject', lang, { name: d.name, at: mailDate(slot, lang) });
  const body = renderMail({
    heading: subject, paragraphs: [tr('notice.digestSummary', lang, { open: d.open, overdue: d.overdueTotal })], sections,
    action: { label: tr('notice.openInbox', lang), url: links.inbox },
    footer: { text: tr('notice.footer', lang, { at: mailDate(slot, lang) }) },
  });
  return { to: d.email, subject, ...body, kind: 'appeal_digest' };
}

/** The daily overdue list, to the organisation with a copy to the contact centre's supervisor. */
export function overdueMail(d: DigestRow, slot: Date, links: MailLinks, supervisor: string): OutgoingMail | null {
  const lang = LANG;
  if (!d.overdueTotal) return null;
  const subject = tr('notice.overdueSubject', lang, { name: d.name, n: d.overdueTotal });
  const body = renderMail({
    heading: subject,
    paragraphs: [],
    sections: section('notice.overdue', d.overdue, d.overdueTotal, slot, lang),
    action: { label: tr('notice.openInbox', lang), url: `${links.inbox}?overdue=1` },
    footer: { text: tr('notice.footer', lang, { at: mailDate(slot, lang) }) },
  });
  return { to: supervisor ? `${d.email}, ${supervisor}` : d.email, subject, ...body, kind: 'appeal_overdue' };
}
