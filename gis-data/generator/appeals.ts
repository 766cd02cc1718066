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
  'category_id', 'executor_id', 'text', 'status', 'confirmation', 'rating', 'due_at', 'operator_id', 'answer', 'created_at', 'updated_at', 'done_at', 'closed_at',
  'planned_at', 'plan_reason', 'reject_reason', 'control_count', 'call_id'];

/**
 * How well an organisation works, drawn once per executor: the share of its appeals closed after the
 * deadline (Kyiv 2017's ratings: overdue 0.03–1.7 % of the closed), how many of its open appeals
 * are stuck past the deadline (at most about a third of what is open within it), how often
 * residents do not confirm the work (returns to Control), and how they rate it.
 */
export interface Quality { late: number; stuck: number; unconfirmed: number; mood: number }
export function executorQuality(rng: Rng): Quality {
  return { late: 0.0003 + rng.next() * 0.0167, stuck: 0.05 + rng.next() * 0.3, unconfirmed: 0.05 + rng.next() * 0.1, mood: rng.next() };
}

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
  const qrng = rng.fork('quality');
  const quality = new Map<number, Quality>();
  for (const e of [...new Set(ctx.executorIds.values())].sort((a, b) => a - b)) quality.set(e, executorQuality(qrng));
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

      const s = lifecycle(c, created, now, rng, quality.get(executor)!);
      const operator = channel === 'phone' ? ctx.operators[rng.next() < 0.55 ? 0 : 1] : null;
      // A phone appeal is registered during its call; the call log has the same id (load.ts).
      if (out.push(
        id + '\t' + `${p.numberPrefix}/${year}/${String(seq).padStart(6, '0')}` + '\t' + channel + '\t' + (callerPhone ?? '\\N') + '\t' + (residentId ?? '\\N') + '\t' +
        (building ?? '\\N') + '\t' + (apartment ?? '\\N') + '\t' + (infraId ?? '\\N') + '\t' + (pt ?? '\\N') + '\t' +
        catId[ci] + '\t' + executor + '\t' + c.texts[Math.floor(rng.next() * c.texts.length)] + '\t' + s.status + '\t' +
        (s.confirmation ?? '\\N') + '\t' + (s.rating ?? '\\N') + '\t' + ts(s.due ?? created + c.deadlineHours * HOUR) + '\t' + (operator ?? '\\N') + '\t' +
        (s.answer ?? '\\N') + '\t' + ts(created) + '\t' + ts(s.updated) + '\t' + (s.done ? ts(s.done) : '\\N') + '\t' + (s.closed ? ts(s.closed) : '\\N') + '\t' +
        (s.planned ? ts(s.planned) : '\\N') + '\t' + (s.planned ? rng.pick(PLAN_REASONS) : '\\N') + '\t' + (s.reject ?? '\\N') + '\t' + (s.controls ?? 0) + '\t' +
        (channel === 'phone' ? id : '\\N') + '\n')) await out.flush();
      if ((id & 1023) === 0) progress.tick(1024);
    }
  }
  progress.tick(id & 1023);
  progress.finish();
  return id;
}

interface Life {
  status: string; confirmation: string | null; rating: number | null; answer: string | null; done: number | null; closed: number | null; updated: number;
  /** A due date other than the category's (a return to Control sets a new one). */
  due?: number; planned?: number; reject?: string; controls?: number;
}
const PLAN_REASONS = ['needs_funding', 'seasonal', 'needs_study', 'other'];
const REJECT_REASONS = ['not_competent', 'duplicate', 'withdrawn'];
const RATINGS_GOOD = [5, 5, 5, 5, 4, 4, 4, 3], RATINGS_FAIR = [5, 5, 4, 4, 4, 3, 3, 2], RATINGS_BAD = [1, 1, 2, 2, 3];
const open = (status: string, created: number, updated: number, answer: string | null = null, planned?: number): Life =>
  ({ status, confirmation: null, rating: null, answer, done: null, closed: null, updated, planned });

