// The announcements API on the seeded demo city: the generator's announcements are found by time,
// their stored affected buildings agree with PostGIS, a building's banner lists them, and a zone
// re-drawn over the same area previews the same count.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { demoCity, DEMO_NOW, DEMO_PASSWORD } from '../helpers/city.ts';
import { serve, client } from '../helpers/http.ts';
import { testServices } from '../helpers/app.ts';
import { createApp } from '../../server/app.ts';
import type { Db } from '../../server/db/db.ts';

let db: Db;
let srv: Awaited<ReturnType<typeof serve>>;

test.before(async () => {
  ({ db } = await demoCity('ann_demo'));
  srv = await serve(createApp(testServices(db)));
});
test.after(() => srv?.close());

test('announcements active at the demo "now" are listed with counts that match PostGIS', async () => {
  const fc = await (await client(srv.url).get(`/api/announcements?at=${DEMO_NOW.toISOString()}`)).json();
  assert.ok(fc.features.length >= 3, `${fc.features.length} active announcements`);
  for (const f of fc.features.slice(0, 10)) {
    const { n } = await db.one(`SELECT count(*)::int AS n FROM building b JOIN announcement a ON ST_Intersects(b.geom, a.zone) WHERE a.id = $1`, [f.id]);
    assert.is(f.properties.buildings, n, `announcement ${f.id}`);
    assert.ok(new Date(f.properties.starts_at) <= DEMO_NOW && new Date(f.properties.ends_at) > DEMO_NOW);
  }
  const week = await (await client(srv.url).get(`/api/announcements?from=${DEMO_NOW.toISOString()}&to=${new Date(DEMO_NOW.getTime() + 7 * 86400e3).toISOString()}`)).json();
  assert.ok(week.features.length > fc.features.length);
});

test('a building in a zone shows it; the same zone previewed by its utility counts the same buildings', async () => {
  const a = await db.one(`
    SELECT a.id, a.buildings_count, e.code, ST_AsGeoJSON(ST_GeometryN(a.zone, 1))::json AS polygon,
           (SELECT building_id FROM announcement_building WHERE announcement_id = a.id LIMIT 1) AS building
      FROM announcement a JOIN executor e ON e.id = a.executor_id
     WHERE a.status = 'published' AND a.source_kind = 'polygon' AND a.starts_at <= $1 AND a.ends_at > $1
       AND ST_NumGeometries(a.zone) = 1
     ORDER BY a.buildings_count DESC LIMIT 1`, [DEMO_NOW]);
  const banner = await (await client(srv.url).get(`/api/buildings/${a.building}/announcements?at=${DEMO_NOW.toISOString()}`)).json();
  assert.ok(banner.some((x: { id: number }) => x.id === a.id));
  const u = client(srv.url);
  assert.is((await u.signIn(a.code, DEMO_PASSWORD)).status, 200);
  const p = await (await u.post('/api/announcements/preview', { zone: { source: 'polygon', geometry: a.polygon } })).json();
  assert.is(p.buildings, a.buildings_count);
});

test.run();
