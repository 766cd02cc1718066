// Addresses as people type them (the geocoder's query) and street names as files and OSM write
// them (the importer): kind words in every written form, house numbers with letters and slashes.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { parseAddressQuery } from '../../server/geocode/parse.ts';
import { parseStreetName, readStreetName } from '../../gis-data/import/street-name.ts';

test('a query: street kinds, house numbers and apartments', () => {
  assert.equal(parseAddressQuery('вул. Незалежності, буд. 12-А'), { street: 'незалежності', house: '12а', kind: 'вулиця' });
  assert.equal(parseAddressQuery('б-р Лесі Українки 3'), { street: 'лесі українки', house: '3', kind: 'бульвар' });
  assert.equal(parseAddressQuery('24 Серпня, 5'), { street: '24 серпня', house: '5', kind: null });
  assert.equal(parseAddressQuery('Незалежності 12 кв. 5'), { street: 'незалежності', house: '12', kind: null });
  assert.equal(parseAddressQuery('просп. Шевченка 5/1').house, '5/1');
});

test('a query: glued and spaced letters, Latin letters, hyphenated names, no house', () => {
  assert.equal(parseAddressQuery('пр-т Шевченка 7'), { street: 'шевченка', house: '7', kind: 'проспект' });
  assert.equal(parseAddressQuery('просп.Шевченка 5/1'), { street: 'шевченка', house: '5/1', kind: 'проспект' });
  assert.equal(parseAddressQuery('Незалежності 12 а'), { street: 'незалежності', house: '12а', kind: null });
  assert.equal(parseAddressQuery('Nezalezhnosti 12b'), { street: 'nezalezhnosti', house: '12б', kind: null }, 'a Latin house letter is read as Cyrillic');
  assert.equal(parseAddressQuery('Івано-Франківська 3'), { street: 'івано франківська', house: '3', kind: null });
  assert.equal(parseAddressQuery('Незалежна 14 під’їзд 2'), { street: 'незалежна', house: '14', kind: null });
  assert.equal(parseAddressQuery('В’ячеслава Чорновола 7а'), { street: 'вячеслава чорновола', house: '7а', kind: null });
  assert.equal(parseAddressQuery('24 Серпня'), { street: '24 серпня', house: null, kind: null }, 'a number before the name is part of it');
  assert.equal(parseAddressQuery('вул. Тиха'), { street: 'тиха', house: null, kind: 'вулиця' });
  assert.equal(parseAddressQuery(''), { street: '', house: null, kind: null });
});

test('street names: kind prefixes and suffixes normalise to one street', () => {
  for (const raw of ['вул. Незалежності', 'вулиця Незалежності', 'Незалежності вулиця', 'вул.Незалежності', ' вул.  Незалежності ']) {
    assert.equal(parseStreetName(raw), { kind: 'вулиця', name: 'Незалежності' }, raw);
  }
  assert.equal(parseStreetName('просп. Шевченка'), { kind: 'проспект', name: 'Шевченка' });
  assert.equal(parseStreetName('Вічевий майдан'), { kind: 'вулиця', name: 'Вічевий майдан' });
  assert.equal(parseStreetName('пл. Ринок'), { kind: 'площа', name: 'Ринок' });
  assert.equal(parseStreetName('Шевченка', 'бульвар'), { kind: 'бульвар', name: 'Шевченка' });
  assert.equal(parseStreetName('Набережна'), { kind: 'вулиця', name: 'Набережна' });
  assert.equal(parseStreetName('Дніпровська набережна', 'проспект'), { kind: 'проспект', name: 'Дніпровська набережна' });
  assert.equal(parseStreetName('просп. Дніпровська набережна'), { kind: 'проспект', name: 'Дніпровська набережна' });
  assert.equal(parseStreetName('вулиця Шевченка', 'вулиця'), { kind: 'вулиця', name: 'Шевченка' });
  assert.is(parseStreetName('вул.'), null);
  assert.is(parseStreetName('вулиця'), null);
  assert.is(parseStreetName(''), null);
  assert.is(parseStreetName(null), null);
});

test('street names: whether the kind was written or is a guess', () => {
  assert.equal(readStreetName('вул. Незалежності'), { kind: 'вулиця', name: 'Незалежності', explicit: true });
  assert.equal(readStreetName('Незалежності вулиця'), { kind: 'вулиця', name: 'Незалежності', explicit: true });
  assert.equal(readStreetName('Шевченка'), { kind: 'вулиця', name: 'Шевченка', explicit: false });
  assert.equal(readStreetName('Шевченка', 'бульв.'), { kind: 'бульвар', name: 'Шевченка', explicit: true }, 'a kind column counts as written');
  assert.equal(readStreetName('Дніпровська Набережна'), { kind: 'вулиця', name: 'Дніпровська Набережна', explicit: false }, 'a capitalised last word is the name');
  assert.is(readStreetName(undefined), null);
});

test.run();
