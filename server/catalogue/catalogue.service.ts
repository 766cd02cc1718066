// The catalogue decides who does the work and by when: the category's executor rule applied to the
// place of the appeal, and the category's control deadline.
import { badRequest, notFound } from '../http/errors.ts';
import type { Clock } from '../clock.ts';
import type { CatalogueRepo, Category, Executor, ExecutorRule, Place } from './catalogue.repo.ts';

export interface Resolution {
  executor: Executor | null;
  /** Which branch of the rule chose it: the place's housing office / district table, or the category's own executor. */
  source: 'housing_office' | 'district' | 'fixed' | 'fallback' | 'none';
  rule: ExecutorRule;
}

const HOUR = 3600_000;

/** The control deadline: the category's hours from the moment of registration. */
export function dueAt(category: Pick<Category, 'deadlineHours'>, from: Date): Date {
  return new Date(from.getTime() + category.deadlineHours * HOUR);
}

export function catalogueService(repo: CatalogueRepo, clock: Clock) {
  async function activeCategory(categoryId: number): Promise<Category> {
    const category = await repo.category(categoryId);
    if (!category) throw badRequest(`Category ${categoryId} does not exist`);
    if (!category.active) throw badRequest(`Category "${category.name}" is no longer in use`);
    return category;
  }

  async function resolveExecutor(categoryOrId: number | Category, place: Place | number | null = null): Promise<Resolution> {
    const category = typeof categoryOrId === 'number' ? await activeCategory(categoryOrId) : categoryOrId;
    const where: Place = typeof place === 'number' ? { buildingId: place } : (place ?? {});
    const rule = category.executorRule;
    let chosen: number | null = null;
    let source: Resolution['source'] = 'none';
    if (rule !== 'fixed' && (where.buildingId || where.infraObjectId || where.point)) {
      const facts = await repo.placeFacts(where);
      if (rule === 'housing_office' && facts?.housingOfficeId) {
        chosen = facts.housingOfficeId;
        source = 'housing_office';
      } else if (rule === 'district' && facts?.districtId) {
        const row = await repo.districtExecutor(category.id, facts.districtId);
        if (row) { chosen = row.executorId; source = 'district'; }
      }
    }
    if (chosen === null && category.executorId !== null) {
      chosen = category.executorId;
      source = rule === 'fixed' ? 'fixed' : 'fallback';
    }
    return { executor: chosen === null ? null : await repo.executor(chosen), source, rule };
  }

  return {
    activeCategory,
    resolveExecutor,
    dueAt,

    /** Spheres with their active categories, the way the desk's picker shows them. */
    async tree() {
      const [spheres, categories] = await Promise.all([repo.spheres(), repo.categories()]);
      return spheres
        .map((s) => ({ ...s, categories: categories.filter((c) => c.sphereId === s.id) }))
        .filter((s) => s.categories.length > 0);
    },

    executors: () => repo.executors(),

    async executor(id: number) {
      const e = await repo.executor(id);
      if (!e) throw notFound(`Executor ${id} does not exist`);
      return e;
    },

    /** What the desk shows before registering: the executor and due date the catalogue would set. */
    async suggestion(categoryId: number, place: Place) {
      const from = clock.now();
      const category = await activeCategory(categoryId);
      const r = await resolveExecutor(category, place);
      return { categoryId, rule: r.rule, source: r.source, executor: r.executor, dueAt: dueAt(category, from).toISOString(), deadlineHours: category.deadlineHours };
    },
  };
}
export type CatalogueService = ReturnType<typeof catalogueService>;
