// At start-up: every table the registry declares (tiles/config.toml `tablename`) must report its
// changes through the statement triggers of migration 010, on the declared geometry column, and
// each layer's SQL must read only its declared table. Otherwise cached tiles of that layer would
// stay stale after an edit, silently: better not to start.
import type { Registry } from './registry.ts';
import { replaceTokens } from './sql.ts';
import type { TilesRepo } from './tiles.repo.ts';

const EVENTS = [
  { suffix: 'ins', sql: 'AFTER INSERT ON %t REFERENCING NEW TABLE AS new_rows' },
  { suffix: 'upd', sql: 'AFTER UPDATE ON %t REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows' },
  { suffix: 'del', sql: 'AFTER DELETE ON %t REFERENCING OLD TABLE AS old_rows' },
  { suffix: 'trunc', sql: 'AFTER TRUNCATE ON %t' },
] as const;

/** The trigger names migration 010 gives a table. */
export const triggerNames = (table: string) => EVENTS.map((e) => `${table}_tiles_${e.suffix}`);

/** The statements a migration runs to make `table` report changes of `column` (as migration 010 does). */
export function triggerSql(table: string, column: string, only: string[] = triggerNames(table)): string {
  return EVENTS.filter((e) => only.includes(`${table}_tiles_${e.suffix}`)).map((e) => `CREATE TRIGGER ${table}_tiles_${e.suffix} ${e.sql.replace('%t', table)}\n` +
    `  FOR EACH STATEMENT EXECUTE FUNCTION tiles_notify_changes('${column}');`).join('\n');
}

export interface SourceReport {
  /** What makes a layer's tiles go stale; each names the table or layer. */
  problems: string[];
  /** Tables with invalidation triggers that no layer declares (they only cost NOTIFYs). */
  unused: string[];
  /** Declared tables lacking (some of) their triggers, with the column they must report. */
  needTriggers: { table: string; column: string; missing: string[] }[];
}

export async function checkTileSources(repo: TilesRepo, registry: Registry): Promise<SourceReport> {
  const triggers = await repo.invalidationTriggers();
  const problems: string[] = [];
  const needTriggers: SourceReport['needTriggers'] = [];
  for (const s of registry.sources) {
    const on = triggers.filter((t) => t.table === s.table);
    const where = `table ${s.table} (${s.layers.map((l) => `layer ${l}`).join(', ')})`;
    const missing = triggerNames(s.table).filter((n) => !on.some((t) => t.trigger === n));
    if (missing.length) {
      problems.push(`${where}: no trigger ${missing.join(', ')}`);
      needTriggers.push({ table: s.table, column: s.geometryColumn, missing });
    }
    for (const t of on) {
      if (!t.enabled) problems.push(`${where}: trigger ${t.trigger} is disabled`);
      if (t.column !== s.geometryColumn) {
        problems.push(`${where}: trigger ${t.trigger} reports column ${t.column ?? '(none)'}, the layers are built from ${s.geometryColumn}`);
      }
    }
  }
  // The declaration must be true: PostgreSQL's plan names every table the statement reads.
  const checked = new Set<string>();
  for (const map of registry.maps.values()) {
    for (const layer of map.layers) {
      if (checked.has(layer.provider.ref)) continue;
      checked.add(layer.provider.ref);
      const sql = replaceTokens(layer.provider.sql, layer, { z: layer.minZoom, x: 0, y: 0 });
      let read: string[];
      try {
        read = await repo.tablesRead(sql);
      } catch (e) {
        problems.push(`layer ${layer.provider.ref}: its SQL does not plan: ${(e as Error).message}`);
        continue;
      }
      const other = read.filter((t) => t !== layer.provider.table);
      if (other.length || !read.includes(layer.provider.table)) {
        problems.push(`layer ${layer.provider.ref} declares tablename = "${layer.provider.table}" but its SQL reads ${read.join(', ') || 'no table'}`);
      }
    }
  }
  const declared = new Set(registry.sources.map((s) => s.table));
  const unused = [...new Set(triggers.map((t) => t.table))].filter((t) => !declared.has(t)).sort();
  return { problems: [...new Set(problems)], unused, needTriggers };
}

/** Throws, naming each table and the migration to write, when a layer's tiles could go stale. */
export async function requireTileSources(repo: TilesRepo, registry: Registry, log: (m: string) => void = () => {}) {
  const r = await checkTileSources(repo, registry);
  for (const t of r.unused) log(`tiles: table ${t} has tile invalidation triggers but no layer of tiles/config.toml reads it`);
  if (!r.problems.length) return;
  const lines = [
    'The tile registry (tiles/config.toml) reads tables whose changes would not refresh cached tiles:',
    ...r.problems.map((p) => `  - ${p}`),
  ];
  if (r.needTriggers.length) {
    lines.push('Add a migration that creates the tile invalidation triggers (see migrations/010_tile_invalidation.sql), e.g.:',
      ...r.needTriggers.map((n) => triggerSql(n.table, n.column, n.missing)));
  }
  lines.push('Each layer reads exactly the one table it names in `tablename`, its geometry from `geometry_fieldname` (docs/tiles.md).');
  throw new Error(lines.join('\n'));
}
