// One year of historic appeals up to "now": categories in the catalogue's shares (with their
// seasons: hot water in summer, heating in winter), executors by the catalogue rule, deadlines,
// statuses that depend on age, confirmations and ratings. Written in time order so numbers and
// ids follow registration; the history rows are derived in SQL afterwards (see load.ts).
import { Weighted, type Rng } from './random.ts';
import { CATEGORY_SHARES, SEASONS, type CategoryDef } from './catalogue.ts';
import type { Preset } from './presets.ts';
import type { People } from './people.ts';
import type { InfraPoint } from './infra.ts';
import type { CopyWriter } from './copy.ts';
import { ts, yearOf, DAY, HOUR } from './time.ts';
import { point } from './ewkb.ts';
import type { Progress } from '../progress.ts';

export interface AppealContext {
  categoryIds: Map<string, number>;
  executorIds: Map<string, number>;
  /** building id → district id / housing office executor id / cleaning zone infra id */
  buildingDistrict: Int32Array; buildingOffice: Int32Array; buildingZone: Int32Array;
  districtExecutor: Map<string, number>; // `${category}:${district}` → executor id
  infra: InfraPoint[];
  operators: number[];
}

export const APPEAL_COLUMNS = ['id', 'number', 'channel', 'caller_phone', 'resident_id', 'building_id', 'apartment', 'infra_object_id', 'point',
  'category_id', 'executor_id', 'text', 'status', 'confirmation', 'rating', 'due_at', 'operator_id', 'answer', 'created_at', 'updated_at', 'done_at', 'closed_at'];

const HOURS = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2, 2.4, 2.4, 2.2, 2, 2, 2.1, 2, 1.8, 1.6, 1.4, 1.2, 1, 0.8, 0.5, 0.3];
const WEEKDAY = [0.6, 1.1, 1.05, 1, 1, 0.95, 0.65]; // Sunday first
const ANSWERS = ['Роботи виконано', 'Несправність усунено, перевірено на місці', 'Послугу відновлено', 'Проведено обстеження, роботи виконано в повному обсязі', 'Виконано ремонт'];
const PLANNED = ['Роботи включено до плану поточного ремонту', 'Заплановано на наступний місяць', 'Потребує закупівлі матеріалів, роботи заплановано'];
const REJECTED = ['Питання не належить до компетенції виконавця', 'Дублікат звернення', 'Заявник відмовився від звернення'];
const CHANNELS = new Weighted(['phone', 'web', 'app', 'email', 'social'] as const, [82, 8, 6, 2, 2]);

