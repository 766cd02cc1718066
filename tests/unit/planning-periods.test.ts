// How a period of Kyiv days splits into whole months (the monthly rollup) and edge days (the daily one).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { splitPeriod } from '../../server/planning/periods.ts';
import { hexSizeForZoom, MAP_HEX_SIZES } from '../../vocabulary/planning.ts';

test('whole months inside a period; an edge month as its days inside, or whole less the fewer days outside', () => {
  assert.equal(splitPeriod('2026-01-01', '2026-12-31'), { months: { from: '2026-01-01', to: '2027-01-01' }, days: [], minus: [] });
  // 10 days of November 2025 inside (its days); 20 of November 2026 inside, 10 outside (the month less those).
  assert.equal(splitPeriod('2025-11-21', '2026-11-20'), {
    months: { from: '2025-12-01', to: '2026-12-01' },
    days: [{ from: '2025-11-21', to: '2025-11-30' }], minus: [{ from: '2026-11-21', to: '2026-11-30' }],
  });
  // A year from the 3rd: December 2025 less its first two days, two days of December 2026.
  assert.equal(splitPeriod('2025-12-03', '2026-12-02'), {
    months: { from: '2025-12-01', to: '2026-12-01' },
    days: [{ from: '2026-12-01', to: '2026-12-02' }], minus: [{ from: '2025-12-01', to: '2025-12-02' }],
  });
  assert.equal(splitPeriod('2026-02-01', '2026-02-28'), { months: { from: '2026-02-01', to: '2026-03-01' }, days: [], minus: [] });
  assert.equal(splitPeriod('2024-02-01', '2024-02-28'), { months: { from: '2024-02-01', to: '2024-03-01' }, days: [], minus: [{ from: '2024-02-29', to: '2024-02-29' }] }, 'a leap February has its 29th');
  // Inside one month: the month less both ends, or the days when they are fewer.
  assert.equal(splitPeriod('2026-03-05', '2026-03-30'), { months: { from: '2026-03-01', to: '2026-04-01' }, days: [], minus: [{ from: '2026-03-01', to: '2026-03-04' }, { from: '2026-03-31', to: '2026-03-31' }] });
  assert.equal(splitPeriod('2026-03-10', '2026-03-12'), { months: null, days: [{ from: '2026-03-10', to: '2026-03-12' }], minus: [] });
  assert.equal(splitPeriod('2026-03-31', '2026-05-01'), { months: { from: '2026-04-01', to: '2026-05-01' }, days: [{ from: '2026-03-31', to: '2026-03-31' }, { from: '2026-05-01', to: '2026-05-01' }], minus: [] });
  assert.equal(splitPeriod('2026-03-20', '2026-04-10'), { months: null, days: [{ from: '2026-03-20', to: '2026-03-31' }, { from: '2026-04-01', to: '2026-04-10' }], minus: [] });
  assert.equal(splitPeriod('2026-12-15', '2027-01-31'), { months: { from: '2026-12-01', to: '2027-02-01' }, days: [], minus: [{ from: '2026-12-01', to: '2026-12-14' }] });
});

test('a cell size for every zoom, from the rollup\'s list', () => {
  for (let z = 0; z <= 22; z++) assert.ok((MAP_HEX_SIZES as readonly number[]).includes(hexSizeForZoom(z)));
  assert.is(hexSizeForZoom(16), 250);
  assert.is(hexSizeForZoom(10), 4000);
});

test.run();
