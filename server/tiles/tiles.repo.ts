// All SQL the tile server runs. The tile statements themselves come from tiles/config.toml.
import { pgp, type Db } from '../db/db.ts';

export interface Field { name: string; dataTypeID: number }

// pg type OIDs → TileJSON field descriptions
const NUMBER_TYPES = new Set([20, 21, 23, 26, 700, 701, 1700]);
const BOOLEAN_TYPE = 16;

export function tilesRepo(db: Db) {
  return {
    /** Runs one tile statement (SELECT (…) AS data) and returns the MVT bytes (empty: no features). */
    async tile(sql: string): Promise<Buffer> {
      const row = await db.one<{ data: Buffer | null }>(sql);
      return row.data ?? Buffer.alloc(0);
    },

    /** The same with the tile as parameters, prepared once per connection under `name`. */
    async preparedTile(name: string, text: string, values: number[]): Promise<Buffer> {
      const row = await db.one<{ data: Buffer | null }>({ name, text, values });
      return row.data ?? Buffer.alloc(0);
    },

    /** Column names and types a layer query yields (LIMIT 0: nothing is read). */
    async columns(layerSql: string): Promise<{ name: string; type: 'Number' | 'Boolean' | 'String' }[]> {
      const res = await db.result(`SELECT * FROM (${layerSql}) AS q LIMIT 0`);
      return res.fields.map((f: Field) => ({
        name: f.name,
        type: NUMBER_TYPES.has(f.dataTypeID) ? 'Number' : f.dataTypeID === BOOLEAN_TYPE ? 'Boolean' : 'String',
      }));
    },

    /** Lon/lat extent of the given source tables' geometries (EPSG:3857 columns), or null when they are empty. */
    async extent(sources: { table: string; geometryColumn: string }[]): Promise<[number, number, number, number] | null> {
      if (!sources.length) return null;
      const parts = sources.map((s) => pgp.as.format('SELECT ST_Extent($1:name) AS e FROM $2:name', [s.geometryColumn, s.table]));
      // Web Mercator is separable (x → lon, y → lat), so the box transforms corner by corner.
      const row = await db.one<{ minx: number | null; miny: number; maxx: number; maxy: number }>(
        `SELECT ST_XMin(x) AS minx, ST_YMin(x) AS miny, ST_XMax(x) AS maxx, ST_YMax(x) AS maxy
         FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(e)::geometry, 3857), 4326) AS x
               FROM (${parts.join(' UNION ALL ')}) u) s`);
      return row.minx === null ? null : [row.minx, row.miny, row.maxx, row.maxy];
    },

    /** Every trigger calling tiles_notify_changes (migration 010), with its table, the column it reports, whether it is on. */
    async invalidationTriggers(): Promise<{ table: string; trigger: string; column: string | null; enabled: boolean }[]> {
      return db.any(`
        SELECT c.relname AS "table", t.tgname AS "trigger", t.tgenabled <> 'D' AS enabled,
               CASE WHEN t.tgnargs > 0 THEN convert_from(substring(t.tgargs FROM 1 FOR position('\\000'::bytea IN t.tgargs) - 1), 'UTF8') END AS "column"
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND p.proname = 'tiles_notify_changes'
          AND pg_table_is_visible(c.oid)
        ORDER BY 1, 2`);
    },

    /** Tables a statement reads, as PostgreSQL plans it (EXPLAIN: nothing is run). */
    async tablesRead(sql: string): Promise<string[]> {
      const row = await db.one<Record<string, unknown>>(`EXPLAIN (FORMAT JSON) ${sql}`);
      const found = new Set<string>();
      (function walk(node: unknown) {
        if (Array.isArray(node)) node.forEach(walk);
        else if (node && typeof node === 'object') {
          const n = node as Record<string, unknown>;
          if (typeof n['Relation Name'] === 'string') found.add(n['Relation Name']);
          Object.values(n).forEach(walk);
        }
      })(row['QUERY PLAN']);
      return [...found].sort();
    },
  };
}
export type TilesRepo = ReturnType<typeof tilesRepo>;
