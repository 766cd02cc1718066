// Announcement logic: zone validation, publish/edit/cancel/close with history and notices,
// public queries, subscriptions and statistics. No Koa here.
import { randomBytes } from 'node:crypto';
import type { ITask } from 'pg-promise';
import type { Db } from '../db/db.ts';
import type { User } from '../../shared/roles.ts';
import type { Clock } from '../clock.ts';
import { badRequest, conflict, forbidden, notFound } from '../http/errors.ts';
import { enqueueMail } from '../mail/mail.repo.ts';
import {
  announcementsRepo, type AnnouncementsRepo, type AnnouncementRow, type Kind, type ListFilter, type Utility, type ZoneCheck,
} from './announcements.repo.ts';
import { confirmationMail, noticeMail, type Change, type Links } from './announcements.mail.ts';
import {
  KINDS, UTILITIES, MAX_VERTICES, MAX_PICKED, MIN_WIDTH_M, MAX_WIDTH_M, PICK_GROW_M, TEXT_MAX,
} from '../../shared/announcements.ts';

/** How many affected buildings a preview returns for highlighting. */
export const PREVIEW_SAMPLE = 2000;
const MAX_TEXT: number = TEXT_MAX.description;

export type ZoneInput =
  | { source: 'polygon'; geometry: unknown }
  | { source: 'line'; geometry: unknown; widthM: number }
  | { source: 'buildings'; buildingIds: number[] };

export interface CheckedZone { hex: string; geojson: object; sourceKind: 'polygon' | 'line' | 'buildings'; sourceGeojson: string | null; bufferM: number | null }

function parseZone(raw: unknown): ZoneInput {
  if (!raw || typeof raw !== 'object') throw badRequest('"zone" is required: {source: "polygon"|"line"|"buildings", …}');
  const z = raw as Record<string, unknown>;
  switch (z.source) {
    case 'polygon':
      return { source: 'polygon', geometry: z.geometry };
    case 'line': {
      const w = Number(z.widthM);
      if (!Number.isFinite(w) || w < MIN_WIDTH_M || w > MAX_WIDTH_M) throw badRequest(`"zone.widthM" must be a width in metres from ${MIN_WIDTH_M} to ${MAX_WIDTH_M}`);
      return { source: 'line', geometry: z.geometry, widthM: w };
    }
    case 'buildings': {
      const ids = z.buildingIds;
      if (!Array.isArray(ids) || ids.some((x) => !Number.isSafeInteger(x) || (x as number) <= 0)) throw badRequest('"zone.buildingIds" must be a list of building ids');
      if (ids.length === 0) throw badRequest('No buildings picked: pick at least one building');
      if (ids.length > MAX_PICKED) throw badRequest(`Too many buildings picked (${ids.length}; at most ${MAX_PICKED})`);
      return { source: 'buildings', buildingIds: [...new Set(ids as number[])] };
    }
    default:
      throw badRequest('"zone.source" must be "polygon", "line" or "buildings"');
  }
}

/** Positions in a GeoJSON coordinates array, or -1 when it is not one (anything but numbers in nested arrays). */
export function countPositions(coords: unknown): number {
  if (!Array.isArray(coords)) return -1;
  if (coords.length >= 2 && coords.every((c) => typeof c === 'number' && Number.isFinite(c))) return coords.length <= 3 ? 1 : -1;
  let n = 0;
  for (const c of coords) {
    const k = countPositions(c);
    if (k < 0) return -1;
    n += k;
  }
  return n;
}

/** Checks what is cheap to check (type, shape, vertex count) before PostGIS parses anything. */
function geometryJson(g: unknown, types: string[]): string {
  if (!g || typeof g !== 'object' || !types.includes((g as { type?: string }).type ?? '')) {
    throw badRequest(`"zone.geometry" must be a GeoJSON ${types.join(' or ')}`);
  }
  const coords = (g as { coordinates?: unknown }).coordinates;
  if (!Array.isArray(coords) || coords.length === 0 || JSON.stringify(coords) === '[[]]') throw badRequest('The zone is empty: draw it first');
  const points = countPositions(coords);
  if (points < 0) throw badRequest('"zone.geometry.coordinates" must be arrays of [lon, lat] numbers', undefined, 'invalid_geometry');
  if (points > MAX_VERTICES) throw badRequest(`Too many vertices: ${points} (at most ${MAX_VERTICES})`, { vertices: points });
  return JSON.stringify(g);
}

