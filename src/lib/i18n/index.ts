import { page } from '$app/state';
import { translate, isLocale, DEFAULT_LOCALE, type MessageKey } from '$vocabulary/i18n/translate';

export { translate, isLocale, LOCALES, DEFAULT_LOCALE, type Locale, type MessageKey } from '$vocabulary/i18n/translate';
import type { Locale } from '$vocabulary/i18n/translate';

/** The current page's locale (from the layout's data). Call during component render or in handlers. */
export function locale(): Locale {
  const l = page.data?.locale;
  return isLocale(l) ? l : DEFAULT_LOCALE;
}

/** Translate in the current page's language. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale(), key, params);
}

/** The BCP 47 tag numbers and dates are written in for the current language. */
export const langTag = () => (locale() === 'uk' ? 'uk-UA' : 'en-GB');

/** Formats numbers, shares, dates and names the way the current language writes them. */
export const fmt = {
  number: (n: number) => n.toLocaleString(langTag()),
  /** A share 0…1 as a percentage with at most `digits` decimals (at least `min`); null is a dash. */
  percent: (x: number | null, digits: number, min = digits) =>
    (x === null ? '—' : `${(x * 100).toLocaleString(langTag(), { minimumFractionDigits: min, maximumFractionDigits: digits })} %`),
  dateTime: (d: string | Date) =>
    new Date(d).toLocaleString(langTag(), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Kyiv' }),
  date: (d: string | Date) =>
    new Date(d).toLocaleDateString(langTag(), { timeZone: 'Europe/Kyiv' }),
  /** A record's name in the current language (the Ukrainian one when it has no English). */
  name: (r: { name: string; nameEn?: string | null }) => (locale() === 'en' ? r.nameEn ?? r.name : r.name),
};
