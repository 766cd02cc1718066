// What the database keeps current from appeals by row triggers, the function that rebuilds each from
// scratch, and the one that adds a set of new appeals to it (migration 140). A bulk load turns the
// triggers off and, before it commits, calls the rebuilds (the seeder's COPY of a whole city) or the
// adds with the ids it inserted (a large historic import), in this order.
export interface Rollup {
  /** For progress lines. */
  name: string;
  rebuild: string;
  /** Takes the new appeals' ids (bigint[]). */
  add: string;
  /** [table, trigger] */
  triggers: readonly (readonly [string, string])[];
}

export const ROLLUPS: readonly Rollup[] = [
  // Hexagons and districts, with the totals over every category (migrations 130, 137).
  { name: 'map rollups', rebuild: 'appeal_map_rebuild', add: 'appeal_map_add', triggers: [['appeal', 'appeal_map_rollup_insert'], ['appeal', 'appeal_map_rollup_update']] },
  { name: 'hotspots', rebuild: 'hotspot_rebuild', add: 'hotspot_add_many', triggers: [['appeal', 'hotspot_track_insert'], ['appeal', 'hotspot_track_update']] },
  // Calls and appeals inside announcements (migration 133): counted from calls and announcements too.
  {
    name: 'announcement hits', rebuild: 'announcement_hits_rebuild', add: 'announcement_hits_add_appeals',
    triggers: [['appeal', 'announcement_hits_appeal'], ['appeal', 'announcement_hits_appeal_update'],
      ['call', 'announcement_hits_call'], ['call', 'announcement_hits_call_update'],
      ['announcement', 'announcement_hits_announcement'], ['announcement', 'announcement_hits_announcement_update']],
  },
  { name: 'appeal statistics', rebuild: 'appeal_stats_rebuild', add: 'appeal_stats_add', triggers: [['appeal', 'appeal_stat_track'], ['appeal', 'appeal_stat_track_update']] },
];

/** `ALTER TABLE … DISABLE|ENABLE TRIGGER` for every rollup trigger on `tables`. */
export function triggerSwitches(on: boolean, tables?: readonly string[]): string[] {
  return ROLLUPS.flatMap((r) => r.triggers)
    .filter(([table]) => !tables || tables.includes(table))
    .map(([table, tg]) => `ALTER TABLE ${table} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${tg}`);
}
