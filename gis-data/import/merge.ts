// All SQL of the importer. Staged rows become candidates (one temp table per model layer), are
// checked (geometry type, validity, inside the city, required fields, duplicates) and merged into
// the model. Runs inside the caller's transaction: a failure leaves the model untouched.
import type { IBaseProtocol, ITask } from 'pg-promise';
import type { Feed, GeometryClass, Target } from './layers.ts';
import { emptyLayer, ImportError, type LayerReport, type SkipReason } from './report.ts';
import { KIND_PREFIX, readStreetName } from './street-name.ts';

type Tx = ITask<unknown>;
const EXAMPLES = 3;
/** How far outside every district an object may lie and still be the city's. */
const EDGE_METRES = 50;

/** One staged table as normalised rows: fid, stage_kind, p (properties, normalised keys), geom. */
export async function normalise(t: Tx, stagingTable: string, stageKind: string): Promise<void> {
  const exists = await t.oneOrNone<{ has_geom: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'staging' AND table_name = $1 AND column_name = 'geom') AS has_geom
     WHERE to_regclass($2) IS NOT NULL`, [stagingTable, `staging."${stagingTable}"`]);
  const norm = `norm_${stageKind}`;
  await t.none('DROP TABLE IF EXISTS $1:name', [norm]);
  if (!exists) {
    // GDAL creates no table for a layer without features (e.g. an extract with no closed ways).
    await t.none(`CREATE TEMP TABLE $1:name (fid bigint, stage_kind text, p jsonb, geom geometry) ON COMMIT DROP`, [norm]);
    return;
  }
  if (!exists.has_geom) throw new ImportError('The file has no geometry column: nothing to place on the map', 'data');
  await t.none(`CREATE TEMP TABLE $1:name ON COMMIT DROP AS
    SELECT s.ogc_fid::bigint AS fid, $3 AS stage_kind,
           COALESCE((SELECT jsonb_object_agg(lower(regexp_replace(e.key, '[^A-Za-z0-9]+', '_', 'g')), e.value)
                     FROM jsonb_each(to_jsonb(s) - 'geom') e
                     WHERE jsonb_typeof(e.value) <> 'null' AND e.value <> '""'::jsonb), '{}'::jsonb) AS p,
           ST_SetSRID(s.geom, 4326) AS geom
    FROM staging.$2:name s`, [norm, stagingTable, stageKind]);
}

/** Properties present in the staged file that no mapping reads. */
export async function unusedProperties(t: Tx, stageKind: string, used: Set<string>): Promise<string[]> {
  const keys = await t.map(`SELECT DISTINCT k FROM $1:name, jsonb_object_keys(p) k ORDER BY k`, [`norm_${stageKind}`], (r) => r.k as string);
  return keys.filter((k) => !used.has(k));
}

const TYPE_OK: Record<GeometryClass, string> = {
  point: `GeometryType(geom) IN ('POINT', 'POLYGON', 'MULTIPOLYGON') OR (GeometryType(geom) = 'MULTIPOINT' AND ST_NumGeometries(geom) = 1)`,
  polygon: `GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')`,
  line: `GeometryType(geom) IN ('LINESTRING', 'MULTILINESTRING')`,
};
// Areas given for point layers (a kiosk drawn as its outline) are reduced to a point on their surface.
const EXTRACT: Record<GeometryClass, (x: string) => string> = {
  point: (x) => `CASE WHEN ST_Dimension(${x}) = 0 THEN ST_GeometryN(ST_Multi(${x}), 1) ELSE ST_PointOnSurface(ST_CollectionExtract(${x}, 3)) END`,
  polygon: (x) => `ST_Multi(ST_CollectionExtract(${x}, 3))`,
  line: (x) => `ST_Multi(ST_CollectionExtract(${x}, 2))`,
};

