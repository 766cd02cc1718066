// What the database keeps current from appeals by row triggers, and the function that rebuilds each
// from scratch: a bulk load (the seeder's COPY, a large historic import) turns the triggers off and
// calls the rebuilds instead, in this order, before it commits.
export interface Rollup {
  /** For progress lines. */
  name: string;
  rebuild: string;
  /** [table, trigger] */
  triggers: readonly (readonly [string, string])[];
}

export const ROLLUPS: readonly Rollup[] = [
  // Hexagons and districts, with the totals over every category (migrations 130, 137).
  { name: 'map rollups', rebuild: 'appeal_map_rebuild', triggers: [['appeal', 'appeal_map_rollup_insert'], ['appeal', 'appeal_map_rollup_update']] },
  { name: 'hotspots', rebuild: 'hotspot_rebuild', triggers: [['appeal', 'hotspot_track_insert'], ['appeal', 'hotspot_track_update']] },
  // Calls and appeals inside announcements (migration 133): counted from calls and announcements too.
  {
    name: 'announcement hits', rebuild: 'announcement_hits_rebuild',
    triggers: [['appeal', 'announcement_hits_appeal'], ['appeal', 'announcement_hits_appeal_update'],
      ['call', 'announcement_hits_call'], ['call', 'announcement_hits_call_update'],
      ['announcement', 'announcement_hits_announcement'], ['announcement', 'announcement_hits_announcement_update']],
  },
  { name: 'appeal statistics', rebuild: 'appeal_stats_rebuild', triggers: [['appeal', 'appeal_stat_track'], ['appeal', 'appeal_stat_track_update']] },
];

/** `ALTER TABLE … DISABLE|ENABLE TRIGGER` for every rollup trigger on `tables`. */
export function triggerSwitches(on: boolean, tables?: readonly string[]): string[] {
  return ROLLUPS.flatMap((r) => r.triggers)
    .filter(([table]) => !tables || tables.includes(table))
    .map(([table, tg]) => `ALTER TABLE ${table} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${tg}`);
}
