// Minimal types for autocannon (it ships none; @types/autocannon lags its API). Only what the
// bench scripts read; extend as needed.
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    pipelining?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    [option: string]: unknown;
  }
  interface Histogram {
    average: number; mean: number; stddev: number; min: number; max: number;
    p50: number; p90: number; p97_5: number; p99: number;
    [percentile: string]: number;
  }
  interface Result {
    latency: Histogram;
    requests: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats?: Record<string, { count: number }>;
    [field: string]: unknown;
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
