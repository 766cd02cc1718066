// The whole product (API + built SvelteKit UI) on an ephemeral port, over a given database.
// `npm test` builds the UI first (scripts/test.sh).
import { join } from 'node:path';
import { root } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { createServices, type Config } from '../../server/services.ts';
import { createApp } from '../../server/app.ts';
import { loadSvelteKit, svelteKitMiddleware } from '../../server/http/sveltekit.ts';
import { serve } from './http.ts';
import { config as baseConfig } from '../../server/config.ts';

export async function startProduct(db: Db, overrides: Partial<Config> = {}) {
  const handler = await loadSvelteKit(join(root, 'build'));
  if (!handler) throw new Error('No UI build: run `npx vite build` (npm test does it)');
  const services = createServices(db, { ...baseConfig, ...overrides });
  const srv = await serve(createApp(services, { ui: svelteKitMiddleware(handler) }));
  process.env.MISTO_INTERNAL_ORIGIN = srv.url;
  return { ...srv, services };
}
