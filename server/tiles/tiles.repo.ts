// All SQL the tile server runs. The tile statements themselves come from tiles/config.toml.
import type { Db } from '../db/db.ts';

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

    /** Lon/lat extent of the given source tables' geometries, or null when they are empty. */
    async extent(tables: string[]): Promise<[number, number, number, number] | null> {
      if (!tables.length) return null;
      const parts = tables.map((t) => `SELECT ST_Extent(${t === 'announcement' ? 'zone' : 'geom'}) AS e FROM ${t}`);
      const row = await db.one<{ minx: number | null; miny: number; maxx: number; maxy: number }>(
        `SELECT ST_XMin(x) AS minx, ST_YMin(x) AS miny, ST_XMax(x) AS maxx, ST_YMax(x) AS maxy
         FROM (SELECT ST_Extent(e) AS x FROM (${parts.join(' UNION ALL ')}) u) s`);
      return row.minx === null ? null : [row.minx, row.miny, row.maxx, row.maxy];
    },
  };
}
export type TilesRepo = ReturnType<typeof tilesRepo>;
