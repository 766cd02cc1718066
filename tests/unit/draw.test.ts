// While a zone is drawn the preview asks the server only about drawings that already are zones.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { usableZone } from '../../src/routes/(app)/utility/announcements/draw.ts';

test('a line whose cursor point sits on the first point is not a zone yet', () => {
  assert.is(usableZone({ type: 'LineString', coordinates: [[24.71, 48.92], [24.71, 48.92]] }), null);
  const line = { type: 'LineString' as const, coordinates: [[24.71, 48.92], [24.712, 48.92]] };
  assert.is(usableZone(line), line);
});

test('a polygon needs three distinct corners', () => {
  assert.is(usableZone({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 1], [0, 0]]] }), null);
  const tri = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] };
  assert.is(usableZone(tri), tri);
  assert.is(usableZone(undefined), null);
  assert.is(usableZone({ type: 'Point', coordinates: [0, 0] }), null);
});

test.run();