const dateField = (v: unknown, name: string): Date => {
  if (typeof v !== 'string' && !(v instanceof Date)) throw badRequest(`"${name}" is required (ISO date-time)`);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw badRequest(`"${name}" is not a valid date-time`);
  return d;
};
const text = (v: unknown, name: string, max = MAX_TEXT): string => {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw badRequest(`"${name}" must be a string`);
  if (v.length > max) throw badRequest(`"${name}" is longer than ${max} characters`);
  return v.trim();
};
export function parseUtility(v: unknown): Utility {
  if (!UTILITIES.includes(v as Utility)) throw badRequest(`Unknown utility "${String(v)}": one of ${UTILITIES.join(', ')}`);
  return v as Utility;
}
export function parseKind(v: unknown): Kind {
  if (!KINDS.includes(v as Kind)) throw badRequest(`Unknown kind "${String(v)}": one of ${KINDS.join(', ')}`);
  return v as Kind;
}

interface Fields { kind: Kind; utility: Utility; title: string; description: string; contact: string; startsAt: Date; endsAt: Date }
function parseFields(b: Record<string, unknown>): Fields {
  const f = {
    kind: parseKind(b.kind), utility: parseUtility(b.utility),
    title: text(b.title, 'title', 200), description: text(b.description, 'description'), contact: text(b.contact, 'contact', 300),
    startsAt: dateField(b.startsAt, 'startsAt'), endsAt: dateField(b.endsAt, 'endsAt'),
  };
  if (f.endsAt <= f.startsAt) throw badRequest('The end is before the start: "endsAt" must be later than "startsAt"');
  return f;
}

