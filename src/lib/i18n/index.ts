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

/** Formats numbers and dates the way the current language writes them. */
export const fmt = {
  number: (n: number) => n.toLocaleString(locale() === 'uk' ? 'uk-UA' : 'en-GB'),
  dateTime: (d: string | Date) =>
    new Date(d).toLocaleString(locale() === 'uk' ? 'uk-UA' : 'en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Kyiv' }),
  date: (d: string | Date) =>
    new Date(d).toLocaleDateString(locale() === 'uk' ? 'uk-UA' : 'en-GB', { timeZone: 'Europe/Kyiv' }),
};
