// The announcement mails (Ukrainian, or English for subscribers who chose it); their words live in
// the one i18n table under mail.*.
import { renderMail, mailDate, type MailLang } from '../mail/templates.ts';
import type { OutgoingMail } from '../mail/mail.repo.ts';
import type { Kind, Utility } from './announcements.repo.ts';
import { translate, type MessageKey } from '../../vocabulary/i18n/translate.ts';

export type Change = 'published' | 'changed' | 'cancelled' | 'closed';

type MailKey = Extract<MessageKey, `mail.${string}`>;
const tr = (k: MailKey, lang: MailLang, p?: Record<string, string>) => translate(lang, k, p);
/** "електропостачання": how a mail names the utility inside a sentence. */
export const utilityName = (u: Utility, lang: MailLang) => tr(`mail.utility.${u}`, lang);

export interface MailAnnouncement {
  id: number; kind: Kind; utility: Utility; title: string; description: string; contact: string;
  executor: string; startsAt: Date; endsAt: Date;
}
export interface Links { confirm: (token: string) => string; unsubscribe: (token: string) => string; announcement: (id: number) => string }

export function confirmationMail(to: string, token: string, address: string, lang: MailLang, links: Links): OutgoingMail {
  const body = renderMail({
    heading: tr('mail.confirmHeading', lang),
    paragraphs: [tr('mail.confirmText', lang, { address }), tr('mail.confirmIgnore', lang)],
    action: { label: tr('mail.confirm', lang), url: links.confirm(token) },
    footer: { text: tr('mail.why', lang, { address }), link: { label: tr('mail.unsubscribe', lang), url: links.unsubscribe(token) } },
  });
  return { to, subject: tr('mail.confirmSubject', lang), ...body, kind: 'announcement_confirm' };
}

export function noticeMail(
  change: Change, a: MailAnnouncement, sub: { email: string; token: string; lang: MailLang; address: string },
  links: Links, opts: { leftZone?: boolean } = {},
): OutgoingMail {
  const lang = sub.lang;
  const what = `${translate(lang, `ann.kind.${a.kind}`)}: ${utilityName(a.utility, lang)}`;
  const body = renderMail({
    heading: tr(`mail.change.${change}`, lang),
    paragraphs: [a.title ? `${what}. ${a.title}` : what, ...(a.description ? [a.description] : []), ...(opts.leftZone ? [tr('mail.noLonger', lang)] : [])],
    facts: [
      [tr('mail.address', lang), sub.address],
      [tr('mail.when', lang), `${mailDate(a.startsAt, lang)} — ${mailDate(a.endsAt, lang)}`],
      [tr('mail.executor', lang), a.executor],
      ...(a.contact ? [[tr('mail.contact', lang), a.contact] as [string, string]] : []),
    ],
    action: { label: tr('mail.details', lang), url: links.announcement(a.id) },
    footer: { text: tr('mail.why', lang, { address: sub.address }), link: { label: tr('mail.unsubscribe', lang), url: links.unsubscribe(sub.token) } },
  });
  return { to: sub.email, subject: `${tr(`mail.change.${change}`, lang)}: ${what} — ${sub.address}`, ...body, kind: `announcement_${change}` };
}