async function fillCandidates(t: Tx, target: Target): Promise<void> {
  await t.none(`DROP TABLE IF EXISTS cand; CREATE TEMP TABLE cand (
    n serial PRIMARY KEY, src text, label text, name text, name_en text, street_raw text, street_kind text, number text,
    levels text, flats text, btype text, rank int, org text, address text, attrs jsonb, unsupported text,
    geom geometry, g geometry, repaired boolean NOT NULL DEFAULT false, reason text, detail text,
    district_id int, street_id int, building_id int, floors int, apartments int, housing_office_id int,
    organisation_id int, existing_id int) ON COMMIT DROP`);
  for (const f of target.feeds) {
    const cols: (keyof Feed)[] = ['src', 'label', 'name', 'nameEn', 'streetRaw', 'streetKind', 'number', 'levels', 'flats', 'buildingType', 'rank', 'org', 'address', 'attrs', 'unsupported'];
    await t.none(`INSERT INTO cand (src, label, name, name_en, street_raw, street_kind, number, levels, flats, btype, rank, org, address, attrs, unsupported, geom)
      SELECT ${cols.map((c) => f[c]).join(', ')}, geom FROM norm_${f.stage} WHERE ${f.where} ORDER BY fid`);
  }
  // Temp tables get no statistics from autovacuum: without them every join below is planned blind.
  await t.none('ANALYZE cand');
}

async function checkGeometry(t: Tx, target: Target): Promise<void> {
  const cls = target.geometry;
  await t.none(`
    UPDATE cand SET reason = 'unsupported_tag', detail = unsupported WHERE unsupported IS NOT NULL;
    UPDATE cand SET reason = 'missing_geometry' WHERE reason IS NULL AND (geom IS NULL OR ST_IsEmpty(geom));
    UPDATE cand SET reason = 'wrong_geometry_type', detail = GeometryType(geom) || ' where a ${cls} is expected'
      WHERE reason IS NULL AND NOT (${TYPE_OK[cls]});
    UPDATE cand SET repaired = NOT ST_IsValid(geom) WHERE reason IS NULL;
    UPDATE cand SET g = ${EXTRACT[cls]('CASE WHEN repaired THEN ST_MakeValid(geom) ELSE geom END')} WHERE reason IS NULL;
    -- OSM's precision (1e-7° ≈ 1 cm): the same place read from XML, PBF, GeoJSON or a GeoPackage
    -- gets the same coordinates, so a re-import from another format changes nothing.
    UPDATE cand SET g = ST_SnapToGrid(g, 1e-7) WHERE reason IS NULL;
    UPDATE cand SET g = ${EXTRACT[cls]('ST_MakeValid(g)')} WHERE reason IS NULL AND NOT ST_IsValid(g);
    UPDATE cand SET reason = 'invalid_geometry', detail = ST_IsValidReason(geom), repaired = false
      WHERE reason IS NULL AND (g IS NULL OR ST_IsEmpty(g) OR NOT ST_IsValid(g));`);
  if (target.model === 'district') return;
  // A building belongs to the district holding its point on surface; lines count if they touch the city.
  const probe = cls === 'polygon' ? 'ST_PointOnSurface(c.g)' : 'c.g';
  await t.none(`
    UPDATE cand c SET district_id = (SELECT d.id FROM district d WHERE ST_Intersects(d.geom, ${probe}) ORDER BY d.id LIMIT 1)
      WHERE reason IS NULL;
    -- Boundaries often run along a street axis: a stop or kiosk on the far side of the boundary
    -- street is still the city's. Within ${EDGE_METRES} m the nearest district takes it.
    UPDATE cand c SET district_id = (SELECT d.id FROM district d
        WHERE d.geom && ST_Expand(${probe}, 0.002) AND ST_DWithin(d.geom::geography, (${probe})::geography, ${EDGE_METRES})
        ORDER BY d.geom <-> ${probe} LIMIT 1)
      WHERE reason IS NULL AND district_id IS NULL;
    UPDATE cand SET reason = 'outside_city' WHERE reason IS NULL AND district_id IS NULL;`);
}

