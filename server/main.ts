// Production entry point: one process serving the API, tiles, telephony and the UI.
// SIGTERM (systemd, a deploy) and SIGINT drain it: no new connections, event streams told to
// reconnect elsewhere, in-flight requests finished within SHUTDOWN_TIMEOUT_MS, workers and pools
// stopped, exit 0.
import { join } from 'node:path';
import { config, root } from './config.ts';
import { boot } from './boot.ts';
import { createApp } from './app.ts';
import { lifecycle } from './http/lifecycle.ts';
import { loadSvelteKit, svelteKitMiddleware } from './http/sveltekit.ts';
import { logTo } from './observe/log.ts';

const log = logTo('misto');

// A refusal to start (no database, a migration that changed, a tile source without its triggers)
// is one line in the journal and exit 1, not a stack trace: systemd retries, the admin reads why.
const running = await boot(log).catch((e: Error) => {
  log(`Not started: ${e.message}`);
  process.exit(1);
});
// SvelteKit's server-side fetches of API paths come back to this process (src/hooks.server.ts).
const selfHost = ['', '0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
process.env.MISTO_INTERNAL_ORIGIN ||= `http://${selfHost}:${config.port}`;
const handler = await loadSvelteKit(join(root, 'build'));
if (!handler) log('No UI build found (run `npm run build`): serving the API only');
const life = lifecycle({ trustRequestId: config.trustProxy });
const app = createApp(running.services, { ui: handler && svelteKitMiddleware(handler), lifecycle: life });

const server = app.listen(config.port, config.host, () => log(`Listening on http://localhost:${config.port}`));
// A client that sends its request slower than this is cut off; responses (SSE) may last longer.
server.requestTimeout = config.http.requestTimeoutMs;
server.headersTimeout = Math.min(config.http.requestTimeoutMs, 60_000);
server.keepAliveTimeout = config.http.keepAliveTimeoutMs;

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: draining (${life.inflight} request(s) in flight, at most ${config.http.shutdownTimeoutMs} ms)`);
  const { unfinished } = await life.drain(server, config.http.shutdownTimeoutMs);
  if (unfinished) log(`${unfinished} request(s) did not finish in time and were cut off`);
  await running.stop();
  log('Stopped');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
