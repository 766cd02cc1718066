// Open311 GeoReport v2 over the contact-centre desk: services are the catalogue's active
// categories, a POSTed request is registered like any resident's own appeal (channel `open311`:
// routed, deadlined, surveyed), and service requests are appeals seen from outside — open or
// closed, the executor's answer or plan, the deadline, the place; never who filed them.
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../http/errors.ts';
import { APPEAL_TEXT, type AppealStatus } from '../../vocabulary/appeals.ts';
import { translate, type Locale, type MessageKey } from '../../vocabulary/i18n/translate.ts';
import { CITY_TIME_ZONE } from '../../vocabulary/calendar.ts';
import type { Clock } from '../clock.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { Category } from '../catalogue/catalogue.repo.ts';
import type { GeocodeService } from '../geocode/geocode.service.ts';
import type { AppealsService } from '../appeals/appeals.service.ts';
import type { Open311Repo, RequestRow, UpdateRow } from './open311.repo.ts';
import type { PostRequestInput, RequestsInput, UpdatesInput } from './open311.input.ts';
import { w3c } from './open311.format.ts';

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** When this server's GeoReport interface last changed. */
export const CHANGESET = '2026-12-02T00:00:00+02:00';
/** The specification's defaults: a span of 90 days or the first 1,000 requests, whichever is smaller. */
export const DEFAULT_DAYS = 90;
export const MAX_REQUESTS = 1000;
const DAY_MS = 86_400_000;

export interface Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
  values: { key: string; name: string }[];
}

/** What a category asks beyond the place: the apartment of a housing problem, the object of an infrastructure one. */
export function attributesOf(c: Pick<Category, 'executorRule' | 'infraKind'>, lang: Locale): Attribute[] {
  const list: Omit<Attribute, 'order'>[] = [];
  if (c.executorRule === 'housing_office') {
    list.push({ variable: true, code: 'apartment', datatype: 'string', required: false, values: [],
      datatype_description: translate(lang, 'open311.attr.apartmentType'), description: translate(lang, 'open311.attr.apartment') });
  }
  if (c.infraKind) {
    list.push({ variable: true, code: 'object_id', datatype: 'number', required: false, values: [],
      datatype_description: translate(lang, 'open311.attr.objectType'),
      description: translate(lang, 'open311.attr.object', { kind: translate(lang, `open311.kind.${c.infraKind}` as MessageKey) }) });
  }
  // In the specification's order of fields (XML keeps it).
  return list.map((a, i) => ({
    variable: a.variable, code: a.code, datatype: a.datatype, required: a.required, datatype_description: a.datatype_description,
    order: i + 1, description: a.description, values: a.values,
  }));
}

