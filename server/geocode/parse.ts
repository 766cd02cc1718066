// Splits what a person types into a street part and a house number, and recognises the street
// kind in any of its written forms. Pure: the repository applies geocode_norm() (migration 070) to
// the street part, so case, apostrophes and keyboard-layout letters are folded in one place.
import { STREET_KIND_WORDS, type StreetKind } from '../../vocabulary/city.ts';

export type { StreetKind };

export interface ParsedQuery {
  /** Words of the street name, kind words removed. */
  street: string;
  /** House number as written ("12", "12а", "12/1"), or null. */
  house: string | null;
  kind: StreetKind | null;
}

/** Words that carry no address information ("буд. 12", "будинок 12", "м. Івано-Франківськ"). */
const NOISE = new Set(['буд', 'будинок', 'б', 'дом', 'д', 'м', 'місто', 'г', 'корп', 'корпус']);
/** Everything from the apartment on is not part of a building's address. */
const APARTMENT = new Set(['кв', 'квартира', 'кімн', 'підїзд', 'поверх']);

const HOUSE = /^\d{1,4}[\p{L}]?(\/\d{1,4}[\p{L}]?)?$/u;
const LATIN_HOUSE_LETTER: Record<string, string> = { a: 'а', b: 'б', v: 'в', g: 'г', d: 'д', e: 'е' };

export function parseAddressQuery(input: string): ParsedQuery {
  // Hyphenated kind abbreviations become words; every other hyphen separates ("12-а", "Івано-Франківська"),
  // as it does in geocode_norm().
  const tokens = input.toLowerCase()
    .replace(/[’ʼ'`‘]/g, '')
    .replace(/(^|[^\p{L}])б-р(?![\p{L}])/gu, '$1 бульвар ')
    .replace(/(^|[^\p{L}])пр-к?т(?![\p{L}])/gu, '$1 проспект ')
    .split(/[^\p{L}\p{N}/]+/u)
    .filter(Boolean);

  let kind: StreetKind | null = null;
  const words: string[] = [];
  for (const tok of tokens) {
    if (APARTMENT.has(tok)) break;
    if (tok in STREET_KIND_WORDS) { kind ??= STREET_KIND_WORDS[tok]; continue; }
    if (NOISE.has(tok)) continue;
    words.push(tok);
  }

  // The house is the last number that follows at least one word of the street ("24 Серпня, 5").
  let house: string | null = null;
  for (let i = words.length - 1; i >= 1; i--) {
    if (!HOUSE.test(words[i])) continue;
    house = words[i];
    const next = words[i + 1];
    if (next && next.length === 1 && /\p{L}/u.test(next) && /\d$/.test(house)) {
      house += next; // "12 а", "12-а"
      words.splice(i + 1, 1);
    }
    words.splice(i, 1);
    break;
  }
  if (house) house = house.replace(/[a-z]/g, (c) => LATIN_HOUSE_LETTER[c] ?? c);
  return { street: words.join(' '), house, kind };
}