/** Parses the candidates' street names in TypeScript (one call per distinct name) into temp table sn. */
async function resolveStreetNames(t: Tx, unreadable: SkipReason): Promise<void> {
  const raws = await t.any<{ raw: string; hint: string }>(
    `SELECT DISTINCT street_raw AS raw, COALESCE(street_kind, '') AS hint FROM cand WHERE reason IS NULL AND street_raw IS NOT NULL`);
  const rows = raws.map((r) => ({ raw: r.raw, hint: r.hint, parsed: readStreetName(r.raw, r.hint) }))
    .filter((r) => r.parsed !== null)
    .map((r) => ({ raw: r.raw, hint: r.hint, kind: r.parsed!.kind, name: r.parsed!.name, explicit: r.parsed!.explicit }));
  await t.none(`DROP TABLE IF EXISTS sn; CREATE TEMP TABLE sn ON COMMIT DROP AS
    SELECT *, NULL::text AS address FROM jsonb_to_recordset($1::jsonb) AS x(raw text, hint text, kind text, name text, explicit boolean);
    ANALYZE sn`, [JSON.stringify(rows)]);
  // "Шевченка" without a kind is the only street of that name (in the city or the file), whatever its kind.
  await t.none(`UPDATE sn SET kind = s.kind
    FROM (SELECT name, min(kind) AS kind FROM (SELECT name, kind FROM street UNION SELECT name, kind FROM sn WHERE explicit) k
          GROUP BY name HAVING count(*) = 1) s
    WHERE NOT sn.explicit AND s.name = sn.name`);
  await t.none(`UPDATE sn SET address = ($1::jsonb ->> kind) || ' ' || name || ', '`, [JSON.stringify(KIND_PREFIX)]);
  await t.none(`UPDATE cand c SET reason = $1 WHERE reason IS NULL
    AND NOT EXISTS (SELECT 1 FROM sn WHERE sn.raw = c.street_raw AND sn.hint = COALESCE(c.street_kind, ''))`, [unreadable]);
}

async function markDuplicates(t: Tx, key: string, what: string): Promise<void> {
  await t.none(`UPDATE cand c SET reason = 'duplicate_in_file', detail = '${what} as ' || x.first_label
    FROM (SELECT n, first_value(label) OVER w AS first_label, row_number() OVER w AS rn
          FROM cand WHERE reason IS NULL WINDOW w AS (PARTITION BY ${key} ORDER BY n)) x
    WHERE x.n = c.n AND x.rn > 1`);
}

/** Geometry changed beyond the 1e-7° grid imports are snapped to (data written by other tools is not). */
const geomChanged = (old: string, imported: string) => `NOT ST_Equals(ST_SnapToGrid(${old}, 1e-7), ${imported})`;

interface Counts { imported: number; updated: number; unchanged: number; notes: string[] }

async function mergeDistricts(t: Tx): Promise<Counts> {
  await t.none(`UPDATE cand SET reason = 'missing_name' WHERE reason IS NULL AND name IS NULL`);
  await t.none(`DROP TABLE IF EXISTS grp; CREATE TEMP TABLE grp ON COMMIT DROP AS
    SELECT name, max(name_en) AS name_en, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(g)), 3)) AS geom, false AS is_new
    FROM cand WHERE reason IS NULL GROUP BY name`);
  await t.none(`UPDATE grp x SET is_new = NOT EXISTS (SELECT 1 FROM district d WHERE d.name = x.name)`);
  const updated = await t.result(`UPDATE district d SET geom = x.geom, name_en = COALESCE(x.name_en, d.name_en) FROM grp x
    WHERE d.name = x.name AND (${geomChanged('d.geom', 'x.geom')} OR COALESCE(x.name_en, d.name_en) IS DISTINCT FROM d.name_en)`, [], (r) => r.rowCount);
  const imported = await t.result(`INSERT INTO district (name, name_en, geom) SELECT name, name_en, geom FROM grp WHERE is_new`, [], (r) => r.rowCount);
  const total = await t.one<{ n: number }>('SELECT count(*)::int AS n FROM grp');
  // Buildings follow the new boundaries.
  const moved = await t.result(`UPDATE building b SET district_id = d.id FROM district d, grp x
    WHERE d.name = x.name AND ST_Intersects(d.geom, b.centroid) AND b.district_id IS DISTINCT FROM d.id`, [], (r) => r.rowCount);
  return { imported, updated, unchanged: total.n - imported - updated, notes: moved ? [`${moved} buildings moved into the imported districts`] : [] };
}

