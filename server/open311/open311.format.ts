// How GeoReport v2 writes its answers: XML (required by the specification) or JSON, chosen by the
// resource's extension; W3C date-times with the city's offset; lists in XML as a plural element
// holding singular ones (<services><service>…), in JSON as arrays.
import { XMLBuilder } from 'fast-xml-parser';
import { CITY_TIME_ZONE } from '../../vocabulary/calendar.ts';

export const FORMATS = { xml: 'text/xml; charset=utf-8', json: 'application/json; charset=utf-8' } as const;
export type Format = keyof typeof FORMATS;

/** The element each list's items are written as in XML. */
const ITEM: Record<string, string> = {
  services: 'service', endpoints: 'endpoint', formats: 'format', attributes: 'attribute', values: 'value',
  service_requests: 'request', errors: 'error', service_requests_updates: 'request_update',
};

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: CITY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  hourCycle: 'h23', timeZoneName: 'longOffset',
});

/** "2026-12-02T14:05:09+02:00": the instant on the Kyiv clock, with its offset (summer time included). */
export function w3c(at: Date): string {
  const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, x.value]));
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName.replace('GMT', '');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}

/** XML text for a value: lists become their items' elements, null an empty element. */
function toXml(name: string, v: unknown): unknown {
  if (Array.isArray(v)) {
    const item = ITEM[name] ?? 'item';
    return v.length ? { [item]: v.map((x) => toXml(item, x)) } : '';
  }
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toXml(k, x)]));
  // Characters XML 1.0 cannot carry at all (a pasted control character would break the document).
  return String(v).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false, format: false });

/**
 * The body of a response: `root` is the XML root element (`discovery`, `services`…); a list root
 * (`services`) holds its items in XML and is the array itself in JSON.
 */
export function render(format: Format, root: string, data: unknown): string {
  if (format === 'json') return JSON.stringify(data);
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [root]: toXml(root, data) });
}
