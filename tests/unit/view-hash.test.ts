// The map view in the URL hash: parsing is strict (a hand-edited link must not break the page).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { parseViewHash, formatViewHash } from '../../src/lib/map/view-hash.ts';
import { legendFromStyle } from '../../src/lib/map/tegola.ts';

test('round trip with precision growing with zoom', () => {
  const hash = formatViewHash({ zoom: 16.5, lat: 48.922612345, lon: 24.711098765, layers: ['stops', 'traffic_lights'] });
  assert.is(hash, '#map=16.50/48.92261/24.71110&layers=stops,traffic_lights');
  assert.equal(parseViewHash(hash), { zoom: 16.5, lat: 48.92261, lon: 24.7111, layers: ['stops', 'traffic_lights'] });
  assert.is(formatViewHash({ zoom: 5, lat: 48.9, lon: 24.7, layers: null }), '#map=5.00/48.90/24.70');
  assert.equal(parseViewHash('#map=12/50.45/30.52&layers='), { zoom: 12, lat: 50.45, lon: 30.52, layers: [] });
});

test('garbage and out-of-range values are ignored', () => {
  assert.equal(parseViewHash(''), {});
  assert.equal(parseViewHash('#map=99/48/24'), {});
  assert.equal(parseViewHash('#map=10/95/24'), {});
  assert.equal(parseViewHash('#map=10/48/190'), {});
  assert.equal(parseViewHash('#map=abc&layers=stops,<script>,kiosks'), { layers: ['stops', 'kiosks'] });
});

test('a plain tegola style without legend.json gets one switch per source layer', () => {
  const legend = legendFromStyle({
    version: 8, sources: {}, layers: [
      { id: 'bg', type: 'background' },
      { id: 'b-fill', type: 'fill', source: 't', 'source-layer': 'buildings', paint: { 'fill-color': '#ddd' } },
      { id: 'b-line', type: 'line', source: 't', 'source-layer': 'buildings' },
      { id: 'stops', type: 'circle', source: 't', 'source-layer': 'stops', paint: { 'circle-color': '#06c' } },
    ],
  });
  assert.equal(legend.map((e) => [e.id, e.geometry, e.color, e.styleLayers]), [
    ['buildings', 'polygon', '#ddd', ['b-fill', 'b-line']],
    ['stops', 'point', '#06c', ['stops']],
  ]);
});

test.run();
