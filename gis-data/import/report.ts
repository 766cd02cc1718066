// What an import did, per model layer: counted outcomes and, for every skip reason, a few examples
// a person can look up in the source file.

/** usage: wrong layer or options; input: the file is missing; ogr: GDAL cannot read it; data: nothing usable in it. */
export type ErrorKind = 'usage' | 'input' | 'ogr' | 'data';

/** A failure the CLI explains in one line and exits non-zero on; nothing was written. */
export class ImportError extends Error {
  constructor(message: string, public kind: ErrorKind) { super(message); }
}

export const SKIP_REASONS = {
  missing_geometry: 'no geometry',
  wrong_geometry_type: 'wrong geometry type for this layer',
  invalid_geometry: 'invalid geometry that ST_MakeValid cannot turn into the needed type',
  outside_city: 'outside the city (more than 50 m from every district)',
  missing_address: 'missing or unreadable street / house number',
  missing_name: 'missing name',
  duplicate_in_file: 'the same object appears earlier in the file',
  unsupported_tag: 'tagged as something the model does not hold',
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export interface LayerReport {
  layer: string;
  /** Candidate features read from the file for this layer. */
  read: number;
  imported: number;
  updated: number;
  unchanged: number;
  skipped: number;
  /** Features whose invalid geometry ST_MakeValid repaired (they are imported, not skipped). */
  repaired: number;
  reasons: Partial<Record<SkipReason, { count: number; examples: string[] }>>;
  /** Extra facts: streets created for addresses, buildings moved to another district… */
  notes: string[];
}

export interface ImportReport {
  layer: string;
  file: string;
  format: string;
  dryRun: boolean;
  layers: LayerReport[];
  /** Properties of the file that no mapping uses (not imported). */
  ignoredProperties: string[];
  ms: number;
}

export function emptyLayer(layer: string): LayerReport {
  return { layer, read: 0, imported: 0, updated: 0, unchanged: 0, skipped: 0, repaired: 0, reasons: {}, notes: [] };
}

export function formatReport(r: ImportReport): string {
  const lines = [`Import "${r.layer}" from ${r.file} (${r.format})${r.dryRun ? ' — DRY RUN, nothing written' : ''} in ${(r.ms / 1000).toFixed(1)} s`];
  for (const l of r.layers) {
    lines.push(`  ${l.layer.padEnd(15)} read ${l.read}, imported ${l.imported}, updated ${l.updated}, unchanged ${l.unchanged}, skipped ${l.skipped}` +
      (l.repaired ? ` (${l.repaired} invalid geometries repaired)` : ''));
    for (const [reason, v] of Object.entries(l.reasons)) {
      lines.push(`    skipped ${v!.count} × ${reason}: ${SKIP_REASONS[reason as SkipReason]}; e.g. ${v!.examples.join('; ')}`);
    }
    for (const n of l.notes) lines.push(`    note: ${n}`);
  }
  if (r.ignoredProperties.length) lines.push(`  properties not imported: ${r.ignoredProperties.join(', ')}`);
  return lines.join('\n');
}
