// GeoReport v2 responses as JSON Schemas, written from the specification's text
// (wiki.open311.org/GeoReport_v2 and the servicerequestupdates extension): one per response. The
// same schema checks the XML answer: `fromXml` walks the parsed document along the schema (lists
// are a plural element of singular ones, named by `xmlItem`; empty elements are null) and the
// result is validated like the JSON one, so both formats must carry the same fields.
import Ajv, { type AnySchema } from 'ajv';
import addFormats from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';

type Schema = {
  type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; xmlItem?: string;
  required?: string[]; additionalProperties?: boolean; [k: string]: unknown;
};

/** W3C date-time with an explicit offset, as the city's clock writes it (never bare UTC "Z"). */
const dateTime: Schema = { type: 'string', format: 'date-time', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d$' };
const nullableDateTime: Schema = { type: ['string', 'null'], anyOf: [{ type: 'null' }, dateTime] };
const str: Schema = { type: 'string' };
const nstr: Schema = { type: ['string', 'null'] };
const obj = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema =>
  ({ type: 'object', properties, required, additionalProperties: false });
const list = (xmlItem: string, items: Schema, minItems = 0): Schema => ({ type: 'array', xmlItem, items, minItems });

export const discovery = obj({
  changeset: dateTime, contact: str, key_service: str,
  endpoints: list('endpoint', obj({
    specification: { type: 'string', format: 'uri' }, url: { type: 'string', format: 'uri' }, changeset: dateTime,
    type: { type: 'string', enum: ['production', 'test'] },
    formats: list('format', { type: 'string', enum: ['text/xml', 'application/json'] }, 1),
  }), 1),
});

export const services = list('service', obj({
  service_code: { type: 'string', minLength: 1 }, service_name: { type: 'string', minLength: 1 }, description: str,
  metadata: { type: 'boolean' }, type: { type: 'string', enum: ['realtime', 'batch', 'blackbox'] }, keywords: nstr, group: nstr,
}, ['service_code', 'service_name', 'metadata', 'type']));

export const serviceDefinition = obj({
  service_code: str,
  attributes: list('attribute', obj({
    variable: { type: 'boolean' }, code: { type: 'string', minLength: 1 },
    datatype: { type: 'string', enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] },
    required: { type: 'boolean' }, datatype_description: nstr, order: { type: 'integer', minimum: 1 }, description: str,
    values: list('value', obj({ key: str, name: str })),
  }, ['variable', 'code', 'datatype', 'required', 'order', 'description'])),
});

/** POST requests: the id (or a token), a notice, the client's account. */
export const created = list('request', obj({
  service_request_id: str, token: str, service_notice: nstr, account_id: nstr,
}, ['service_request_id']), 1);

export const tokens = list('request', obj({ service_request_id: str, token: str }), 1);

export const request = obj({
  service_request_id: { type: 'string', minLength: 1 }, status: { type: 'string', enum: ['open', 'closed'] }, status_notes: nstr,
  service_name: str, service_code: str, description: nstr, agency_responsible: nstr, service_notice: nstr,
  requested_datetime: dateTime, updated_datetime: nullableDateTime, expected_datetime: nullableDateTime,
  address: nstr, address_id: nstr, zipcode: nstr,
  lat: { type: 'number', minimum: -90, maximum: 90 }, long: { type: 'number', minimum: -180, maximum: 180 },
  media_url: { type: ['string', 'null'], anyOf: [{ type: 'null' }, { type: 'string', format: 'uri' }] },
}, ['service_request_id', 'status', 'service_code', 'requested_datetime', 'lat', 'long']);
export const requests = list('request', request);

export const updates = list('request_update', obj({
  update_id: str, service_request_id: str, status: { type: 'string', enum: ['open', 'closed'] },
  updated_datetime: dateTime, description: str, media_url: nstr,
}, ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description']));

export const errors = list('error', obj({ code: { type: 'integer', enum: [400, 403, 404, 429, 413, 415, 503] }, description: { type: 'string', minLength: 1 } }), 1);

/** The XML root element of each response. */
export const ROOT = {
  discovery: 'discovery', services: 'services', serviceDefinition: 'service_definition', created: 'service_requests',
  tokens: 'service_requests', requests: 'service_requests', updates: 'service_requests_updates', errors: 'errors',
} as const;
export const SCHEMAS = { discovery, services, serviceDefinition, created, tokens, requests, updates, errors };
export type SchemaName = keyof typeof SCHEMAS;

const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
ajv.addKeyword({ keyword: 'xmlItem', schemaType: 'string' });
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([k, s]) => [k, ajv.compile(s as AnySchema)]));

/** ajv's complaints about `value` against the named schema ('' when it conforms). */
export function problems(name: SchemaName, value: unknown): string {
  const v = validators[name];
  return v(value) ? '' : ajv.errorsText(v.errors, { separator: '\n' });
}

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: false, ignoreAttributes: false, trimValues: false });

/** The parsed XML document (declaration included). */
export const parseXml = (xml: string) => parser.parse(xml) as Record<string, unknown>;

/** An XML element's content as the schema's JSON value; unknown elements are kept, so the schema flags them. */
export function fromXml(schema: Schema, node: unknown): unknown {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('array')) {
    if (node === '' || node === undefined) return [];
    const items = (node as Record<string, unknown>)[schema.xmlItem!];
    const extra = Object.keys(node as object).filter((k) => k !== schema.xmlItem);
    if (extra.length) return { unexpectedElements: extra };
    return (Array.isArray(items) ? items : [items]).map((x) => fromXml(schema.items!, x));
  }
  if (types.includes('object')) {
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, schema.properties?.[k] ? fromXml(schema.properties[k], v) : v]));
  }
  if (typeof node !== 'string') return node;
  if (node === '' && types.includes('null')) return null;
  if (types.includes('integer') || types.includes('number')) return node.trim() !== '' && Number.isFinite(Number(node)) ? Number(node) : node;
  if (types.includes('boolean')) return node === 'true' ? true : node === 'false' ? false : node;
  return node;
}

/** Checks an XML body: its declaration, its root element, and its content against the schema. */
export function xmlProblems(name: SchemaName, xml: string): { problems: string; value: unknown } {
  const doc = parseXml(xml);
  const root = ROOT[name];
  const decl = doc['?xml'] as Record<string, string> | undefined;
  if (!decl || decl['@_encoding'] !== 'UTF-8') return { problems: 'no <?xml … encoding="UTF-8"?> declaration', value: null };
  const roots = Object.keys(doc).filter((k) => k !== '?xml');
  if (roots.length !== 1 || roots[0] !== root) return { problems: `root element is <${roots.join('>, <')}>, not <${root}>`, value: null };
  const value = fromXml(SCHEMAS[name], doc[root]);
  return { problems: problems(name, value), value };
}
