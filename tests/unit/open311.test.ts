// Open311's pure parts: W3C date-times on the Kyiv clock, the XML shape of lists and empty values,
// the masking of contacts in published texts, the attributes a category asks for.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { render, w3c } from '../../server/open311/open311.format.ts';
import { attributesOf, masked } from '../../server/open311/open311.service.ts';

test('W3C date-times carry the Kyiv offset, winter and summer', () => {
  assert.is(w3c(new Date('2026-12-01T12:00:05Z')), '2026-12-01T14:00:05+02:00');
  assert.is(w3c(new Date('2026-07-01T21:30:00Z')), '2026-07-02T00:30:00+03:00');
  // The last hour before the clocks go back: still summer time.
  assert.is(w3c(new Date('2026-10-25T00:59:59Z')), '2026-10-25T03:59:59+03:00');
  assert.is(w3c(new Date('2026-10-25T01:00:00Z')), '2026-10-25T03:00:00+02:00');
});

test('XML: a declaration, lists as plural and singular elements, null as an empty element, no control characters', () => {
  const xml = render('xml', 'services', [{ service_code: 'a&b', group: null, metadata: true }, { service_code: 'c\u0007d', group: 'g', metadata: false }]);
  assert.is(xml, '<?xml version="1.0" encoding="UTF-8"?><services><service><service_code>a&amp;b</service_code><group></group><metadata>true</metadata></service>'
    + '<service><service_code>cd</service_code><group>g</group><metadata>false</metadata></service></services>');
  assert.is(render('xml', 'service_definition', { service_code: 'x', attributes: [] }), '<?xml version="1.0" encoding="UTF-8"?><service_definition><service_code>x</service_code><attributes></attributes></service_definition>');
  assert.is(render('json', 'errors', [{ code: 400, description: 'd' }]), '[{"code":400,"description":"d"}]');
});

test('published texts lose e-mail addresses and phone numbers', () => {
  assert.is(masked('Дзвоніть +380 (67) 111-22-33 або пишіть olena.k@mail.example.ua'), 'Дзвоніть … або пишіть …');
  assert.is(masked('Будинок 12, під’їзд 3, з 2024 року'), 'Будинок 12, під’їзд 3, з 2024 року');
});

test('attributes: the apartment for a housing office\'s category, the object for an infrastructure one', () => {
  assert.equal(attributesOf({ executorRule: 'housing_office', infraKind: null }, 'uk').map((a) => [a.code, a.datatype, a.order]), [['apartment', 'string', 1]]);
  assert.equal(attributesOf({ executorRule: 'district', infraKind: 'container_site' }, 'en').map((a) => [a.code, a.datatype, a.order]), [['object_id', 'number', 1]]);
  assert.match(attributesOf({ executorRule: 'fixed', infraKind: 'traffic_light' }, 'en')[0].description, 'Traffic lights');
  assert.equal(attributesOf({ executorRule: 'fixed', infraKind: null }, 'uk'), []);
  // The specification's order of fields, which the XML keeps.
  assert.equal(Object.keys(attributesOf({ executorRule: 'housing_office', infraKind: null }, 'uk')[0]),
    ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description', 'values']);
});

test.run();
