// Structured JSON logs (pino): one line per event with its level, time, component and the id of the
// request it belongs to. No personal data: request lines carry the route and path, never query
// strings or bodies (they hold phones, names, addresses), and phone numbers that slip into a
// message are masked before the line is written.
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

/** The request a log line belongs to (set by server/http/lifecycle.ts). */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

// +380501234567, 380501234567, 0501234567 (Ukrainian national form), also written with spaces,
// dashes or brackets as people type them (+38 (050) 123-45-67, 050 123 45 67): the first digits and
// the last two stay, for telling calls apart. Uniqueids (1796164887.5), appeal numbers
// (15-80/2026/000123) and other numbers are left alone.
const UA_WRITTEN = /(?<![\d.\/])(?:\+?38[ -]?)?\(?0\d{2}\)?[ -]?\d{3}[ -]?\d{2}[ -]?\d{2}(?![\d.\/])/g;
const INTERNATIONAL = /(?<![\d.])(\+\d{9,14}|380\d{9}|0\d{9})(?![\d.])/g;
function mask(p: string) {
  const digits = p.replace(/\D/g, '').length;
  const head = p.startsWith('+') ? 3 : 4;
  let i = 0;
  return p.replace(/\d/g, (d) => (i++ < head || i > digits - 2 ? d : '•'));
}
export const maskPhones = (s: string) => s.replace(UA_WRITTEN, mask).replace(INTERNATIONAL, mask);

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino({
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const ctx = requestContext.getStore();
      return ctx ? { requestId: ctx.requestId } : {};
    },
    hooks: {
      // Strings only: structured fields are chosen by the code that logs them.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as Parameters<typeof method>);
      },
    },
    // An error is its type, code, message and stack: the driver attaches the query with its values
    // (phones, names) and the row's detail, which stay out.
    serializers: {
      err: (e: Error & { code?: string }) => (e && typeof e === 'object'
        ? { type: e.constructor?.name ?? 'Error', message: maskPhones(String(e.message)), code: e.code, stack: e.stack && maskPhones(e.stack) }
        : e),
    },
    redact: { paths: ['password', '*.password', 'phone', '*.phone', 'email', '*.email', 'fullName', '*.fullName', 'cookie', '*.cookie'], censor: '[redacted]' },
  }, opts.destination);
}

/** The process's logger. */
export const logger = createLogger();

/** A `(message) => void` for code that takes a plain log function, tagged with its component. */
export const logTo = (component: string, level: 'info' | 'warn' | 'error' = 'info', base: Logger = logger) => {
  const child = base.child({ component });
  return (m: string) => child[level](m);
};
