// The city's things: kinds of infrastructure objects on the map and kinds of streets, with every
// way people write a street's kind (the geocoder and the importer read them with the same table).

export const INFRA_KINDS = ['traffic_light', 'stop', 'container_site', 'kiosk', 'cleaning_zone', 'other'] as const;
export type InfraKind = (typeof INFRA_KINDS)[number];
export const isInfraKind = (v: unknown): v is InfraKind => (INFRA_KINDS as readonly unknown[]).includes(v);
/** Infrastructure drawn as areas; every other kind is a point. */
export const AREA_KINDS: readonly InfraKind[] = ['cleaning_zone'];

export const STREET_KINDS = ['вулиця', 'проспект', 'бульвар', 'площа', 'провулок', 'набережна', 'шосе'] as const;
export type StreetKind = (typeof STREET_KINDS)[number];

/** The prefix an address is written with ("вул. Незалежності, 12"). */
export const STREET_PREFIX: Record<StreetKind, string> = {
  'вулиця': 'вул.', 'проспект': 'просп.', 'бульвар': 'бульв.', 'площа': 'пл.',
  'провулок': 'пров.', 'набережна': 'наб.', 'шосе': 'шосе',
};

/** A written kind (lower case, without its dot; Ukrainian, inflected, Russian, abbreviated) → the kind. */
export const STREET_KIND_WORDS: Readonly<Record<string, StreetKind>> = {
  'вулиця': 'вулиця', 'вул': 'вулиця', 'вулиці': 'вулиця', 'ул': 'вулиця', 'улица': 'вулиця',
  'проспект': 'проспект', 'просп': 'проспект', 'проспекту': 'проспект', 'пр-т': 'проспект', 'пр': 'проспект',
  'бульвар': 'бульвар', 'бульв': 'бульвар', 'бульвару': 'бульвар', 'бул': 'бульвар', 'б-р': 'бульвар',
  'площа': 'площа', 'площі': 'площа', 'пл': 'площа',
  'провулок': 'провулок', 'пров': 'провулок', 'пер': 'провулок', 'переулок': 'провулок',
  'набережна': 'набережна', 'наб': 'набережна',
  'шосе': 'шосе', 'ш': 'шосе',
};
export const streetKindOf = (word: string): StreetKind | undefined =>
  STREET_KIND_WORDS[word.toLowerCase().replace(/[.,]+$/, '')];
