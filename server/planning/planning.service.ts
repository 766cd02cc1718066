// Planners' maps: hexagons and districts from the rollups, hotspots, the calls announcements would
// have spared; and CSV of each. No HTTP here; the input layer has checked the period.
import type { Period, PlanningRepo } from './planning.repo.ts';
import {
  HOTSPOT_LIMIT, REGULAR_VARIATION, hexagonPolygon,
  type AnnouncementCallsReport, type DistrictsReport, type HexagonsReport, type Hotspot, type UtilityCalls,
} from '../../vocabulary/planning.ts';
import { UTILITIES } from '../../vocabulary/announcements.ts';

const iso = (d: Date) => new Date(d).toISOString();

/** Regular: at least three appeals whose intervals vary little around their mean. */
export const isRegular = (appeals: number, variation: number | null) => appeals >= 3 && variation !== null && variation <= REGULAR_VARIATION;

export function planningService(repo: PlanningRepo) {
  return {
    async hexagons(p: Period, size: number): Promise<HexagonsReport> {
      const cells = (await repo.hexagons(p, size)).map((c) => ({ ...c, polygon: hexagonPolygon(size, c.i, c.j) }));
      return {
        from: p.from, to: p.to, size,
        max: cells.reduce((m, c) => Math.max(m, c.appeals), 0),
        total: cells.reduce((s, c) => s + c.appeals, 0),
        cells,
      };
    },

    hexCategories: (p: Period, size: number, i: number, j: number) => repo.hexCategories(p, size, i, j),

    async districts(p: Period): Promise<DistrictsReport> {
      const districts = await repo.districts(p);
      return {
        from: p.from, to: p.to,
        max: districts.reduce((m, d) => Math.max(m, d.appeals), 0),
        total: districts.reduce((s, d) => s + d.appeals, 0),
        districts,
      };
    },

    async hotspots(p: Period, o: { min: number }): Promise<Hotspot[]> {
      const rows = await repo.hotspots(p, { ...o, limit: HOTSPOT_LIMIT });
      return rows.map((r) => ({ ...r, first: iso(r.first), last: iso(r.last), regular: isRegular(r.appeals, r.variation) }));
    },

    /**
     * Every announcement of the period counts in the totals per utility; `listed` keeps the list to
     * the ones with the most calls (each with its outline) — a Kyiv year has thousands.
     */
    async announcementCalls(p: Period & { utility?: string }, o: { listed?: number } = {}): Promise<AnnouncementCallsReport> {
      const rows = await repo.announcementCalls(p, { zones: o.listed });
      const byUtility: UtilityCalls[] = UTILITIES.map((utility) => {
        const of = rows.filter((r) => r.utility === utility);
        return { utility, announcements: of.length, calls: of.reduce((s, r) => s + r.calls, 0), appeals: of.reduce((s, r) => s + r.appeals, 0) };
      }).filter((u) => u.announcements > 0).sort((a, b) => b.calls - a.calls || b.appeals - a.appeals);
      const listed = o.listed === undefined ? rows : rows.slice(0, o.listed);
      return {
        from: p.from, to: p.to, byUtility, count: rows.length,
        announcements: listed.map((r) => ({ ...r, startsAt: iso(r.startsAt), endsAt: iso(r.endsAt) })),
      };
    },
  };
}
export type PlanningService = ReturnType<typeof planningService>;
