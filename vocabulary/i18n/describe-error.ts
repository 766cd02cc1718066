// An API error as a sentence in the reader's language: the code's text from the one table, with the
// field's label and the server's params filled in. Never the server's English message.
import type { ApiErrorBody } from '../errors.ts';
import { messages, type Locale, type MessageKey } from './messages.ts';
import { translate } from './translate.ts';

const known = (key: string): key is MessageKey => key in messages;

export function describeError(locale: Locale, body: Partial<ApiErrorBody> | null | undefined): string {
  const code = body?.error;
  if (!code || !known(`error.${code}`)) return translate(locale, 'error.generic');
  const field = body.field ?? '';
  // "zone.widthM" has a label of its own; "point[0]" is the point's.
  const fieldKey = [`field.${field}`, `field.${field.replace(/\[\d+\]$/, '')}`, `field.${field.split('.')[0]}`].find(known) ?? 'field.value';
  return translate(locale, `error.${code}` as MessageKey, { ...body.params, field: translate(locale, fieldKey as MessageKey) });
}
