// Street names as people and OSM write them ("вул. Незалежності", "вулиця Незалежності",
// "Незалежності вулиця", "просп. Шевченка") → the model's (kind, name) pair, so one street is one row.

import { STREET_KINDS, STREET_PREFIX, streetKindOf, type StreetKind } from '../../vocabulary/city.ts';

export { STREET_KINDS, type StreetKind };
/** The address prefix the model writes before a street name ("вул. Незалежності, 12"). */
export const KIND_PREFIX = STREET_PREFIX;

export interface StreetName { kind: StreetKind; name: string }

/** Splits a raw street name into kind and name; null when nothing is left of the name. */
export function parseStreetName(raw: string | null | undefined, fallbackKind?: string | null): StreetName | null {
  const parsed = readStreetName(raw, fallbackKind);
  return parsed && { kind: parsed.kind, name: parsed.name };
}

/** As parseStreetName, and whether the kind was written (else "вулиця" is a guess). */
export function readStreetName(raw: string | null | undefined, fallbackKind?: string | null): (StreetName & { explicit: boolean }) | null {
  if (!raw) return null;
  let words = raw.replace(/[\u00a0\s]+/g, ' ').trim().split(' ').filter(Boolean);
  const kindOf = streetKindOf;
  // A kind given apart from the name (a "kind" column) only removes that same word from the name:
  // "Дніпровська набережна" with kind "проспект" is a prospect's full name.
  const given = fallbackKind ? kindOf(fallbackKind) : undefined;
  const strips = (w: string) => kindOf(w) !== undefined && (!given || kindOf(w) === given);
  // "вул.Незалежності": an abbreviation glued to the name by its dot.
  const glued = /^([^\s.]+)\.(\S.*)$/.exec(words[0] ?? '');
  if (glued && kindOf(glued[1])) words = [glued[1] + '.', glued[2], ...words.slice(1)];
  let kind: StreetKind | undefined;
  if (words.length === 1) {
    // "вул." or "вулиця" alone names no street; "Набережна" or "Площа" alone is a street's name.
    const w = words[0].toLowerCase().replace(/,+$/, '');
    if (w.endsWith('.') || w === 'вулиця' || (kindOf(w) && !(STREET_KINDS as readonly string[]).includes(w))) return null;
  } else if (strips(words[0])) {
    kind = kindOf(words.shift()!);
  } else if (strips(words[words.length - 1]) && words[words.length - 1] === words[words.length - 1].toLowerCase()) {
    // A trailing kind is written in lower case ("Незалежності вулиця"); "… Набережна" is part of a name.
    kind = kindOf(words.pop()!);
  }
  const name = words.join(' ').replace(/^[,\s]+|[,\s]+$/g, '');
  if (!name) return null;
  kind ??= given;
  return { kind: kind ?? 'вулиця', name, explicit: !!kind };
}
