// A real SMTP server in the test process (smtp-server) that keeps what it receives, can refuse
// recipients for a while (a mail server down or busy), and a small MIME reader for what arrived:
// headers (RFC 2047 words), multipart parts, quoted-printable and base64 bodies.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface Received { from: string; to: string[]; raw: string }

export async function startSmtp() {
  const inbox: Received[] = [];
  let refusing = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(_addr, _s, cb) {
      if (refusing > 0) { refusing--; return cb(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 450 })); }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({ from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    inbox,
    /** The next `n` recipients are refused with 450, as a mail server that is down for a while. */
    refuse(n: number) { refusing = n; },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function decodeWords(s: string) {
  return s.replace(/\s*=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')));
}
function qp(s: string) {
  const bytes: number[] = [];
  const t = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=' && /^[0-9A-F]{2}$/i.test(t.slice(i + 1, i + 3))) { bytes.push(parseInt(t.slice(i + 1, i + 3), 16)); i += 2; }
    else bytes.push(...Buffer.from(t[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
function parsePart(raw: string): { headers: Record<string, string>; body: string; parts: ReturnType<typeof parsePart>[] } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const rest = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  const ct = headers['content-type'] ?? 'text/plain';
  const boundary = ct.match(/boundary="?([^";]+)"?/)?.[1];
  if (boundary) {
    const parts = rest.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--')).map((p) => parsePart(p.replace(/^\r?\n/, '')));
    return { headers, body: '', parts };
  }
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  const body = cte === 'base64' ? Buffer.from(rest.replace(/\s/g, ''), 'base64').toString('utf8') : cte === 'quoted-printable' ? qp(rest) : rest;
  return { headers, body, parts: [] };
}
export function parseMail(m: Received) {
  const p = parsePart(m.raw);
  const all = (x: typeof p): typeof p[] => [x, ...x.parts.flatMap(all)];
  const text = all(p).find((x) => /text\/plain/.test(x.headers['content-type'] ?? ''))?.body ?? '';
  const html = all(p).find((x) => /text\/html/.test(x.headers['content-type'] ?? ''))?.body ?? '';
  return { subject: p.headers.subject, to: p.headers.to, headers: p.headers, text, html };
}
