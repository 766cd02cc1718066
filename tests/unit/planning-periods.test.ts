// How a period of Kyiv days splits into whole months (the monthly rollup) and edge days (the daily one).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { splitPeriod } from '../../server/planning/periods.ts';
import { hexSizeForZoom, MAP_HEX_SIZES } from '../../vocabulary/planning.ts';

test('whole months inside a period, the days around them', () => {
  assert.equal(splitPeriod('2026-01-01', '2026-12-31'), { months: { from: '2026-01-01', to: '2027-01-01' }, days: [] });
  assert.equal(splitPeriod('2025-11-21', '2026-11-20'), {
    months: { from: '2025-12-01', to: '2026-11-01' },
    days: [{ from: '2025-11-21', to: '2025-11-30' }, { from: '2026-11-01', to: '2026-11-20' }],
  });
  assert.equal(splitPeriod('2026-02-01', '2026-02-28'), { months: { from: '2026-02-01', to: '2026-03-01' }, days: [] });
  assert.equal(splitPeriod('2024-02-01', '2024-02-28'), { months: null, days: [{ from: '2024-02-01', to: '2024-02-28' }] }, 'a leap February lacks its 29th');
  assert.equal(splitPeriod('2026-03-05', '2026-03-30'), { months: null, days: [{ from: '2026-03-05', to: '2026-03-30' }] });
  assert.equal(splitPeriod('2026-03-31', '2026-05-01'), { months: { from: '2026-04-01', to: '2026-05-01' }, days: [{ from: '2026-03-31', to: '2026-03-31' }, { from: '2026-05-01', to: '2026-05-01' }] });
  assert.equal(splitPeriod('2026-12-15', '2027-01-31'), { months: { from: '2027-01-01', to: '2027-02-01' }, days: [{ from: '2026-12-15', to: '2026-12-31' }] });
});

test('a cell size for every zoom, from the rollup\'s list', () => {
  for (let z = 0; z <= 22; z++) assert.ok((MAP_HEX_SIZES as readonly number[]).includes(hexSizeForZoom(z)));
  assert.is(hexSizeForZoom(16), 250);
  assert.is(hexSizeForZoom(10), 4000);
});

test.run();