export async function writeAppeals(p: Preset, ctx: AppealContext, people: People, rng: Rng, now: number, out: CopyWriter, progress: Progress): Promise<number> {
  const cats = CATEGORY_SHARES;
  // Each category keeps its yearly share; its season only moves appeals between months.
  const start = now - 365 * DAY;
  const monthOf = (ms: number) => new Date(ms).getUTCMonth();
  const seasonMean = cats.map((c) => {
    let s = 0; for (let d = 0; d < 365; d++) s += SEASONS[c.season][monthOf(start + d * DAY)]; return s / 365;
  });
  const monthTables = Array.from({ length: 12 }, (_, m) => new Weighted(cats, cats.map((c, k) => (c.share * SEASONS[c.season][m]) / seasonMean[k])));
  const dayWeight = Array.from({ length: 365 }, (_, d) => {
    const t = start + d * DAY;
    const m = monthOf(t);
    return WEEKDAY[new Date(t).getUTCDay()] * cats.reduce((s, c, k) => s + (c.share * SEASONS[c.season][m]) / seasonMean[k], 0);
  });
  const totalW = dayWeight.reduce((a, b) => a + b, 0);
  const hours = new Weighted(HOURS.map((_, h) => h), HOURS);
  const byKind = new Map<string, InfraPoint[]>();
  for (const o of ctx.infra) { let l = byKind.get(o.kind); if (!l) byKind.set(o.kind, (l = [])); l.push(o); }
  const catId = cats.map((c) => ctx.categoryIds.get(c.code)!);
  const fixed = cats.map((c) => ctx.executorIds.get(c.executor === 'zhek' ? 'zhek-1' : c.executor)!);

  const randomResident = () => Math.floor(rng.next() * people.count);
  const withPhone = () => { for (let k = 0; k < 20; k++) { const r = randomResident(); if (people.phone[r]) return r; } return randomResident(); };
  const seqByYear = new Map<number, number>();
  let id = 0, cum = 0, prevRounded = 0;
  progress.start('appeals', p.appeals);
  for (let d = 0; d < 365; d++) {
    cum += (p.appeals * dayWeight[d]) / totalW;
    const n = Math.round(cum) - prevRounded;
    prevRounded = Math.round(cum);
    const dayStart = start + d * DAY;
    const times: number[] = [];
    for (let k = 0; k < n; k++) times.push(dayStart + hours.sample(rng) * HOUR + Math.floor(rng.next() * HOUR));
    times.sort((a, b) => a - b);
    const table = monthTables[monthOf(dayStart)];
    const yearAtStart = yearOf(dayStart), yearAtEnd = yearOf(dayStart + DAY - 1), newYear = Date.UTC(yearAtEnd, 0, 1);
    for (const created of times) {
      const ci = table.index(rng);
      const c = cats[ci];
      id++;
      const year = yearAtStart === yearAtEnd || created < newYear ? yearAtStart : yearAtEnd;
      const seq = (seqByYear.get(year) ?? 0) + 1;
      seqByYear.set(year, seq);
      const channel = CHANNELS.sample(rng);
      const unknown = channel === 'phone' && rng.chance(0.07);
      const r = unknown ? randomResident() : withPhone();
      const buildingId = people.building[r];
      let callerPhone: string | null = null;
      if (unknown) callerPhone = `+380${rng.pick([50, 67, 63, 66, 93, 97, 98])}${rng.int(1_000_000, 9_999_999)}`;
      else if (people.phone[r] && (channel === 'phone' || rng.chance(0.5))) callerPhone = `+380${people.phone[r]}`;
      const residentId = unknown ? null : r + 1;

      let building: number | null = buildingId, apartment: number | null = people.apartment[r] || null;
      let infraId: number | null = null, pt: string | null = null, district = ctx.buildingDistrict[buildingId];
      if (c.infraKind === 'cleaning_zone') infraId = ctx.buildingZone[buildingId] || null;
      else if (c.infraKind) {
        const objs = byKind.get(c.infraKind);
        if (objs?.length) {
          const o = objs[Math.floor(rng.next() * objs.length)];
          infraId = o.id; pt = point(o.lon, o.lat); district = o.district; building = null; apartment = null;
        }
      }
      let executor: number;
      if (c.rule === 'housing_office' && building) executor = ctx.buildingOffice[building];
      else if (c.rule === 'district') executor = ctx.districtExecutor.get(`${c.code}:${district}`) ?? fixed[ci];
      else executor = fixed[ci];

      const s = lifecycle(c, created, now, rng);
      const operator = channel === 'phone' ? ctx.operators[rng.next() < 0.55 ? 0 : 1] : null;
      if (out.push(
        id + '\t' + `${p.numberPrefix}/${year}/${String(seq).padStart(6, '0')}` + '\t' + channel + '\t' + (callerPhone ?? '\\N') + '\t' + (residentId ?? '\\N') + '\t' +
        (building ?? '\\N') + '\t' + (apartment ?? '\\N') + '\t' + (infraId ?? '\\N') + '\t' + (pt ?? '\\N') + '\t' +
        catId[ci] + '\t' + executor + '\t' + c.texts[Math.floor(rng.next() * c.texts.length)] + '\t' + s.status + '\t' +
        (s.confirmation ?? '\\N') + '\t' + (s.rating ?? '\\N') + '\t' + ts(created + c.deadlineHours * HOUR) + '\t' + (operator ?? '\\N') + '\t' +
        (s.answer ?? '\\N') + '\t' + ts(created) + '\t' + ts(s.updated) + '\t' + (s.done ? ts(s.done) : '\\N') + '\t' + (s.closed ? ts(s.closed) : '\\N') + '\n')) await out.flush();
      if ((id & 1023) === 0) progress.tick(1024);
    }
  }
  progress.tick(id & 1023);
  progress.finish();
  return id;
}

