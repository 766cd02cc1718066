// The rating formula against Kyiv 1551's published rating of its ten district administrations
// (2017): each district's final figure is the product of its five component percentages, to
// within the published rounding. Also the weights (exponents), components without data, ranks.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { COMPONENTS, componentsOf, formulaText, ranksOf, ratingOf, DEFAULT_WEIGHTS, MEASURES, type AppealMeasures, type Component } from '../../vocabulary/appeal-stats.ts';

// District, K1…K5 in %, the published final %.
const KYIV_2017: [string, number[], number][] = [
  ['Святошинська', [99.95, 99.16, 89.32, 100, 100], 88.53],
  ['Солом`янська', [99.97, 97.61, 92.65, 97.22, 79.35], 69.74],
  ['Печерська', [99.61, 98.77, 92.86, 99.85, 55.34], 50.48],
  ['Оболонська', [99.64, 97.36, 91.61, 75.99, 72.62], 49.04],
  ['Дніпровська', [98.23, 95.71, 87.63, 62.79, 57.45], 29.72],
  ['Шевченківська', [98.74, 96.65, 87.48, 67.57, 48.37], 27.29],
  ['Деснянська', [99.76, 99.19, 89.25, 58.21, 48.99], 25.19],
  ['Подільська', [98.46, 96.41, 91.53, 52.78, 54], 24.77],
  ['Дарницька', [99.04, 99.74, 93.56, 42.43, 23.9], 9.37],
  ['Голосіївська', [98.51, 95.76, 79.54, 34.79, 15.73], 4.11],
];
const asComponents = (k: number[]) => Object.fromEntries(COMPONENTS.map((c, i) => [c, k[i] / 100])) as Record<Component, number>;

test("Kyiv's ten districts: the product of the five components is the published rating", () => {
  for (const [district, k, published] of KYIV_2017) {
    const r = ratingOf(asComponents(k)) * 100;
    // The components are printed to 0.01 %: their product may differ from the rounded result by a few hundredths.
    assert.ok(Math.abs(r - published) < 0.02, `${district}: ${r.toFixed(4)} % against ${published} %`);
  }
  assert.is((ratingOf(asComponents(KYIV_2017[0][1])) * 100).toFixed(2), '88.53');
});

test("Kyiv's ranks follow the scores", () => {
  const scores = KYIV_2017.map(([, k]) => ratingOf(asComponents(k)));
  assert.equal(ranksOf(scores), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(ranksOf([0.5, 0.9, 0.5, 0.1]), [2, 1, 2, 4], 'equal scores share a rank');
});

test('weights are exponents; 0 leaves a component out; a component without data does not count', () => {
  const k = asComponents([90, 80, 100, 50, 100]);
  assert.ok(Math.abs(ratingOf(k) - 0.9 * 0.8 * 0.5) < 1e-12);
  assert.ok(Math.abs(ratingOf(k, { ...DEFAULT_WEIGHTS, speed: 2 }) - 0.9 * 0.8 * 0.25) < 1e-12);
  assert.ok(Math.abs(ratingOf(k, { ...DEFAULT_WEIGHTS, speed: 0 }) - 0.9 * 0.8) < 1e-12);
  assert.ok(Math.abs(ratingOf({ ...k, withoutReturn: null } as never) - 0.9 * 0.5) < 1e-12);
  assert.is(formulaText(DEFAULT_WEIGHTS), 'R = K1 × K2 × K3 × K4 × K5');
  assert.is(formulaText({ ...DEFAULT_WEIGHTS, speed: 2, satisfaction: 0.5 }), 'R = K1 × K2 × K3 × K4^2 × K5^0.5');
});

test('components from counts', () => {
  const m = Object.fromEntries(MEASURES.map((x) => [x, 0])) as unknown as AppealMeasures;
  // Svyatoshynska's shape: 16301 received, 7 overdue; 14641 done of which 123 returned.
  Object.assign(m, { total: 16301, overdue: 7, late: 0, finished: 14641, returned: 123, confirmed: 900, notConfirmed: 100, speedSum: 14641 * 10_000, rated: 10, ratingSum: 45 });
  const c = componentsOf(m);
  assert.is((c.onTime! * 100).toFixed(2), '99.96');
  assert.is((c.withoutReturn! * 100).toFixed(2), '99.16');
  assert.is(c.confirmed, 0.9);
  assert.is(c.speed, 1);
  assert.is(c.satisfaction, 0.9);
  const none = componentsOf(Object.fromEntries(MEASURES.map((x) => [x, 0])) as unknown as AppealMeasures);
  assert.equal(none, { onTime: null, withoutReturn: null, confirmed: null, speed: null, satisfaction: null });
});

test.run();
