// Serves a Koa app on an ephemeral loopback port for real HTTP requests.
import type Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { config as baseConfig } from '../../server/config.ts';

/**
 * Serves `app` on an ephemeral port. The product's public URL (the origin state changes must come
 * from, the base of tile URLs) becomes the served URL unless the test configured one.
 */
export async function serve(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const cfg = (app as Koa & { config?: { publicUrl: string } }).config;
  if (cfg && cfg.publicUrl === baseConfig.publicUrl) cfg.publicUrl = url;
  return {
    url,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** fetch with a cookie jar of one session cookie. */
export function client(base: string) {
  let cookie = '';
  const call = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    if (init.body && typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const res = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      if (pair.startsWith('misto_session=')) cookie = pair.endsWith('=') ? '' : pair;
    }
    return res;
  };
  return {
    fetch: call,
    get: (path: string) => call(path),
    post: (path: string, body: unknown) => call(path, { method: 'POST', body: JSON.stringify(body) }),
    signIn: (login: string, password: string) => call('/api/auth/login', { method: 'POST', body: JSON.stringify({ login, password }) }),
    get cookie() { return cookie; },
  };
}
