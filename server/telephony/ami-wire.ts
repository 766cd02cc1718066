// The AMI wire format as Asterisk writes it: "Key: Value" lines joined by CRLF, a block ended by an
// empty line. Headers may repeat (Variable:, Output:), so a parsed block keeps every value in order.
// Used by the PBX simulator (the Asterisk side); the product reads AMI through asterisk-ami-client.

export type Headers = [string, string][];

export function formatBlock(headers: Headers): string {
  return headers.map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\n';
}

export class BlockParser {
  private buf = '';

  /** Feeds raw bytes; returns every complete block. Tolerates bare LF, as Asterisk does. */
  push(chunk: Buffer | string): Headers[] {
    this.buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const out: Headers[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.buf);
      if (!m) break;
      const raw = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      const headers: Headers = [];
      for (const line of raw.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        headers.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
      }
      if (headers.length) out.push(headers);
    }
    return out;
  }
}

/** First value of a header, matched case-insensitively as Asterisk matches them. */
export function header(h: Headers, name: string): string | undefined {
  const n = name.toLowerCase();
  return h.find(([k]) => k.toLowerCase() === n)?.[1];
}

export function headerAll(h: Headers, name: string): string[] {
  const n = name.toLowerCase();
  return h.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}
