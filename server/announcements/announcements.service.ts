// Announcement logic: zone validation, publish/edit/cancel/close with history and notices,
// public queries, subscriptions and statistics. No Koa here.
import { randomBytes } from 'node:crypto';
import type { ITask } from 'pg-promise';
import type { User } from '../../vocabulary/roles.ts';
import type { Clock } from '../clock.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../http/errors.ts';
import { enqueueMail } from '../mail/mail.repo.ts';
import {
  type AnnouncementsRepo, type AnnouncementRow, type ListFilter, type ZoneCheck,
} from './announcements.repo.ts';
import { PREVIEW_SAMPLE, type EditInput, type Fields, type PublishInput, type ZoneInput } from './announcements.input.ts';
import { confirmationMail, noticeMail, type Change, type Links } from './announcements.mail.ts';
import {
  KINDS, UTILITIES, MAX_VERTICES, PICK_GROW_M, type Utility,
} from '../../vocabulary/announcements.ts';

export interface CheckedZone { hex: string; geojson: object; sourceKind: 'polygon' | 'line' | 'buildings'; sourceGeojson: string | null; bufferM: number | null }

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

const zoneError = (message: string, code: string, params?: Record<string, string | number>) =>
  badRequest(message, { code, field: 'zone', params });

/** Checks what is cheap to check (type, shape, vertex count) before PostGIS parses anything. */
function geometryJson(g: { type: string; coordinates: unknown }, types: string[]): string {
  if (!types.includes(g.type)) throw badRequest(`"zone.geometry" must be a GeoJSON ${types.join(' or ')}`, { code: 'invalid_geometry', field: 'zone' });
  const coords = g.coordinates;
  if (!Array.isArray(coords) || coords.length === 0 || JSON.stringify(coords) === '[[]]') throw zoneError('The zone is empty: draw it first', 'zone_empty');
  const points = countPositions(coords);
  if (points < 0) throw zoneError('"zone.geometry.coordinates" must be arrays of [lon, lat] numbers', 'invalid_geometry');
  if (points > MAX_VERTICES) throw zoneError(`Too many vertices: ${points} (at most ${MAX_VERTICES})`, 'too_many_vertices', { value: points, max: MAX_VERTICES });
  return JSON.stringify(g);
}

export interface MailLimits { perAddress: { max: number; windowS: number }; perClient: { max: number; windowS: number } }
export const DEFAULT_MAIL_LIMITS: MailLimits = { perAddress: { max: 3, windowS: 24 * 3600 }, perClient: { max: 10, windowS: 3600 } };

