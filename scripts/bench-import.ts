// Benchmark of the OSM import on a synthetic extract the size of Ivano-Frankivsk (8,000 addressed
// buildings, 3,200 street ways, 150 signals, 400 stops, 600 container sites, 300 kiosks):
//   npm run bench:import [-- <buildings, default 8000>]
// Prints the time of the first import (everything new) and of a re-import (everything unchanged),
// then re-imports the demo city's buildings from a GeoPackage export; then imports generated historic
// appeals into a copy of the demo city (`appeals:N` sets their number, default 300,000; `appeals-only`
// skips the map imports) and imports the same file again (nothing new).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, migratedDb, closeAll } from '../tests/helpers/db.ts';
import { demoCity } from '../tests/helpers/city.ts';
import { pgConnection } from '../gis-data/import/ogr.ts';
import { importFile } from '../gis-data/import/importer.ts';
import { formatReport } from '../gis-data/import/report.ts';
import { importAppeals, formatAppealReport } from '../gis-data/import/appeals.ts';
import { sampleAppealsCsv } from '../gis-data/import/sample-appeals.ts';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { root } from '../server/config.ts';
import { connectForMaintenance } from '../server/db/db.ts';
import { DEMO_NOW } from '../tests/helpers/city.ts';

// `npm run bench` passes its own options (e.g. --database-url) to every bench: only a bare number is
// ours. The import runs on a scratch database of the test cluster, dropped at the end.
const buildings = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 8000);
const appealRows = Number(process.argv.slice(2).find((a) => /^appeals:\d+$/.test(a))?.slice(8) ?? 300_000);
const appealsOnly = process.argv.includes('appeals-only');
const GRID = 40; // streets each way
const X0 = 24.66, Y0 = 48.88, STEP = 0.0025; // ≈ 180 m × 280 m blocks

function extract(): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="misto-bench">'];
  let nodeId = 1;
  let wayId = 1;
  const node = (lon: number, lat: number, tags: Record<string, string> = {}) => {
    const id = nodeId++;
    const t = Object.entries(tags).map(([k, v]) => `<tag k="${k}" v="${v}"/>`).join('');
    out.push(t ? ` <node id="${id}" lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}">${t}</node>` : ` <node id="${id}" lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}"/>`);
    return id;
  };
  const way = (refs: number[], tags: Record<string, string>) => {
    out.push(` <way id="${wayId++}">${refs.map((r) => `<nd ref="${r}"/>`).join('')}${Object.entries(tags).map(([k, v]) => `<tag k="${k}" v="${v}"/>`).join('')}</way>`);
  };
  // Intersections, then one way per street segment (as OSM splits streets).
  const cross: number[][] = [];
  for (let i = 0; i < GRID; i++) { cross.push([]); for (let j = 0; j < GRID; j++) cross[i].push(node(X0 + j * STEP, Y0 + i * STEP * 0.7)); }
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j + 1 < GRID; j++) {
      way([cross[i][j], cross[i][j + 1]], { highway: i % 10 === 0 ? 'primary' : 'residential', name: `вулиця Широтна ${i + 1}` });
      way([cross[j][i], cross[j + 1][i]], { highway: i % 10 === 0 ? 'secondary' : 'residential', name: `проспект Меридіанний ${i + 1}` });
    }
  }
  // Buildings along the east-west streets, numbered per street.
  const perStreet = Math.ceil(buildings / GRID);
  for (let b = 0; b < buildings; b++) {
    const i = b % GRID, k = Math.floor(b / GRID);
    const x = X0 + 0.0003 + k * ((STEP * (GRID - 1) - 0.001) / perStreet), y = Y0 + i * STEP * 0.7 + 0.0002;
    const w = 0.00025, h = 0.00018;
    const ring = [node(x, y), node(x + w, y), node(x + w, y + h), node(x, y + h)];
    way([...ring, ring[0]], { building: 'apartments', 'addr:street': `вулиця Широтна ${i + 1}`, 'addr:housenumber': String(k * 2 + 1), 'building:levels': String(1 + (b % 16)) });
  }
  const poi = (count: number, tags: Record<string, string>, offset: number) => {
    for (let p = 0; p < count; p++) {
      const i = (p * 7 + offset) % GRID, j = (p * 13 + offset) % GRID;
      node(X0 + j * STEP + 0.00005 * (offset + 1), Y0 + i * STEP * 0.7 + 0.00005, tags);
    }
  };
  poi(150, { highway: 'traffic_signals' }, 0);
  poi(400, { highway: 'bus_stop', name: 'Зупинка', route_ref: '3;12' }, 1);
  poi(600, { amenity: 'waste_disposal' }, 2);
  poi(300, { shop: 'kiosk', name: 'Кіоск' }, 3);
  out.push('</osm>');
  return out.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'misto-import-bench-'));
