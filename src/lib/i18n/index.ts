import { page } from '$app/state';
import { messages, DEFAULT_LOCALE, LOCALES, type Locale, type MessageKey } from './messages';

export { LOCALES, DEFAULT_LOCALE, type Locale, type MessageKey };

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** Translates with {name} placeholders. */
export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  let s: string = messages[key]?.[locale] ?? messages[key]?.[DEFAULT_LOCALE] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

/** The current page's locale (from the layout's data). Call during component render or in handlers. */
export function locale(): Locale {
  const l = page.data?.locale;
  return isLocale(l) ? l : DEFAULT_LOCALE;
}

/** Translate in the current page's language. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale(), key, params);
}

/** Formats numbers and dates the way the current language writes them. */
export const fmt = {
  number: (n: number) => n.toLocaleString(locale() === 'uk' ? 'uk-UA' : 'en-GB'),
  dateTime: (d: string | Date) =>
    new Date(d).toLocaleString(locale() === 'uk' ? 'uk-UA' : 'en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Kyiv' }),
  date: (d: string | Date) =>
    new Date(d).toLocaleDateString(locale() === 'uk' ? 'uk-UA' : 'en-GB', { timeZone: 'Europe/Kyiv' }),
};
