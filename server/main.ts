// Production entry point: one process serving the API, tiles, telephony and the UI.
import { join } from 'node:path';
import { config, root } from './config.ts';
import { boot } from './boot.ts';
import { createApp } from './app.ts';
import { loadSvelteKit, svelteKitMiddleware } from './http/sveltekit.ts';

const log = (m: string) => console.log(`[misto] ${m}`);

const running = await boot(log);
// SvelteKit's server-side fetches of API paths come back to this process (src/hooks.server.ts).
process.env.MISTO_INTERNAL_ORIGIN ??= `http://127.0.0.1:${config.port}`;
const handler = await loadSvelteKit(join(root, 'build'));
if (!handler) log('No UI build found (run `npm run build`): serving the API only');
const app = createApp(running.services, { ui: handler && svelteKitMiddleware(handler), log });

const server = app.listen(config.port, config.host, () => log(`Listening on http://localhost:${config.port}`));
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  log('Stopping');
  server.close();
  server.closeAllConnections();
  void running.stop().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