const dropped: string[] = [];
if (!appealsOnly) {
const file = join(dir, 'bench.osm');
  let t = Date.now();
  writeFileSync(file, extract());
  console.log(`extract: ${(statSync(file).size / 1e6).toFixed(1)} MB written in ${Date.now() - t} ms`);
  
  t = Date.now();
  const { db, url, name } = await migratedDb('import_bench');
  console.log(`fresh migrated database in ${Date.now() - t} ms`);
  await db.none(`INSERT INTO district (name, geom) VALUES ('Місто', ST_Multi(ST_MakeEnvelope(24.65, 48.87, 24.78, 48.96, 4326)))`);
  await db.none(`INSERT INTO executor (code, name, kind, district_id) VALUES ('zhek-1', 'ЖЕК №1', 'housing_office', 1)`);
  const times: number[] = [];
  for (const pass of ['first import', 're-import']) {
    t = Date.now();
    const report = await importFile(db, { layer: 'osm', file, databaseUrl: url, log: (m) => console.log(`  +${Date.now() - t} ms ${m}`) });
    const ms = Date.now() - t;
    console.log(formatReport(report));
    const rows = report.layers.reduce((s, l) => s + l.read, 0);
    console.log(`${pass}: ${ms} ms for ${rows} candidate features → ${Math.round(rows / (ms / 1000))} features/s\n`);
    times.push(ms);
  }
  console.log(`re-import / first import: ${(times[1] / times[0]).toFixed(2)}; per 1,000 buildings: ${Math.round(times[0] / (buildings / 1000))} ms`);
  
  // The demo city's buildings as a GeoPackage (what a city's GIS department hands over), imported
  // back into a copy of the demo city: every building matched by address, nothing changes.
  const demo = await demoCity('import_bench_demo');
  const gpkg = join(dir, 'buildings.gpkg');
  const { conninfo, env } = pgConnection(demo.url);
  t = Date.now();
  execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, `PG:${conninfo}`, '-sql', 'SELECT address, floors, apartments, geom FROM building', '-nln', 'buildings'], { env, stdio: 'pipe' });
  console.log(`\ndemo city buildings exported to GeoPackage in ${Date.now() - t} ms (${(statSync(gpkg).size / 1e6).toFixed(1)} MB)`);
  t = Date.now();
  const round = await importFile(demo.db, { layer: 'buildings', file: gpkg, databaseUrl: demo.url });
  const ms = Date.now() - t;
  console.log(formatReport(round));
  console.log(`GeoPackage re-import of ${round.layers[0].read} demo buildings: ${ms} ms → ${Math.round(round.layers[0].read / (ms / 1000))} buildings/s`);
  dropped.push(name, demo.name);
}

// Historic appeals: a generated export of three years before the demo year, into a copy of the demo city.
{
  const city = await demoCity('import_bench_appeals');
  const csv = join(dir, 'appeals.csv');
  let t = Date.now();
  const out = createWriteStream(csv);
  await sampleAppealsCsv(city.db, { rows: appealRows, now: DEMO_NOW }, async (c) => { if (!out.write(c)) await once(out, 'drain'); });
  out.end(); await once(out, 'finish');
  console.log(`\n${appealRows} historic appeals written in ${Date.now() - t} ms (${(statSync(csv).size / 1e6).toFixed(1)} MB)`);
  const mapping = join(root, 'gis-data', 'sample-appeals-mapping.csv');
  // As the CLI runs it: a maintenance pool, without the product's statement timeouts.
  const maintenance = connectForMaintenance(city.url, 2);
  for (const pass of ['appeals import', 'same file again']) {
    // Skip and report what the geocoder cannot place (street names that are also street kinds, e.g. "набережна").
    const r = await importAppeals(maintenance, { file: csv, mapping, skipUnknown: true, log: (m) => console.log(`  +${Date.now() - t} ms ${m}`) });
    console.log(formatAppealReport(r));
    console.log(`${pass}: ${r.ms} ms for ${r.read} rows → ${Math.round(r.read / (r.ms / 60_000)).toLocaleString('en')} rows/minute`);
    t = Date.now();
  }
  await maintenance.$pool.end();
  dropped.push(city.name);
}

await closeAll();
for (const d of dropped) await admin().none('DROP DATABASE IF EXISTS $1:name', [d]).catch(() => {});
await closeAll();
rmSync(dir, { recursive: true, force: true });
