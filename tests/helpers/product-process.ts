// The product as a real process (`node server/main.ts`), for tests of what happens to it from the
// outside: signals, kill -9, its database going away. Output is kept for the test to read.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../../server/config.ts';

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface ProductProcess {
  url: string;
  child: ChildProcess;
  output: string[];
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the product on `port` over `databaseUrl`, waits until it listens. */
export async function startProductProcess(databaseUrl: string, port: number, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ProductProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'misto-proc-'));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', SEED_PRESET: 'none',
      AMI_HOST: 'none', DATA_DIR: dataDir, MISTO_INTERNAL_ORIGIN: '', LOG_LEVEL: 'info', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  let gone: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exited.then((e) => { gone = e; });
  // Ready when it answers its health check (whatever the log level says).
  const until = performance.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`the product exited (${JSON.stringify(gone)}) before it answered:\n${output.join('')}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (performance.now() > until) throw new Error(`the product did not start:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${port}`, child, output, exited };
}