export function announcementsService(repo: AnnouncementsRepo, cfg: { publicUrl: string; clock: Clock; mailLimits?: MailLimits }) {
  const { clock } = cfg;
  const base = cfg.publicUrl.replace(/\/$/, '');
  const links: Links = {
    confirm: (t) => `${base}/api/announcements/subscriptions/confirm?token=${t}`,
    unsubscribe: (t) => `${base}/api/announcements/subscriptions/unsubscribe?token=${t}`,
    announcement: (id) => `${base}/announcements?id=${id}`,
  };

  /** Builds the zone in PostGIS and refuses it with the reason when it is not usable. */
  async function checkZone(input: ZoneInput): Promise<CheckedZone> {
    let c: ZoneCheck;
    let sourceGeojson: string | null = null;
    if (input.source === 'buildings') {
      c = await repo.checkBuildings(input.buildingIds, PICK_GROW_M);
      if (c.pickedFound !== input.buildingIds.length) {
        throw badRequest(`Unknown building ids: ${input.buildingIds.length - (c.pickedFound ?? 0)} of the picked buildings do not exist`, { code: 'not_found', field: 'zone.buildingIds' });
      }
    } else {
      const types = input.source === 'polygon' ? ['Polygon', 'MultiPolygon'] : ['LineString', 'MultiLineString'];
      sourceGeojson = geometryJson(input.geometry, types);
      c = input.source === 'polygon' ? await repo.checkPolygon(sourceGeojson) : await repo.checkLine(sourceGeojson, input.widthM);
      if (!c.valid) throw badRequest(`Invalid zone geometry: ${c.reason ?? 'invalid'}`, { code: 'invalid_geometry', field: 'zone', details: { reason: c.reason } });
    }
    if (c.empty || !c.zone) throw zoneError('The zone is empty', 'zone_empty');
    if (!c.inCity) throw zoneError('The zone is outside the city: it touches no district', 'zone_outside');
    return {
      hex: c.zone, geojson: c.zoneGeojson!, sourceKind: input.source, sourceGeojson,
      bufferM: input.source === 'line' ? input.widthM : input.source === 'buildings' ? PICK_GROW_M : null,
    };
  }

  /**
   * Anyone may ask for a confirmation mail to any address, so the city would mail whoever an
   * attacker names: a few per address a day, a few more per client an hour (429 too_many_mails).
   */
  async function checkMailLimits(t: ITask<unknown>, email: string, client: string, now: Date) {
    const { perAddress, perClient } = cfg.mailLimits ?? DEFAULT_MAIL_LIMITS;
    const emailSince = new Date(now.getTime() - perAddress.windowS * 1000);
    const clientSince = new Date(now.getTime() - perClient.windowS * 1000);
    const sent = await repo.confirmationMailsSent(t, email, client, emailSince, clientSince);
    const waits: number[] = [];
    if (sent.byEmail >= perAddress.max) waits.push(sent.oldestEmail!.getTime() + perAddress.windowS * 1000 - now.getTime());
    if (sent.byClient >= perClient.max) waits.push(sent.oldestClient!.getTime() + perClient.windowS * 1000 - now.getTime());
    if (waits.length) {
      const seconds = Math.max(1, Math.ceil(Math.max(...waits) / 1000));
      throw new AppError(429, 'too_many_mails', `Too many confirmation mails to this address or from this client; try again in ${seconds} s`, undefined, undefined, { seconds });
    }
  }

  function ownerOf(user: User, executorId: number | undefined): number {
    if (user.role === 'executor') return user.executorId!;
    if (!executorId) throw badRequest('"executorId" is required when an administrator publishes', { code: 'required', field: 'executorId' });
    return executorId;
  }
  /** An organisation announces its own utility only: a housing office cannot publish a gas outage. */
  function mayAnnounce(org: { id: number; utilities: Utility[] }, utility: Utility) {
    if (!org.utilities.includes(utility)) {
      throw forbidden(`Organisation ${org.id} announces ${org.utilities.join(', ') || 'no utility'}, not ${utility}`, { code: 'utility_not_yours', field: 'utility', params: { utility } });
    }
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

    async preview(body: { zone: ZoneInput; limit?: number }) {
      const zone = await checkZone(body.zone);
      const s = await repo.affected(zone.hex, body.limit ?? PREVIEW_SAMPLE);
      return { ...s, zone: zone.geojson, truncated: s.buildings > s.sample.length };
    },

    async publish(user: User, body: PublishInput) {
      const { zone: zoneInput, executorId: asked, ...f } = body;
      const executorId = ownerOf(user, asked);
      const org = await repo.executorExists(executorId);
      if (!org) throw badRequest(`Unknown executor ${executorId}`, { code: 'not_found', field: 'executorId' });
      mayAnnounce(org, f.utility);
      const zone = await checkZone(zoneInput);
      const now = clock.now();
      const id = await repo.transaction('announcement-publish', async (t) => {
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

    async edit(user: User, id: number, body: EditInput) {
      const current = await repo.get(id);
      if (!current) throw notFound(`No announcement ${id}`);
      mayAct(user, current);
      const { zone: zoneInput, ...change } = body;
      if (change.utility && change.utility !== current.utility) mayAnnounce((await repo.executorExists(current.executorId))!, change.utility);
      const f: Fields = {
        kind: change.kind ?? current.kind, utility: change.utility ?? current.utility, title: change.title ?? current.title,
        description: change.description ?? current.description, contact: change.contact ?? current.contact,
        startsAt: change.startsAt ?? current.startsAt, endsAt: change.endsAt ?? current.endsAt,
      };
      if (f.endsAt <= f.startsAt) throw badRequest('The end is before the start: "endsAt" must be later than "startsAt"', { code: 'ends_before_start', field: 'endsAt' });
      const zone = zoneInput ? await checkZone(zoneInput) : null;
      const now = clock.now();
      await repo.transaction('announcement-edit', async (t) => {
        await repo.serialScans(t);
        const before = (await repo.get(id, t, true))!;
        if (before.status !== 'published') throw conflict(`The announcement is ${before.status}: it can no longer be edited`, { code: 'announcement_over' });
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

    async end(user: User, id: number, how: 'cancelled' | 'closed', reason: string) {
      const now = clock.now();
      await repo.transaction(`announcement-${how}`, async (t) => {
        const a = await repo.get(id, t, true);
        if (!a) throw notFound(`No announcement ${id}`);
        mayAct(user, a);
        if (a.status !== 'published') throw conflict(`The announcement is already ${a.status}`, { code: 'announcement_over' });
        if (how === 'closed' && a.startsAt > now) throw conflict('The works have not started yet: cancel the announcement instead', { code: 'not_started' });
        if (how === 'closed' && a.endsAt <= now) throw conflict('The announcement has already ended', { code: 'announcement_over' });
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
    /** `client` is the asking client's address: confirmation mails are limited per address and per client. */
    async subscribe({ email, buildingId, lang }: { email: string; buildingId: number; lang: 'uk' | 'en' }, client: string) {
      const now = clock.now();
      return repo.transaction('announcement-subscribe', async (t) => {
        const b = await repo.buildingAddress(buildingId, t);
        if (!b) throw notFound(`No building ${buildingId}`, { field: 'buildingId' });
        const live = await repo.liveSubscription(t, email, buildingId);
        if (live?.confirmedAt) {
          await repo.setSubscriptionLang(t, live.id, lang);
          return { status: 'already_confirmed' as const, address: b.address };
        }
        await checkMailLimits(t, email, client, now);
        let token = live?.token;
        if (live) await repo.setSubscriptionLang(t, live.id, lang);
        else {
          token = randomBytes(24).toString('base64url');
          await repo.insertSubscription(t, email, buildingId, token, lang, now);
        }
        await enqueueMail(t, now, [confirmationMail(email, token!, b.address, lang, links)]);
        await repo.logConfirmationMail(t, email, client, now);
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