/** What happened to an appeal registered at `created`, seen at `now`, at an executor of quality `q`. */
function lifecycle(c: CategoryDef, created: number, now: number, rng: Rng, q: Quality): Life {
  const deadline = c.deadlineHours * HOUR;
  const age = now - created;
  const x = rng.next();
  if (age < deadline) {
    if (x < 0.25) return open('new', created, created);
    if (x < 0.68) return open('in_progress', created, created + Math.min(age, 2 * HOUR));
    if (x < 0.74) { const at = created + Math.min(age, 3 * HOUR); return open('planned', created, at, rng.pick(PLANNED), at + rng.range(3, 40) * DAY); }
    if (x < 0.97) { const done = doneAfter(created, deadline, now, rng, q); return { status: 'done', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed: null, updated: done }; }
    const closed = created + Math.min(age, rng.range(1, 6) * HOUR);
    return { status: 'rejected', confirmation: null, rating: null, answer: rng.pick(REJECTED), done: null, closed, updated: closed, reject: rng.pick(REJECT_REASONS) };
  }
  // Past the deadline almost everything is settled. What is not is overdue: about `stuck` times as
  // many as the executor has open within the deadline, some of them many months old.
  const pStuck = (q.stuck * 0.74 * deadline) / (365 * DAY);
  if (x < pStuck) {
    const y = rng.next();
    if (y < 0.15) return open('new', created, created);
    if (y < 0.75) return open('in_progress', created, created + rng.range(1, 24) * HOUR);
    const at = created + rng.range(2, 48) * HOUR;
    return open('planned', created, at, rng.pick(PLANNED), at + rng.range(0.5, 1) * (now - at));
  }
  if (x < pStuck + 0.04) {
    const closed = created + rng.range(1, 48) * HOUR;
    return { status: 'rejected', confirmation: null, rating: null, answer: rng.pick(REJECTED), done: null, closed, updated: closed, reject: rng.pick(REJECT_REASONS) };
  }
  const done = doneAfter(created, deadline, now, rng, q);
  const closed = Math.min(now - 30_000, done + rng.range(2, 72) * HOUR);
  if (closed <= done) return { status: 'done', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed: null, updated: done };
  if (!c.survey) return { status: 'closed', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed, updated: closed };
  const ratings = q.mood > 0.66 ? RATINGS_GOOD : q.mood > 0.2 ? RATINGS_FAIR : RATINGS_BAD.concat(RATINGS_FAIR);
  const y = rng.next();
  const u = q.unconfirmed;
  if (y < 0.8 - u) return { status: 'closed', confirmation: 'confirmed', rating: rng.pick(ratings), answer: rng.pick(ANSWERS), done, closed, updated: closed };
  if (y < 0.92 - u) return { status: 'closed', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed, updated: closed }; // survey not answered
  if (y < 0.95 - u && now - done < 3 * DAY) return { status: 'done', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed: null, updated: done }; // survey pending
  if (y < 0.95 - u) return { status: 'closed', confirmation: null, rating: null, answer: rng.pick(ANSWERS), done, closed, updated: closed };
  // Not confirmed by the resident: back to the executor under Control with a new deadline (the
  // product clears done_at), redone and closed since unless that was recent. History (load.ts)
  // puts the first "done" at 45 % and the return at 60 % of the way from registration to the last "done".
  const rating = rng.pick(RATINGS_BAD);
  const back = closed;
  if (back + deadline > now) return { status: 'control', confirmation: 'not_confirmed', rating, answer: rng.pick(ANSWERS), done: null, closed: null, updated: back, due: back + deadline, controls: 1 };
  const done2 = Math.min(now - 60_000, back + rng.range(0.1, 0.9) * deadline);
  const closed2 = Math.min(now - 30_000, done2 + rng.range(2, 48) * HOUR);
  if (closed2 <= done2) return { status: 'done', confirmation: 'not_confirmed', rating, answer: rng.pick(ANSWERS), done: done2, closed: null, updated: done2, due: back + deadline, controls: 1 };
  return { status: 'closed', confirmation: 'not_confirmed', rating, answer: rng.pick(ANSWERS), done: done2, closed: closed2, updated: closed2, due: back + deadline, controls: 1 };
}

/** Done within the deadline but for the executor's small share of late ones. */
function doneAfter(created: number, deadline: number, now: number, rng: Rng, q: Quality) {
  const f = rng.chance(1 - q.late) ? rng.range(0.05, 0.95) : rng.range(1.02, 2.5);
  return Math.min(now - 60_000, created + Math.max(20 * 60_000, deadline * f));
}
