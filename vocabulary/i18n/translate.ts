// Pure translation over the one table: used by components (through index.ts) and by the server
// (mails, CSV exports), so every language string has one home.
import { messages, DEFAULT_LOCALE, LOCALES, type Locale, type MessageKey } from './messages.ts';

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