async function mergeStreets(t: Tx): Promise<Counts> {
  await t.none(`UPDATE cand SET reason = 'missing_name' WHERE reason IS NULL AND street_raw IS NULL`);
  await resolveStreetNames(t, 'missing_name');
  // Streets come as many segments (OSM ways); one street is one row: segments of a name are merged.
  await t.none(`DROP TABLE IF EXISTS grp; CREATE TEMP TABLE grp ON COMMIT DROP AS
    SELECT sn.kind, sn.name, min(c.rank) AS rank, ST_Multi(ST_LineMerge(ST_Collect(d.geom ORDER BY c.n, d.path))) AS geom,
           NOT EXISTS (SELECT 1 FROM street s WHERE s.kind = sn.kind AND s.name = sn.name) AS is_new
    FROM cand c JOIN sn ON sn.raw = c.street_raw AND sn.hint = COALESCE(c.street_kind, ''), ST_Dump(c.g) d
    WHERE c.reason IS NULL GROUP BY sn.kind, sn.name`);
  const updated = await t.result(`UPDATE street s SET geom = x.geom, rank = COALESCE(x.rank, s.rank) FROM grp x
    WHERE s.kind = x.kind AND s.name = x.name AND (s.geom IS NULL OR ${geomChanged('s.geom', 'x.geom')} OR COALESCE(x.rank, s.rank) <> s.rank)`, [], (r) => r.rowCount);
  const imported = await t.result(`INSERT INTO street (kind, name, rank, geom) SELECT kind, name, COALESCE(rank, 3), geom FROM grp WHERE is_new`, [], (r) => r.rowCount);
  const total = await t.one<{ n: number }>('SELECT count(*)::int AS n FROM grp');
  return { imported, updated, unchanged: total.n - imported - updated, notes: [] };
}

const NON_RESIDENTIAL = '^(commercial|industrial|retail|warehouse|garages?|shed|office|school|kindergarten|university|college|hospital|church|cathedral|chapel|mosque|synagogue|temple|religious|public|civic|government|train_station|transportation|supermarket|kiosk|service|roof|hangar|parking|barn|greenhouse|sports_hall|stadium|hotel|toilets|carport|hut|farm_auxiliary|storage_tank|transformer_tower|bunker|construction)$';
const SINGLE_FAMILY = '^(house|detached|semidetached_house|bungalow|farm|cabin)$';

