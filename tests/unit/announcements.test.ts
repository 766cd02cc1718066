// Announcements' pure parts: counting a drawn zone's vertices before PostGIS sees it, and the circle
// a zone is drawn as on the public map.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { countPositions } from '../../server/announcements/announcements.service.ts';
import { MAX_RADIUS, MIN_RADIUS, circleRadius } from '../../vocabulary/announcements.ts';

test('positions of GeoJSON coordinates at any depth; anything else is -1', () => {
  assert.is(countPositions([24.71, 48.92]), 1, 'a point');
  assert.is(countPositions([24.71, 48.92, 250]), 1, 'with an altitude');
  assert.is(countPositions([[1, 2], [3, 4], [5, 6]]), 3, 'a line');
  assert.is(countPositions([[[1, 2], [3, 4]], [[5, 6, 7]]]), 3, 'rings');
  assert.is(countPositions([[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 5]]]]), 8, 'a multipolygon');
  assert.is(countPositions([]), 0);
  assert.is(countPositions([[[]]]), 0);
  assert.is(countPositions([[1, 2], ['x', 3]]), -1);
  assert.is(countPositions([[1, 2, 3, 4]]), -1, 'four numbers are no position');
  assert.is(countPositions([1]), -1);
  assert.is(countPositions([[Number.NaN, 1]]), -1);
  assert.is(countPositions([[Infinity, 1]]), -1);
  assert.is(countPositions('[[1,2]]'), -1);
  assert.is(countPositions(null), -1);
});

test('a circle\'s area grows with the buildings it affects, within its bounds', () => {
  assert.is(circleRadius(0), MIN_RADIUS);
  assert.is(circleRadius(-3), MIN_RADIUS);
  assert.ok(Math.abs(circleRadius(16) / circleRadius(4) - 2) < 1e-9, 'four times the buildings, twice the radius');
  assert.is(circleRadius(1e9), MAX_RADIUS);
});

test.run();