const dayFormat = new Intl.DateTimeFormat('uk-UA', { timeZone: CITY_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
const minuteFormat = new Intl.DateTimeFormat('uk-UA', { timeZone: CITY_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** The words of a status for the resident: the executor's answer, else the plan or the reason of a refusal. */
function notesOf(r: { status: string; answer?: string | null; plannedAt: Date | string | null; planReason: string | null; rejectReason: string | null }, lang: Locale): string | null {
  // The executor's answer is published; a number or address it quotes is masked like a resident's.
  if (r.answer) return masked(r.answer);
  if (r.status === 'planned' && r.plannedAt) {
    return translate(lang, 'open311.planned', { date: dayFormat.format(new Date(r.plannedAt)), reason: r.planReason ? translate(lang, `appeal.planReason.${r.planReason}` as MessageKey) : '—' });
  }
  if (r.status === 'rejected' && r.rejectReason) return translate(lang, 'open311.rejected', { reason: translate(lang, `appeal.rejectReason.${r.rejectReason}` as MessageKey) });
  return null;
}

/** Seven decimals of a degree: about a centimetre, without float noise (48.921099999999996). */
const degrees = (x: number | null) => (x === null ? null : Math.round(x * 1e7) / 1e7);

/** A text residents filed themselves may still hold an e-mail or a phone number: masked before it is shown. */
export const masked = (s: string) => s
  .replace(/[^\s@]+@[^\s@]+\.[^\s@]+/g, '…')
  .replace(/\+?\d[\d\s().-]{7,}\d/g, '…');

export function open311Service(d: {
  repo: Open311Repo;
  catalogue: CatalogueService;
  geocode: GeocodeService;
  appeals: Pick<AppealsService, 'registerPublic'>;
  clock: Clock;
  config: { publicUrl: string; open311: { contact: string; keyService: string } };
}) {
  const { repo, catalogue, clock } = d;

  async function services() {
    const tree = await catalogue.tree();
    return tree.flatMap((s) => s.categories.map((c) => ({ sphere: s, category: c })));
  }
  async function serviceOf(code: string) {
    return (await services()).find((s) => s.category.code === code) ?? null;
  }

  function request(r: RequestRow, lang: Locale) {
    return {
      service_request_id: String(r.id),
      status: r.isOpen ? 'open' : 'closed',
      status_notes: notesOf(r, lang),
      service_name: lang === 'en' ? r.serviceNameEn : r.serviceName,
      service_code: r.serviceCode,
      // Free text an operator wrote from a call may name people and flats: only requests filed through
      // Open311, which their authors meant for the public, show theirs (masked).
      description: r.channel === 'open311' ? masked(r.text) : null,
      agency_responsible: (lang === 'en' ? r.executorNameEn : null) ?? r.executorName,
      service_notice: null,
      requested_datetime: w3c(r.createdAt),
      updated_datetime: w3c(r.updatedAt),
      expected_datetime: w3c(r.dueAt),
      address: r.address,
      address_id: r.addressId === null ? null : String(r.addressId),
      zipcode: null,
      lat: degrees(r.lat),
      long: degrees(r.lon),
      media_url: r.mediaUrl,
    };
  }

  function update(u: UpdateRow, lang: Locale) {
    const status = translate(lang, `appeal.status.${u.status as AppealStatus}` as MessageKey);
    const notes = u.kind === 'answer' ? (u.text ? masked(u.text) : null) : notesOf({ ...u, answer: null }, lang);
    return {
      update_id: String(u.id),
      service_request_id: String(u.appealId),
      status: u.isOpen ? 'open' : 'closed',
      updated_datetime: w3c(u.at),
      description: notes ?? translate(lang, 'open311.update.status', { status }),
      media_url: u.mediaUrl,
    };
  }

  return {
    discovery: () => ({
      changeset: CHANGESET,
      contact: d.config.open311.contact,
      key_service: d.config.open311.keyService,
      endpoints: [{
        specification: SPECIFICATION,
        url: `${d.config.publicUrl.replace(/\/$/, '')}/open311/v2`,
        changeset: CHANGESET,
        type: 'production',
        formats: ['text/xml', 'application/json'],
      }],
    }),

    async services(lang: Locale) {
      return (await services()).map(({ sphere, category: c }) => ({
        service_code: c.code,
        service_name: lang === 'en' ? c.nameEn : c.name,
        description: translate(lang, 'open311.description', {
          category: lang === 'en' ? c.nameEn : c.name, sphere: lang === 'en' ? sphere.nameEn : sphere.name, hours: c.deadlineHours,
        }),
        metadata: attributesOf(c, lang).length > 0,
        type: 'realtime',
        keywords: [sphere.code, c.code, c.infraKind].filter(Boolean).join(', '),
        group: lang === 'en' ? sphere.nameEn : sphere.name,
      }));
    },

    async definition(code: string, lang: Locale) {
      const s = await serviceOf(code);
      if (!s) throw notFound(`No service ${code}`, { code: 'unknown_service', field: 'service_code', params: { value: code.slice(0, 100) } });
      return { service_code: s.category.code, attributes: attributesOf(s.category, lang) };
    },

    /** Registers the request at once (no token wait): its id, notice and token. */
    async create(input: PostRequestInput, apiKeyId: number, lang: Locale) {
      const s = await serviceOf(input.service_code);
      if (!s) throw badRequest(`No service ${input.service_code}`, { code: 'unknown_service', field: 'service_code', params: { value: input.service_code.slice(0, 100) } });
      const category = s.category;

      let point: { lon: number; lat: number } | undefined;
      if (input.lat !== undefined || input.long !== undefined) {
        const lat = Number(input.lat), lon = Number(input.long);
        if (input.lat === undefined || input.long === undefined || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
          throw badRequest('lat and long must both be decimal degrees (lat −90…90, long −180…180)', { code: 'invalid_location', field: input.lat === undefined ? 'lat' : 'long' });
        }
        point = { lon, lat };
      }
      let buildingId: number | undefined;
      if (input.address_id !== undefined) {
        const id = /^\d{1,9}$/.test(input.address_id) ? Number(input.address_id) : 0;
        const found = id > 0 && await d.geocode.building(id).then(() => true, () => false);
        if (!found) throw badRequest(`No address ${input.address_id}`, { code: 'address_not_found', field: 'address_id', params: { value: input.address_id.slice(0, 20) } });
        buildingId = id;
      } else if (input.address_string !== undefined) {
        const [hit] = await d.geocode.search(input.address_string, 1);
        if (!hit) throw badRequest(`Address "${input.address_string}" not found`, { code: 'address_not_found', field: 'address_string', params: { value: input.address_string.slice(0, 100) } });
        buildingId = hit.buildingId;
      }
      if (!point && buildingId === undefined) {
        throw badRequest('A location is required: lat and long, address_string or address_id', { code: 'needs_location', field: 'lat' });
      }

      const attrs = attributesOf(category, lang).map((a) => a.code);
      let apartment: string | undefined;
      let infraObjectId: number | undefined;
      if (attrs.includes('apartment') && input.attributes.apartment) {
        apartment = input.attributes.apartment;
        if (apartment.length > 20) throw badRequest('attribute[apartment] is longer than 20 characters', { code: 'too_long', field: 'attribute[apartment]', params: { max: 20 } });
      }
      if (attrs.includes('object_id') && input.attributes.object_id) {
        const raw = input.attributes.object_id;
        const id = /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
        if (!id || !(await repo.objectOfKind(id, category.infraKind!))) {
          throw badRequest(`Object ${raw} is not a ${category.infraKind}`, { code: 'wrong_object', field: 'attribute[object_id]', params: { value: raw.slice(0, 20) } });
        }
        infraObjectId = id;
      }

      // The appeal needs a few words: the service's name says them when the client sent none.
      let text = input.description ?? category.name;
      if (text.length < APPEAL_TEXT.min) text = `${category.name}: ${text}`;
      const name = [input.first_name, input.last_name].filter(Boolean).join(' ') || null;
      const token = randomUUID();
      const appeal = await d.appeals.registerPublic({
        channel: 'open311', categoryId: category.id, text, point, buildingId, infraObjectId, apartment, phone: input.phone,
        contact: { name, email: input.email ?? null },
      }, token);
      await repo.saveRequest({ appealId: appeal.id, apiKeyId, mediaUrl: input.media_url ?? null, deviceId: input.device_id ?? null, accountId: input.account_id ?? null });
      const executor = await catalogue.executor(appeal.executorId);
      return [{
        service_request_id: String(appeal.id),
        token,
        service_notice: translate(lang, 'open311.notice', {
          number: appeal.number, executor: (lang === 'en' ? executor.nameEn : null) ?? executor.name, due: minuteFormat.format(new Date(appeal.dueAt)),
        }),
        account_id: input.account_id ?? null,
      }];
    },

    async token(token: string) {
      const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(token) ? await repo.byToken(token.toLowerCase()) : null;
      if (!id) throw notFound(`No token ${token.slice(0, 60)}`);
      return [{ service_request_id: String(id), token: token.toLowerCase() }];
    },

    async requests(q: RequestsInput, lang: Locale) {
      const pageSize = q.page_size ?? MAX_REQUESTS;
      const offset = ((q.page ?? 1) - 1) * pageSize;
      const to = q.end_date ?? clock.now();
      const from = q.start_date ?? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
      if (from.getTime() > to.getTime()) throw badRequest('start_date is after end_date', { code: 'invalid_date', field: 'start_date' });
      const statuses = q.status ? new Set(q.status) : null;
      const rows = await repo.requests({
        ids: q.service_request_id ?? null, codes: q.service_code ?? null,
        open: statuses && statuses.size === 1 ? statuses.has('open') : null,
        from, to, limit: pageSize, offset,
      });
      return rows.map((r) => request(r, lang));
    },

    async request(idText: string, lang: Locale) {
      const id = /^\d{1,15}$/.test(idText) ? Number(idText) : 0;
      const r = id ? await repo.request(id) : null;
      if (!r) throw notFound(`No service request ${idText.slice(0, 40)}`);
      return [request(r, lang)];
    },

    async updates(q: UpdatesInput, lang: Locale) {
      const pageSize = q.page_size ?? MAX_REQUESTS;
      const to = q.end_date ?? clock.now();
      const from = q.start_date ?? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
      if (from.getTime() > to.getTime()) throw badRequest('start_date is after end_date', { code: 'invalid_date', field: 'start_date' });
      const rows = await repo.updates(from, to, pageSize, ((q.page ?? 1) - 1) * pageSize);
      return rows.map((u) => update(u, lang));
    },
  };
}
export type Open311Service = ReturnType<typeof open311Service>;
