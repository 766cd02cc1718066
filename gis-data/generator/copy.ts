// Streams rows into PostgreSQL with COPY … FROM STDIN (text format), with backpressure, in
// ~1 MB chunks. Rows are written as already-formatted lines: the hot loops build strings only.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import pgCopy from 'pg-copy-streams';
import type { ClientBase } from 'pg';

export type Value = string | number | boolean | null | undefined;

const NEEDS_ESCAPE = /[\\\t\n\r]/;
/** One field in COPY text format. */
export function field(v: Value): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return NEEDS_ESCAPE.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : v;
}
export const line = (values: Value[]) => values.map(field).join('\t') + '\n';

export class CopyWriter {
  private stream: Writable;
  private chunk: string[] = [];
  private size = 0;
  private done: Promise<void>;
  rows = 0;

  constructor(client: ClientBase, table: string, columns: string[], freeze = false) {
    const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN${freeze ? ' WITH (FREEZE)' : ''}`;
    this.stream = client.query(pgCopy.from(sql)) as unknown as Writable;
    this.done = new Promise((resolve, reject) => {
      this.stream.on('finish', () => resolve());
      this.stream.on('error', reject);
    });
    this.done.catch(() => {}); // surfaced by write()/end()
  }

  /** Adds one formatted line (see `line`); awaits only when the chunk is flushed and the socket is full. */
  async write(text: string): Promise<void> {
    if (this.push(text)) await this.flush();
  }

  /** Synchronous add for hot loops: true when the caller should `await flush()`. */
  push(text: string): boolean {
    this.chunk.push(text); this.size += text.length; this.rows++;
    return this.size >= 1 << 20;
  }

  async row(values: Value[]) { return this.write(line(values)); }

  async flush() {
    if (!this.chunk.length) return;
    const data = Buffer.from(this.chunk.join(''), 'utf8');
    this.chunk = []; this.size = 0;
    if (!this.stream.write(data)) await Promise.race([once(this.stream, 'drain'), this.done]);
  }

  async end(): Promise<number> {
    await this.flush();
    this.stream.end();
    await this.done;
    return this.rows;
  }
}