export function announcementsService(db: Db, cfg: { publicUrl: string; clock: Clock }, repo: AnnouncementsRepo = announcementsRepo(db)) {
  const { clock } = cfg;
  const base = cfg.publicUrl.replace(/\/$/, '');
  const links: Links = {
    confirm: (t) => `${base}/api/announcements/subscriptions/confirm?token=${t}`,
    unsubscribe: (t) => `${base}/api/announcements/subscriptions/unsubscribe?token=${t}`,
    announcement: (id) => `${base}/announcements?id=${id}`,
  };

  /** Builds the zone in PostGIS and refuses it with the reason when it is not usable. */
  async function checkZone(raw: unknown): Promise<CheckedZone> {
    const input = parseZone(raw);
    let c: ZoneCheck;
    let sourceGeojson: string | null = null;
    if (input.source === 'buildings') {
      c = await repo.checkBuildings(input.buildingIds, PICK_GROW_M);
      if (c.pickedFound !== input.buildingIds.length) throw badRequest(`Unknown building ids: ${input.buildingIds.length - (c.pickedFound ?? 0)} of the picked buildings do not exist`);
    } else {
      const types = input.source === 'polygon' ? ['Polygon', 'MultiPolygon'] : ['LineString', 'MultiLineString'];
      sourceGeojson = geometryJson(input.geometry, types);
      c = input.source === 'polygon' ? await repo.checkPolygon(sourceGeojson) : await repo.checkLine(sourceGeojson, input.widthM);
      if (!c.valid) throw badRequest(`Invalid zone geometry: ${c.reason ?? 'invalid'}`, { reason: c.reason });
    }
    if (c.empty || !c.zone) throw badRequest('The zone is empty');
    if (!c.inCity) throw badRequest('The zone is outside the city: it touches no district');
    return {
      hex: c.zone, geojson: c.zoneGeojson!, sourceKind: input.source, sourceGeojson,
      bufferM: input.source === 'line' ? input.widthM : input.source === 'buildings' ? PICK_GROW_M : null,
    };
  }

  function ownerOf(user: User, body: Record<string, unknown>): number {
    if (user.role === 'executor') return user.executorId!;
    const id = Number(body.executorId);
    if (!Number.isSafeInteger(id) || id <= 0) throw badRequest('"executorId" is required when an administrator publishes');
    return id;
  }
  function mayAct(user: User, a: AnnouncementRow) {
    if (user.role === 'admin') return;
    if (user.role !== 'executor' || user.executorId !== a.executorId) throw forbidden('This announcement belongs to another organisation');
  }

  async function notify(t: ITask<unknown>, change: Change, id: number, now: Date, buildingIds: number[], leftIds: number[] = []) {
    const a = (await repo.get(id, t))!;
    const subs = await repo.subscribersOf(t, buildingIds);
    const left = leftIds.length ? await repo.subscribersOf(t, leftIds) : [];
    await enqueueMail(t, now, [
      ...subs.map((s) => noticeMail(change, a, s, links)),
      ...left.map((s) => noticeMail(change, a, s, links, { leftZone: true })),
    ]);
    return subs.length + left.length;
  }

  return {
    repo,
    links,
    forBuilding: (buildingId: number, at?: Date) => repo.forBuilding(buildingId, at ?? clock.now()),

    async preview(body: Record<string, unknown>) {
      const zone = await checkZone(body.zone);
      const limit = Math.min(Number(body.limit) || PREVIEW_SAMPLE, PREVIEW_SAMPLE);
      const s = await repo.affected(zone.hex, limit);
      return { ...s, zone: zone.geojson, truncated: s.buildings > s.sample.length };
    },

    async publish(user: User, body: Record<string, unknown>) {
      const f = parseFields(body);
      const executorId = ownerOf(user, body);
      if (!(await repo.executorExists(executorId))) throw badRequest(`Unknown executor ${executorId}`);
      const zone = await checkZone(body.zone);
      const now = clock.now();
      const id = await db.tx('announcement-publish', async (t) => {
        await repo.serialScans(t);
        const { id } = await repo.insert(t, { ...f, executorId, sourceKind: zone.sourceKind, sourceGeojson: zone.sourceGeojson, bufferM: zone.bufferM, zoneHex: zone.hex, createdBy: user.id, now });
        const counts = await repo.recomputeBuildings(t, id);
        const buildingIds = await repo.buildingIds(t, id);
        const notified = await notify(t, 'published', id, now, buildingIds);
        await repo.addEvent(t, id, user.id, 'published', { ...counts, ...f, source: zone.sourceKind, bufferM: zone.bufferM, notified }, now);
        return id;
      });
      return this.detail(id);
    },

    async edit(user: User, id: number, body: Record<string, unknown>) {
      const current = await repo.get(id);
      if (!current) throw notFound(`No announcement ${id}`);
      mayAct(user, current);
      const f = parseFields({ ...current, ...body });
      const zone = body.zone !== undefined ? await checkZone(body.zone) : null;
      const now = clock.now();
      await db.tx('announcement-edit', async (t) => {
        await repo.serialScans(t);
        const before = (await repo.get(id, t, true))!;
        if (before.status !== 'published') throw conflict(`The announcement is ${before.status}: it can no longer be edited`);
        const oldIds = await repo.buildingIds(t, id);
        await repo.update(t, id, now, { ...f, sourceKind: zone?.sourceKind ?? null, sourceGeojson: zone?.sourceGeojson ?? null, bufferM: zone?.bufferM ?? null, zoneHex: zone?.hex ?? null });
        const counts = await repo.recomputeBuildings(t, id);
        const newIds = await repo.buildingIds(t, id);
        const fresh = new Set(newIds);
        const notified = await notify(t, 'changed', id, now, newIds, oldIds.filter((b) => !fresh.has(b)));
        const changed: Record<string, { from: unknown; to: unknown }> = {};
        for (const k of Object.keys(f) as (keyof Fields)[]) {
          const a = before[k], b = f[k];
          if (String(a instanceof Date ? a.toISOString() : a) !== String(b instanceof Date ? b.toISOString() : b)) changed[k] = { from: a, to: b };
        }
        if (zone) changed.zone = { from: before.sourceKind, to: zone.sourceKind };
        await repo.addEvent(t, id, user.id, 'changed', {
          changed, buildings: { from: before.buildings, to: counts.buildings }, apartments: { from: before.apartments, to: counts.apartments }, notified,
        }, now);
      });
      return this.detail(id);
    },

    async end(user: User, id: number, how: 'cancelled' | 'closed', body: Record<string, unknown>) {
      const reason = text(body.reason, 'reason', 1000);
      const now = clock.now();
      await db.tx(`announcement-${how}`, async (t) => {
        const a = await repo.get(id, t, true);
        if (!a) throw notFound(`No announcement ${id}`);
        mayAct(user, a);
        if (a.status !== 'published') throw conflict(`The announcement is already ${a.status}`);
        if (how === 'closed' && a.startsAt > now) throw conflict('The works have not started yet: cancel the announcement instead');
        if (how === 'closed' && a.endsAt <= now) throw conflict('The announcement has already ended');
        const { closedAt } = await repo.setStatus(t, id, how, now);
        const notified = await notify(t, how, id, now, await repo.buildingIds(t, id));
        await repo.addEvent(t, id, user.id, how, { reason, closedAt, notified }, now);
      });
      return this.detail(id);
    },

    async detail(id: number, addressLimit = 500) {
      const a = await repo.get(id);
      if (!a) throw notFound(`No announcement ${id}`);
      const [geo, addresses] = await Promise.all([repo.zoneGeojson(id), repo.addresses(id, addressLimit)]);
      return { ...a, zone: geo?.zone ?? null, source: geo?.source ?? null, addresses, addressesTruncated: a.buildings > addresses.length };
    },

    history: async (user: User, id: number) => {
      const a = await repo.get(id);
      if (!a) throw notFound(`No announcement ${id}`);
      mayAct(user, a);
      return repo.history(id);
    },

    /** The public map's data: centroids as GeoJSON with the counts that size the circles. */
    async featureCollection(f: ListFilter) {
      const rows = await repo.list(f, clock.now());
      const now = clock.now().getTime();
      return {
        type: 'FeatureCollection' as const,
        features: rows.map((a) => ({
          type: 'Feature' as const,
          id: a.id,
          geometry: { type: 'Point' as const, coordinates: [a.lon, a.lat] },
          properties: {
            id: a.id, kind: a.kind, utility: a.utility, title: a.title, status: a.status,
            starts_at: a.startsAt, ends_at: a.endsAt, buildings: a.buildings, apartments: a.apartments,
            executor: a.executor, executor_id: a.executorId,
            active: a.startsAt.getTime() <= now && a.endsAt.getTime() > now && a.status === 'published',
          },
        })),
      };
    },

    list: (f: ListFilter) => repo.list(f, clock.now()),

    async meta() {
      const [districts, executors] = await Promise.all([repo.districts(), repo.executors()]);
      return { utilities: UTILITIES, kinds: KINDS, districts, executors };
    },

    // ---- subscriptions ----
    async subscribe(body: Record<string, unknown>) {
      const email = text(body.email, 'email', 254).toLowerCase();
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw badRequest('"email" is not an e-mail address');
      const buildingId = Number(body.buildingId);
      if (!Number.isSafeInteger(buildingId) || buildingId <= 0) throw badRequest('"buildingId" is required');
      const lang = body.lang === 'en' ? 'en' : 'uk';
      const now = clock.now();
      return db.tx('announcement-subscribe', async (t) => {
        const b = await repo.buildingAddress(buildingId, t);
        if (!b) throw notFound(`No building ${buildingId}`);
        const live = await repo.liveSubscription(t, email, buildingId);
        if (live?.confirmedAt) {
          await repo.setSubscriptionLang(t, live.id, lang);
          return { status: 'already_confirmed' as const, address: b.address };
        }
        let token = live?.token;
        if (live) await repo.setSubscriptionLang(t, live.id, lang);
        else {
          token = randomBytes(24).toString('base64url');
          await repo.insertSubscription(t, email, buildingId, token, lang, now);
        }
        await enqueueMail(t, now, [confirmationMail(email, token!, b.address, lang, links)]);
        return { status: 'confirmation_sent' as const, address: b.address };
      });
    },
    confirm: (token: string) => repo.confirmSubscription(token, clock.now()),
    unsubscribe: (token: string) => repo.unsubscribe(token, clock.now()),
    /** "Now" as this service sees it (routes default their periods to it). */
    now: () => clock.now(),

    // ---- statistics ----
    stats: repo.stats,
  };
}
export type AnnouncementsService = ReturnType<typeof announcementsService>;