async function mergeBuildings(t: Tx): Promise<Counts> {
  // "буд. 12 А" → "12а"; "б/н" (no number) is no number.
  await t.none(`UPDATE cand SET number = NULLIF(NULLIF(lower(regexp_replace(regexp_replace(number, '^(буд\\.?|б\\.)\\s*', '', 'i'), '\\s+', '', 'g')), ''), 'б/н')
    WHERE number IS NOT NULL`);
  await t.none(`UPDATE cand SET reason = 'missing_address', detail = CASE WHEN street_raw IS NULL THEN 'no street' ELSE 'no house number' END
    WHERE reason IS NULL AND (street_raw IS NULL OR number IS NULL)`);
  await resolveStreetNames(t, 'missing_address');
  const created = await t.result(`INSERT INTO street (kind, name)
    SELECT DISTINCT sn.kind, sn.name FROM sn JOIN cand c ON c.street_raw = sn.raw AND c.reason IS NULL
    WHERE NOT EXISTS (SELECT 1 FROM street s WHERE s.kind = sn.kind AND s.name = sn.name)`, [], (r) => r.rowCount);
  await t.none(`UPDATE cand c SET street_id = s.id, address = sn.address || c.number
    FROM sn JOIN street s ON s.kind = sn.kind AND s.name = sn.name
    WHERE c.reason IS NULL AND sn.raw = c.street_raw AND sn.hint = ''`);
  await markDuplicates(t, 'street_id, number', 'same address');
  // Existing building at the address: keep what the file does not say (floors, apartments) and its
  // housing office while it stays in the same district.
  // Numbers match however the model spells them ("12А" = "12а"); the model's spelling stays.
  await t.none(`DROP TABLE IF EXISTS bk; CREATE TEMP TABLE bk ON COMMIT DROP AS
      SELECT b.id, b.street_id, lower(regexp_replace(b.house_number, '\\s+', '', 'g')) AS num
      FROM building b WHERE b.street_id IN (SELECT street_id FROM cand WHERE reason IS NULL);
    ANALYZE bk`);
  await t.none(`UPDATE cand c SET building_id = b.id, floors = b.floors, apartments = b.apartments,
      housing_office_id = CASE WHEN b.district_id = c.district_id THEN b.housing_office_id END,
      number = b.house_number, address = left(c.address, length(c.address) - length(c.number)) || b.house_number
    FROM bk JOIN building b ON b.id = bk.id WHERE c.reason IS NULL AND bk.street_id = c.street_id AND bk.num = c.number`);
  await t.none(`UPDATE cand c SET floors = COALESCE(LEAST(100, GREATEST(1, NULLIF(substring(levels from '^\\s*(\\d+)'), '')::int)), floors, 1)
    WHERE c.reason IS NULL`);
  // The district's housing office; where a district has several, the one already serving the
  // nearest building.
  await t.none(`DROP TABLE IF EXISTS ho; CREATE TEMP TABLE ho ON COMMIT DROP AS
    SELECT district_id, count(*)::int AS n, min(id) AS id FROM executor WHERE kind = 'housing_office' AND district_id IS NOT NULL GROUP BY district_id`);
  await t.none(`UPDATE cand c SET housing_office_id = CASE WHEN ho.n = 1 THEN ho.id ELSE COALESCE(
        (SELECT b.housing_office_id FROM building b WHERE b.district_id = c.district_id AND b.housing_office_id IS NOT NULL
          AND b.id IS DISTINCT FROM c.building_id ORDER BY b.centroid <-> ST_PointOnSurface(c.g) LIMIT 1), ho.id) END
    FROM ho WHERE c.reason IS NULL AND c.housing_office_id IS NULL AND ho.district_id = c.district_id`);
  // Apartments: the file's figure; else the known one; else an estimate from footprint × floors
  // (70 % of the gross floor area is flats of 65 m²; a small low house is one home).
  await t.none(`UPDATE cand c SET apartments = COALESCE(NULLIF(substring(flats from '^\\s*(\\d+)'), '')::int,
      CASE WHEN apartments > 0 THEN apartments END,
      CASE WHEN btype ~* $1 THEN 0
           WHEN btype ~* $2 THEN 1
           WHEN floors <= 2 AND ST_Area(g::geography) < 250 THEN 1
           ELSE GREATEST(1, round(ST_Area(g::geography) * 0.7 * floors / 65))::int END)
    WHERE c.reason IS NULL`, [NON_RESIDENTIAL, SINGLE_FAMILY]);
  const updated = await t.result(`UPDATE building b SET address = c.address, floors = c.floors, apartments = c.apartments,
      district_id = c.district_id, housing_office_id = c.housing_office_id, geom = c.g
    FROM cand c WHERE c.reason IS NULL AND b.id = c.building_id
      AND ((b.address, b.floors, b.apartments, b.district_id, b.housing_office_id) IS DISTINCT FROM
           (c.address, c.floors::smallint, c.apartments, c.district_id, c.housing_office_id) OR ${geomChanged('b.geom', 'c.g')})`, [], (r) => r.rowCount);
  const imported = await t.result(`INSERT INTO building (street_id, house_number, address, floors, apartments, district_id, housing_office_id, geom)
    SELECT street_id, number, address, floors, apartments, district_id, housing_office_id, g FROM cand
    WHERE reason IS NULL AND building_id IS NULL ORDER BY n`, [], (r) => r.rowCount);
  const valid = await t.one<{ n: number }>('SELECT count(*)::int AS n FROM cand WHERE reason IS NULL');
  return {
    imported, updated, unchanged: valid.n - imported - updated,
    notes: created ? [`${created} streets created from addresses (no line geometry until a streets layer or OSM extract brings it)`] : [],
  };
}

