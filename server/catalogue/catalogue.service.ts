// The catalogue decides who does the work and by when: the category's executor rule applied to the
// place of the appeal, and the category's control deadline. The catalogue itself is held in memory
// (one query loads it) and dropped whenever a statement changes it, on any instance (NOTIFY): a
// registration reads it without a round trip.
import { badRequest, notFound } from '../http/errors.ts';
import type { Clock } from '../clock.ts';
import type { Listener } from '../db/listen.ts';
import type { CatalogueRepo, CatalogueSnapshot, Category, Executor, ExecutorRule, Place } from './catalogue.repo.ts';
import { deadlineOf, type WorkCalendar } from './deadlines.ts';

export interface Resolution {
  executor: Executor | null;
  /** Which branch of the rule chose it: the place's housing office / district table, or the category's own executor. */
  source: 'housing_office' | 'district' | 'fixed' | 'fallback' | 'none';
  rule: ExecutorRule;
}

/** What is known of the place, from the registration's own lookups (saves a query). */
export interface PlaceFacts { housingOfficeId: number | null; districtId: number | null }

const HOUR = 3600_000;

/** The control deadline in calendar hours: the category's hours from the moment of registration. */
export function dueAt(category: Pick<Category, 'deadlineHours'>, from: Date): Date {
  return new Date(from.getTime() + category.deadlineHours * HOUR);
}

interface Loaded {
  snapshot: CatalogueSnapshot;
  categories: Map<number, Category>;
  executors: Map<number, Executor>;
  districtRules: Map<string, number>;
}

export function catalogueService(repo: CatalogueRepo, clock: Clock, opts: { log?: (m: string) => void } = {}) {
  let loaded: Promise<Loaded> | null = null;
  let watcher: Listener | null = null;

  function catalogue(): Promise<Loaded> {
    watcher ??= repo.watch(() => { loaded = null; }, opts.log);
    loaded ??= repo.snapshot().then((snapshot) => ({
      snapshot,
      categories: new Map(snapshot.categories.map((c) => [c.id, c])),
      executors: new Map(snapshot.executors.map((e) => [e.id, e])),
      districtRules: new Map(snapshot.districtRules.map((r) => [`${r.categoryId}:${r.districtId}`, r.executorId])),
    }), (e) => { loaded = null; throw e; });
    return loaded;
  }

  async function activeCategory(categoryId: number): Promise<Category> {
    const category = (await catalogue()).categories.get(categoryId);
    if (!category) throw badRequest(`Category ${categoryId} does not exist`, { field: 'categoryId' });
    if (!category.active) throw badRequest(`Category "${category.name}" is no longer in use`, { field: 'categoryId' });
    return category;
  }

  /**
   * The executor the category's rule gives for the place. `facts` are the place's housing office and
   * district when the caller already knows them; otherwise they are looked up (one query).
   */
  async function resolveExecutor(categoryOrId: number | Category, place: Place = {}, facts?: PlaceFacts | null): Promise<Resolution> {
    const c = await catalogue();
    const category = typeof categoryOrId === 'number' ? await activeCategory(categoryOrId) : categoryOrId;
    const rule = category.executorRule;
    let chosen: number | null = null;
    let source: Resolution['source'] = 'none';
    if (rule !== 'fixed' && (place.buildingId || place.infraObjectId || place.point)) {
      const f = facts ?? await repo.placeFacts(place);
      if (rule === 'housing_office' && f?.housingOfficeId) {
        chosen = f.housingOfficeId;
        source = 'housing_office';
      } else if (rule === 'district' && f?.districtId) {
        const id = c.districtRules.get(`${category.id}:${f.districtId}`);
        if (id !== undefined) { chosen = id; source = 'district'; }
      }
    }
    if (chosen === null && category.executorId !== null) {
      chosen = category.executorId;
      source = rule === 'fixed' ? 'fixed' : 'fallback';
    }
    return { executor: chosen === null ? null : c.executors.get(chosen) ?? null, source, rule };
  }

  async function executor(id: number) {
    const e = (await catalogue()).executors.get(id);
    if (!e) throw notFound(`Executor ${id} does not exist`);
    return e;
  }

  return {
    activeCategory,
    resolveExecutor,
    executor,
    /** The category's deadline from `from`, in calendar or working hours (the work calendar). */
    async dueAt(category: Pick<Category, 'deadlineHours' | 'deadlineBasis'>, from: Date) {
      return deadlineOf(category, from, (await catalogue()).snapshot.calendar);
    },
    /** The working week and holidays, for deadlines computed elsewhere. */
    calendar: async (): Promise<WorkCalendar> => (await catalogue()).snapshot.calendar,

    /** Spheres with their active categories, the way the desk's picker shows them. */
    async tree() {
      const { snapshot } = await catalogue();
      return snapshot.spheres
        .map((s) => ({ ...s, categories: snapshot.categories.filter((c) => c.sphereId === s.id && c.active) }))
        .filter((s) => s.categories.length > 0);
    },

    executors: async () => (await catalogue()).snapshot.executors,

    /** What the desk shows before registering: the executor and due date the catalogue would set. */
    async suggestion(categoryId: number, place: Place) {
      const category = await activeCategory(categoryId);
      const r = await resolveExecutor(category, place);
      const due = deadlineOf(category, clock.now(), (await catalogue()).snapshot.calendar);
      return { categoryId, rule: r.rule, source: r.source, executor: r.executor, dueAt: due.toISOString(), deadlineHours: category.deadlineHours, deadlineBasis: category.deadlineBasis };
    },

    /** Stops watching for changes (the process is stopping). */
    async close() { await watcher?.close(); watcher = null; },
  };
}
export type CatalogueService = ReturnType<typeof catalogueService>;
