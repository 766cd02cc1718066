// The importer against the demo city: the generator's own data, exported with ogr2ogr as a city's
// GIS department would hand it over, must come back identical — in place (nothing changes) and into
// an empty database (the same city is rebuilt layer by layer).
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCity } from '../helpers/city.ts';
import { migratedDb } from '../helpers/db.ts';
import type { Db } from '../../server/db/db.ts';
import { importFile } from '../../gis-data/import/importer.ts';
import { pgConnection } from '../../gis-data/import/ogr.ts';
import type { ImportReport } from '../../gis-data/import/report.ts';

const dir = mkdtempSync(join(tmpdir(), 'misto-import-demo-'));
let demo: { db: Db; url: string };

function exportFrom(url: string, file: string, sql: string, format = 'GPKG') {
  const { conninfo, env } = pgConnection(url);
  rmSync(join(dir, file), { force: true });
  execFileSync('ogr2ogr', ['-f', format, join(dir, file), `PG:${conninfo}`, '-sql', sql, '-nln', file.replace(/\..*$/, '')], { env, stdio: 'pipe' });
  return join(dir, file);
}
const counts = (r: ImportReport) => r.layers.map((l) => ({ layer: l.layer, read: l.read, imported: l.imported, updated: l.updated, unchanged: l.unchanged, skipped: l.skipped }));

const EXPORTS = {
  districts: ['districts.gpkg', `SELECT name, name_en, geom FROM district`],
  streets: ['streets.gpkg', `SELECT kind, name, rank, geom FROM street`],
  // One "address" column, as many municipal registers have it.
  buildings: ['buildings.gpkg', `SELECT address, floors, apartments, geom FROM building`],
  stops: ['stops.geojson', `SELECT o.id, o.name, o.attributes->>'routes' AS routes, CASE WHEN (o.attributes->>'shelter')::boolean THEN 'yes' ELSE 'no' END AS shelter,
                                  e.code AS organisation, o.geom FROM infra_object o LEFT JOIN executor e ON e.id = o.organisation_id WHERE o.kind = 'stop'`],
} as const;

test.before(async () => {
  demo = await demoCity('import_demo');
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the demo city re-imported in place: nothing new, nothing changed, nothing skipped', async () => {
  const total = await demo.db.one(`SELECT (SELECT count(*) FROM district)::int AS d, (SELECT count(*) FROM street)::int AS s, (SELECT count(*) FROM building)::int AS b`);
  for (const layer of ['districts', 'streets', 'buildings'] as const) {
    const [file, sql] = EXPORTS[layer];
    const r = await importFile(demo.db, { layer, file: exportFrom(demo.url, file, sql), databaseUrl: demo.url });
    const n = { districts: total.d, streets: total.s, buildings: total.b }[layer];
    assert.equal(counts(r), [{ layer, read: n, imported: 0, updated: 0, unchanged: n, skipped: 0 }]);
  }
  const after = await demo.db.one(`SELECT (SELECT count(*) FROM district)::int AS d, (SELECT count(*) FROM street)::int AS s, (SELECT count(*) FROM building)::int AS b`);
  assert.equal(after, total);
});

test('the demo city rebuilt from its exports in an empty database', async () => {
  const { db, url } = await migratedDb('import_rebuild');
  // The organisations come with the city, not with GIS files: copied once the districts exist.
  const executors = await demo.db.any(`SELECT e.code, e.name, e.kind, e.utility, d.name AS district FROM executor e LEFT JOIN district d ON d.id = e.district_id ORDER BY e.id`);
  for (const layer of ['districts', 'streets', 'buildings', 'stops'] as const) {
    if (layer === 'streets') {
      for (const e of executors) {
        await db.none(`INSERT INTO executor (code, name, kind, utility, district_id) VALUES ($1, $2, $3, $4, (SELECT id FROM district WHERE name = $5))`,
          [e.code, e.name, e.kind, e.utility, e.district]);
      }
    }
    const [file, sql] = EXPORTS[layer];
    const exported = exportFrom(demo.url, file, sql, file.endsWith('.geojson') ? 'GeoJSON' : 'GPKG');
    const r = await importFile(db, { layer, file: exported, databaseUrl: url });
    assert.is(r.layers[0].skipped, 0, `${layer}: ${JSON.stringify(r.layers[0].reasons)}`);
  }
  const compare = async (target: Db) => target.one(`SELECT
      (SELECT count(*) FROM district)::int AS districts,
      (SELECT count(*) FROM street)::int AS streets,
      (SELECT count(*) FROM building)::int AS buildings,
      (SELECT sum(apartments)::int FROM building) AS apartments,
      (SELECT sum(floors)::int FROM building) AS floors,
      (SELECT md5(string_agg(b.address || '|' || d.name || '|' || e.code, ',' ORDER BY b.address))
         FROM building b JOIN district d ON d.id = b.district_id JOIN executor e ON e.id = b.housing_office_id) AS who,
      (SELECT count(*) FROM infra_object WHERE kind = 'stop')::int AS stops,
      (SELECT md5(string_agg(o.name || '|' || (o.attributes->>'routes') || '|' || e.code, ',' ORDER BY o.name, o.attributes->>'routes', e.code))
         FROM infra_object o JOIN executor e ON e.id = o.organisation_id WHERE o.kind = 'stop') AS stop_data`);
  assert.equal(await compare(db), await compare(demo.db));
});

test.run();