interface Life { status: string; confirmation: string | null; rating: number | null; answer: string | null; done: number | null; closed: number | null; updated: number }

/** What happened to an appeal registered at `created`, seen at `now`. */
function lifecycle(c: CategoryDef, created: number, now: number, rng: Rng): Life {
  const deadline = c.deadlineHours * HOUR;
  const age = now - created;
  const x = rng.next();
  if (age < deadline) {
    if (x < 0.25) return { status: 'new', confirmation: null, rating: null, answer: null, done: null, closed: null, updated: created };
    if (x < 0.68) return { status: 'in_progress', confirmation: null, rating: null, answer: null, done: null, closed: null, updated: created + Math.min(age, 2 * HOUR) };
    if (x < 0.74) return { status: 'planned', confirmation: null, rating: null, answer: rng.pick(PLANNED), done: null, closed: null, updated: created + Math.min(age, 3 * HOUR) };
    if (x < 0.97) { const done = doneAfter(created, deadline, now, rng); return { status: 'done', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed: null, updated: done }; }
    const closed = created + Math.min(age, rng.range(1, 6) * HOUR);
    return { status: 'rejected', confirmation: null, rating: null, answer: rng.pick(REJECTED), done: null, closed, updated: closed };
  }
  // Past the deadline: most are closed; old open ones are rarer the older they are.
  const stale = age > 60 * DAY ? 0.35 : 1;
  const pOverdue = 0.05 * stale, pNew = 0.012 * stale, pPlanned = 0.05 * (c.deadlineHours >= 240 ? 1.5 : 0.5);
  if (x < pNew) return { status: 'new', confirmation: null, rating: null, answer: null, done: null, closed: null, updated: created };
  if (x < pNew + pOverdue) return { status: 'in_progress', confirmation: null, rating: null, answer: null, done: null, closed: null, updated: created + rng.range(1, 24) * HOUR };
  if (x < pNew + pOverdue + pPlanned) return { status: 'planned', confirmation: null, rating: null, answer: rng.pick(PLANNED), done: null, closed: null, updated: created + rng.range(2, 48) * HOUR };
  if (x < pNew + pOverdue + pPlanned + 0.04) {
    const closed = created + rng.range(1, 48) * HOUR;
    return { status: 'rejected', confirmation: null, rating: null, answer: rng.pick(REJECTED), done: null, closed, updated: closed };
  }
  const done = doneAfter(created, deadline, now, rng);
  const closed = Math.min(now - 30_000, done + rng.range(2, 72) * HOUR);
  if (closed <= done) return { status: 'done', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed: null, updated: done };
  if (!c.survey) return { status: 'closed', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed, updated: closed };
  const y = rng.next();
  if (y < 0.72) return { status: 'closed', confirmation: 'confirmed', rating: rng.pick([5, 5, 5, 4, 4, 4, 3, 3, 2]), answer: rng.pick(ANSWERS), done, closed, updated: closed };
  if (y < 0.84) return { status: 'closed', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed, updated: closed }; // survey not answered
  if (y < 0.9) return { status: 'done', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed: null, updated: done }; // survey pending
  // Not confirmed by the resident: back to the executor under control; older ones were redone
  // and closed since, still counted as not confirmed.
  if (age > 30 * DAY) return { status: 'closed', confirmation: 'not_confirmed', rating: rng.pick([1, 1, 2, 2, 3]), answer: rng.pick(ANSWERS), done, closed, updated: closed };
  return { status: 'control', confirmation: 'not_confirmed', rating: rng.pick([1, 1, 2, 2, 3]), answer: rng.pick(ANSWERS), done, closed: null, updated: closed };
}

/** Four in five are done within the deadline; the rest late. */
function doneAfter(created: number, deadline: number, now: number, rng: Rng) {
  const f = rng.chance(0.8) ? rng.range(0.05, 0.95) : rng.range(1, 2.5);
  return Math.min(now - 60_000, created + Math.max(20 * 60_000, deadline * f));
}