async function mergeInfra(t: Tx, kind: string): Promise<Counts> {
  await markDuplicates(t, 'src', 'same id');
  await t.none(`UPDATE cand c SET organisation_id = (SELECT e.id FROM executor e
      WHERE lower(e.code) = lower(c.org) OR lower(e.name) = lower(c.org) ORDER BY e.id LIMIT 1)
    WHERE c.reason IS NULL AND c.org IS NOT NULL`);
  await t.none(`UPDATE cand c SET existing_id = o.id FROM infra_object o WHERE c.reason IS NULL AND o.source = c.src`);
  const updated = await t.result(`UPDATE infra_object o SET kind = $1, name = c.name, address = COALESCE(c.address, o.address),
      attributes = o.attributes || c.attrs, organisation_id = COALESCE(c.organisation_id, o.organisation_id), geom = c.g, updated_at = now()
    FROM cand c WHERE c.reason IS NULL AND o.id = c.existing_id
      AND (o.kind <> $1 OR o.name IS DISTINCT FROM c.name OR o.address IS DISTINCT FROM COALESCE(c.address, o.address)
           OR o.attributes IS DISTINCT FROM o.attributes || c.attrs
           OR o.organisation_id IS DISTINCT FROM COALESCE(c.organisation_id, o.organisation_id) OR ${geomChanged('o.geom', 'c.g')})`,
    [kind], (r) => r.rowCount);
  const imported = await t.result(`INSERT INTO infra_object (kind, name, address, attributes, organisation_id, source, geom)
    SELECT $1, name, address, attrs, organisation_id, src, g FROM cand WHERE reason IS NULL AND existing_id IS NULL ORDER BY n`,
    [kind], (r) => r.rowCount);
  const valid = await t.one<{ n: number }>('SELECT count(*)::int AS n FROM cand WHERE reason IS NULL');
  return { imported, updated, unchanged: valid.n - imported - updated, notes: [] };
}

/** Checks and merges one model layer from the normalised stages; returns its report. */
export async function mergeTarget(t: Tx, target: Target): Promise<LayerReport> {
  await fillCandidates(t, target);
  await checkGeometry(t, target);
  const counts = target.model === 'district' ? await mergeDistricts(t)
    : target.model === 'street' ? await mergeStreets(t)
    : target.model === 'building' ? await mergeBuildings(t)
    : await mergeInfra(t, target.infraKind!);
  const report = { ...emptyLayer(target.layer), imported: counts.imported, updated: counts.updated, unchanged: counts.unchanged, notes: counts.notes };
  const totals = await t.one<{ read: number; skipped: number; repaired: number }>(
    `SELECT count(*)::int AS read, count(*) FILTER (WHERE reason IS NOT NULL)::int AS skipped,
            count(*) FILTER (WHERE repaired AND reason IS NULL)::int AS repaired FROM cand`);
  Object.assign(report, totals);
  const reasons = await t.any<{ reason: SkipReason; count: number; examples: string[] }>(
    `SELECT reason, count(*)::int AS count,
            (array_agg(label || COALESCE(' (' || detail || ')', '') ORDER BY n))[1:${EXAMPLES}] AS examples
     FROM cand WHERE reason IS NOT NULL GROUP BY reason ORDER BY count(*) DESC, reason`);
  for (const r of reasons) report.reasons[r.reason] = { count: r.count, examples: r.examples };
  if (report.reasons.outside_city && !(await t.one('SELECT EXISTS (SELECT 1 FROM district) AS e')).e) {
    report.notes.push('the city has no districts yet: import the districts layer first');
  }
  await t.none('DROP TABLE cand');
  return report;
}

export async function logRun(t: Tx, layer: string, file: string, report: object): Promise<void> {
  await t.none('INSERT INTO import_run (layer, file, report) VALUES ($1, $2, $3)', [layer, file, JSON.stringify(report)]);
}

export async function dropStaging(t: IBaseProtocol<unknown>, tables: string[]): Promise<void> {
  for (const table of tables) await t.none('DROP TABLE IF EXISTS staging.$1:name', [table]);
}
