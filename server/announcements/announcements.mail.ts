// The announcement mails (Ukrainian, or English for subscribers who chose it).
import { renderMail, mailDate, type MailLang } from '../mail/templates.ts';
import type { OutgoingMail } from '../mail/mail.repo.ts';
import type { Kind, Utility } from './announcements.repo.ts';

const UTILITY: Record<Utility, Record<MailLang, string>> = {
  electricity: { uk: 'електропостачання', en: 'electricity' },
  gas: { uk: 'газопостачання', en: 'gas' },
  cold_water: { uk: 'холодне водопостачання', en: 'cold water' },
  hot_water: { uk: 'гаряче водопостачання', en: 'hot water' },
  heating: { uk: 'опалення', en: 'heating' },
};
const KIND: Record<Kind, Record<MailLang, string>> = {
  outage: { uk: 'Відключення', en: 'Outage' },
  excavation: { uk: 'Розкопка', en: 'Excavation' },
};
export const utilityName = (u: Utility, lang: MailLang) => UTILITY[u][lang];

export type Change = 'published' | 'changed' | 'cancelled' | 'closed';
const CHANGE: Record<Change, Record<MailLang, string>> = {
  published: { uk: 'Нове оголошення для вашого будинку', en: 'New announcement for your building' },
  changed: { uk: 'Оголошення для вашого будинку змінено', en: 'An announcement for your building has changed' },
  cancelled: { uk: 'Оголошення для вашого будинку скасовано', en: 'An announcement for your building was cancelled' },
  closed: { uk: 'Роботи завершено достроково', en: 'Works finished early' },
};

const L = {
  address: { uk: 'Адреса', en: 'Address' },
  when: { uk: 'Період', en: 'When' },
  executor: { uk: 'Виконавець', en: 'Utility' },
  contact: { uk: 'Контакт', en: 'Contact' },
  details: { uk: 'Подробиці на карті', en: 'Details on the map' },
  why: { uk: 'Ви отримали цей лист, бо підписалися на оголошення для будинку {address}.', en: 'You receive this because you subscribed to announcements for {address}.' },
  unsubscribe: { uk: 'Відписатися', en: 'Unsubscribe' },
  noLonger: { uk: 'Ваш будинок більше не входить до зони цього оголошення.', en: 'Your building is no longer inside this announcement’s zone.' },
  confirmSubject: { uk: 'Підтвердіть підписку на оголошення', en: 'Confirm your subscription to announcements' },
  confirmHeading: { uk: 'Підтвердіть підписку', en: 'Confirm your subscription' },
  confirmText: { uk: 'Ви (або хтось замість вас) підписали цю адресу на оголошення про відключення і розкопки для будинку {address}. Щоб отримувати листи, підтвердіть підписку.', en: 'You (or someone for you) subscribed this address to outage and excavation announcements for {address}. To receive them, confirm the subscription.' },
  confirmIgnore: { uk: 'Якщо це були не ви, просто проігноруйте цей лист.', en: 'If this was not you, simply ignore this message.' },
  confirm: { uk: 'Підтвердити підписку', en: 'Confirm subscription' },
} as const;
const tr = (k: keyof typeof L, lang: MailLang, p: Record<string, string> = {}) =>
  (L[k][lang] as string).replace(/\{(\w+)\}/g, (_, x) => p[x] ?? '');

export interface MailAnnouncement {
  id: number; kind: Kind; utility: Utility; title: string; description: string; contact: string;
  executor: string; startsAt: Date; endsAt: Date;
}
export interface Links { confirm: (token: string) => string; unsubscribe: (token: string) => string; announcement: (id: number) => string }

export function confirmationMail(to: string, token: string, address: string, lang: MailLang, links: Links): OutgoingMail {
  const body = renderMail({
    heading: tr('confirmHeading', lang),
    paragraphs: [tr('confirmText', lang, { address }), tr('confirmIgnore', lang)],
    action: { label: tr('confirm', lang), url: links.confirm(token) },
    footer: { text: tr('why', lang, { address }), link: { label: tr('unsubscribe', lang), url: links.unsubscribe(token) } },
  });
  return { to, subject: tr('confirmSubject', lang), ...body, kind: 'announcement_confirm' };
}

export function noticeMail(
  change: Change, a: MailAnnouncement, sub: { email: string; token: string; lang: MailLang; address: string },
  links: Links, opts: { leftZone?: boolean } = {},
): OutgoingMail {
  const lang = sub.lang;
  const what = `${KIND[a.kind][lang]}: ${utilityName(a.utility, lang)}`;
  const body = renderMail({
    heading: CHANGE[change][lang],
    paragraphs: [a.title ? `${what}. ${a.title}` : what, ...(a.description ? [a.description] : []), ...(opts.leftZone ? [tr('noLonger', lang)] : [])],
    facts: [
      [tr('address', lang), sub.address],
      [tr('when', lang), `${mailDate(a.startsAt, lang)} — ${mailDate(a.endsAt, lang)}`],
      [tr('executor', lang), a.executor],
      ...(a.contact ? [[tr('contact', lang), a.contact] as [string, string]] : []),
    ],
    action: { label: tr('details', lang), url: links.announcement(a.id) },
    footer: { text: tr('why', lang, { address: sub.address }), link: { label: tr('unsubscribe', lang), url: links.unsubscribe(sub.token) } },
  });
  return { to: sub.email, subject: `${CHANGE[change][lang]}: ${what} — ${sub.address}`, ...body, kind: `announcement_${change}` };
}
