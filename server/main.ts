// Production entry point: one process serving the API, tiles, telephony and the UI.
import { join } from 'node:path';
import { config, root } from './config.ts';
import { openDatabase } from './db/provision.ts';
import { createServices } from './services.ts';
import { createApp } from './app.ts';
import { loadSvelteKit, svelteKitMiddleware } from './http/sveltekit.ts';
import { seedIfEmpty } from '../gis-data/seed-if-empty.ts';

const log = (m: string) => console.log(`[misto] ${m}`);

const db = await openDatabase(log);
await seedIfEmpty(db, config.seedPreset, log);
const services = createServices(db, config);
// SvelteKit's server-side fetches of API paths come back to this process (src/hooks.server.ts).
process.env.MISTO_INTERNAL_ORIGIN ??= `http://127.0.0.1:${config.port}`;
const handler = await loadSvelteKit(join(root, 'build'));
if (!handler) log('No UI build found (run `npm run build`): serving the API only');
const app = createApp(services, { ui: handler && svelteKitMiddleware(handler), log });

const server = app.listen(config.port, config.host, () => log(`Listening on http://localhost:${config.port}`));
const stop = () => {
  log('Stopping');
  server.close();
  void db.$pool.end().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
