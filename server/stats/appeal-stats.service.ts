// Report 2, the top-10s and the ratings, assembled from the repo's sums (no HTTP here; the input
// layer has checked the period and the weights). Names come from the catalogue; nothing personal.
import type { Clock } from '../clock.ts';
import type { AppealStatsRepo, StatsFilter } from './appeal-stats.repo.ts';
import {
  MEASURES, componentsOf, figuresOf, formulaText, ranksOf, ratingOf,
  type AppealMeasures, type AppealStats, type Named, type RatingOf, type RatingStats, type StatsBy, type StatsGroup, type TopStats, type Weights,
} from '../../vocabulary/appeal-stats.ts';

const ZERO = Object.fromEntries(MEASURES.map((m) => [m, 0])) as unknown as AppealMeasures;
const measuresOf = (r: Partial<AppealMeasures> | undefined): AppealMeasures =>
  Object.fromEntries(MEASURES.map((m) => [m, Number(r?.[m] ?? 0)])) as unknown as AppealMeasures;
const add = (into: AppealMeasures, m: AppealMeasures) => { for (const k of MEASURES) into[k] += m[k]; };
const upsert = (map: Map<number, AppealMeasures>, id: number) => {
  let m = map.get(id);
  if (!m) map.set(id, (m = { ...ZERO }));
  return m;
};
const named = (r: { id: number; name: string; nameEn: string | null }): Named => ({ id: r.id, name: r.name, nameEn: r.nameEn });
const NO_DISTRICT: Named = { id: 0, name: 'Без району', nameEn: 'No district' };

export type Filter = Omit<StatsFilter, 'now'>;

export function appealStatsService(repo: AppealStatsRepo, clock: Clock) {
  /** The filter at the clock's now, with the overdue watermark moved there first. */
  const withNow = async (f: Filter): Promise<StatsFilter> => {
    const now = clock.now();
    await repo.tick(now);
    return { ...f, now };
  };

  return {
    /** Report 2 for the period, per sphere or (within `sphere` when given) per category, per period bucket. */
    async appeals(f: Filter, group: StatsGroup, by: StatsBy): Promise<AppealStats> {
      const [rows, names] = await Promise.all([withNow(f).then((g) => repo.breakdown(g, group, by)), repo.names()]);
      const catalogue = new Map((by === 'sphere' ? names.spheres : names.categories).map((n) => [n.id, named(n)]));
      const perDim = new Map<number, AppealMeasures>();
      const buckets = new Map<string, { totals: AppealMeasures; rows: Map<number, AppealMeasures> }>();
      const totals = { ...ZERO };
      for (const r of rows) {
        const m = measuresOf(r);
        add(totals, m);
        add(upsert(perDim, r.id), m);
        if (r.period !== null) {
          const b = buckets.get(r.period) ?? { totals: { ...ZERO }, rows: new Map() };
          add(b.totals, m);
          add(upsert(b.rows, r.id), m);
          buckets.set(r.period, b);
        }
      }
      return {
        from: f.from, to: f.to, group, by, sphere: f.sphere ?? null, district: f.district ?? null,
        executor: f.executor ?? null, channel: f.channel ?? null,
        totals: figuresOf(totals),
        rows: [...perDim.entries()]
          .map(([id, m]) => ({ ...(catalogue.get(id) ?? { id, name: String(id), nameEn: null }), ...figuresOf(m) }))
          .filter((r) => r.total > 0 || r.overdue > 0)
          .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name, 'uk')),
        periods: [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([period, b]) => ({
          period, totals: figuresOf(b.totals),
          rows: [...b.rows.entries()].map(([id, m]) => ({ id, ...figuresOf(m) }))
            .filter((r) => r.total > 0 || r.overdue > 0).sort((x, y) => y.total - x.total || x.id - y.id),
        })),
      };
    },

    /** The ten spheres and the ten categories with most appeals, the latter per district and per month. */
    async top(f: Filter): Promise<TopStats> {
      const [rows, names] = await Promise.all([withNow(f).then((g) => repo.top(g)), repo.names()]);
      const total = rows.find((r) => r.set === 'all')?.n ?? 0;
      const share = (n: number) => (total > 0 ? n / total : 0);
      const sphereName = new Map(names.spheres.map((s) => [s.id, named(s)]));
      const categoryName = new Map(names.categories.map((c) => [c.id, named(c)]));
      const spheres = rows.filter((r) => r.set === 'sphere').sort((a, b) => b.n - a.n || a.sphereId! - b.sphereId!).slice(0, 10)
        .map((r) => ({ ...sphereName.get(r.sphereId!)!, count: r.n, share: share(r.n) }));
      const categories = rows.filter((r) => r.set === 'category').sort((a, b) => b.n - a.n || a.categoryId! - b.categoryId!).slice(0, 10)
        .map((r) => ({ ...categoryName.get(r.categoryId!)!, total: r.n, share: share(r.n) }));
      const top = new Set(categories.map((c) => c.id));
      const cellRows = rows.filter((r) => r.set === 'district' && top.has(r.categoryId!));
      const districtIds = [...new Set(cellRows.map((r) => r.districtId!))].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b));
      const districtName = new Map(names.districts.map((d) => [d.id, named(d)]));
      const districts = districtIds.map((id) => districtName.get(id) ?? NO_DISTRICT);
      const cell = new Map(cellRows.map((r) => [`${r.categoryId}:${r.districtId}`, r.n]));
      const cells = categories.map((c) => districtIds.map((d) => cell.get(`${c.id}:${d}`) ?? 0));
      const monthRows = rows.filter((r) => r.set === 'month' && top.has(r.categoryId!));
      const months = [...new Set(monthRows.map((r) => r.month!))].sort();
      const mcell = new Map(monthRows.map((r) => [`${r.categoryId}:${r.month}`, r.n]));
      const mcells = categories.map((c) => months.map((m) => mcell.get(`${c.id}:${m}`) ?? 0));
      const sumColumns = (m: number[][], n: number) => Array.from({ length: n }, (_, j) => m.reduce((s, row) => s + row[j], 0));
      return {
        from: f.from, to: f.to, total, spheres,
        issues: { categories, districts, cells, columnTotals: sumColumns(cells, districts.length), total: categories.reduce((s, c) => s + c.total, 0) },
        months: { months, cells: mcells, columnTotals: sumColumns(mcells, months.length) },
      };
    },

    /** The rating of every executor, district or housing office with appeals in the period, best first. */
    async ratings(f: Filter, of: RatingOf, weights: Weights): Promise<RatingStats> {
      const [rows, names] = await Promise.all([withNow(f).then((g) => repo.perEntity(g, of)), repo.names()]);
      const entity = new Map((of === 'district' ? names.districts : names.executors).map((n) => [n.id, named(n)]));
      const scored = rows.filter((r) => Number(r.total) > 0).map((r) => {
        const measures = measuresOf(r);
        const components = componentsOf(measures);
        return { ...(entity.get(r.id) ?? { id: r.id, name: String(r.id), nameEn: null }), received: measures.total, measures, components, score: ratingOf(components, weights) };
      });
      const ranks = ranksOf(scored.map((r) => r.score));
      const ranked = scored.map((r, i) => ({ ...r, rank: ranks[i] }))
        .sort((a, b) => a.rank - b.rank || b.received - a.received || a.name.localeCompare(b.name, 'uk'));
      return { from: f.from, to: f.to, of, weights, formula: formulaText(weights), rows: ranked };
    },

    rebuild: () => repo.rebuild(),
  };
}
export type AppealStatsService = ReturnType<typeof appealStatsService>;
export { ZERO as NO_MEASURES };
