// Prometheus metrics (prom-client), one registry per product instance: request latency by route,
// tile cache hits/misses/bytes, AMI connection state and reconnects, calls in progress and ended by outcome, the mail outbox, scheduled job
// runs, the database pool. Values that other modules already count (the tile cache, the pool) are
// read when Prometheus scrapes, so the hot paths gain no work.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CALL_OUTCOMES } from '../../vocabulary/telephony.ts';

export interface MetricSources {
  tiles?: () => { hits: number; misses: number; bytes: number; entries: number; evictions: number };
  pool?: () => { total: number; idle: number; waiting: number; max: number };
  ami?: () => { connected: boolean; reconnects: number; activeCalls: number; endedByOutcome: Partial<Record<string, number>> };
  outbox?: () => { pending: number | null };
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'misto_' });
  const sources: MetricSources = {};

  const httpDuration = new Histogram({
    name: 'misto_http_request_duration_seconds', help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'], registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 15],
  });
  const mailSent = new Counter({ name: 'misto_mail_sent_total', help: 'Mails delivered', registers: [registry] });
  const mailFailed = new Counter({ name: 'misto_mail_failed_total', help: 'Mail delivery attempts that failed', registers: [registry] });
  const jobRuns = new Counter({ name: 'misto_job_runs_total', help: 'Scheduled job runs', labelNames: ['job', 'outcome'], registers: [registry] });
  const jobDuration = new Histogram({
    name: 'misto_job_duration_seconds', help: 'Scheduled job run time', labelNames: ['job'], registers: [registry],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  });

  // Read at scrape time from the modules that keep them.
  const gauge = (name: string, help: string, read: () => number | null | undefined) =>
    new Gauge({ name, help, registers: [registry], collect() { const v = read(); if (v !== null && v !== undefined) this.set(v); } });
  const counterFrom = (name: string, help: string, read: () => number | undefined) =>
    new Counter({ name, help, registers: [registry], collect() { const v = read(); if (v !== undefined) { this.reset(); this.inc(v); } } });
  counterFrom('misto_tile_cache_hits_total', 'Tile cache hits', () => sources.tiles?.().hits);
  counterFrom('misto_tile_cache_misses_total', 'Tile cache misses', () => sources.tiles?.().misses);
  counterFrom('misto_tile_cache_evictions_total', 'Tiles evicted to stay within the cache size', () => sources.tiles?.().evictions);
  gauge('misto_tile_cache_bytes', 'Bytes held by the tile cache', () => sources.tiles?.().bytes);
  gauge('misto_tile_cache_entries', 'Tiles held by the tile cache', () => sources.tiles?.().entries);
  gauge('misto_db_pool_connections', 'Open connections of the database pool', () => sources.pool?.().total);
  gauge('misto_db_pool_idle', 'Idle connections of the database pool', () => sources.pool?.().idle);
  gauge('misto_db_pool_waiting', 'Requests waiting for a database connection', () => sources.pool?.().waiting);
  gauge('misto_db_pool_max', 'Size limit of the database pool', () => sources.pool?.().max);
  gauge('misto_ami_connected', '1 while the PBX (AMI) connection is up', () => { const a = sources.ami?.(); return a ? Number(a.connected) : undefined; });
  counterFrom('misto_ami_reconnects_total', 'AMI reconnections after a lost connection', () => sources.ami?.().reconnects);
  gauge('misto_calls_active', 'Calls in progress seen on the PBX link', () => sources.ami?.().activeCalls);
  new Counter({
    name: 'misto_calls_ended_total', help: 'Calls ended by outcome, as this process saw them end', labelNames: ['outcome'], registers: [registry],
    collect() {
      const by = sources.ami?.().endedByOutcome;
      if (!by) return;
      this.reset();
      for (const outcome of CALL_OUTCOMES) this.inc({ outcome }, by[outcome] ?? 0);
    },
  });
  gauge('misto_mail_outbox_pending', 'Mails waiting in the outbox', () => sources.outbox?.().pending);

  return {
    registry,
    sources,
    httpDuration,
    mailSent,
    mailFailed,
    /** Times one run of a scheduled job and counts it by outcome. */
    async jobRun<T>(job: string, run: () => Promise<T>): Promise<T> {
      const end = jobDuration.startTimer({ job });
      try {
        const r = await run();
        jobRuns.inc({ job, outcome: 'ok' });
        return r;
      } catch (e) {
        jobRuns.inc({ job, outcome: 'error' });
        throw e;
      } finally {
        end();
      }
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
