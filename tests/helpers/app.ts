// The product for tests: its services over a test database with the clock at TEST_NOW, and the whole
// product (API + built SvelteKit UI) on an ephemeral port. `npm test` builds the UI first.
import { join } from 'node:path';
import { root, config as baseConfig, type Config } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import type { Clock } from '../../server/clock.ts';
import { createServices } from '../../server/services.ts';
import { createApp, type AppOptions } from '../../server/app.ts';
import { loadSvelteKit, svelteKitMiddleware } from '../../server/http/sveltekit.ts';
import { serve } from './http.ts';
import { testClock } from './clock.ts';
import { onCloseAll } from './db.ts';

/** The services over `db`: the configuration with `overrides`, a clock standing at TEST_NOW. */
export function testServices(db: Db, overrides: Partial<Config> = {}, clock: Clock = testClock()) {
  const services = createServices(db, { ...baseConfig, ...overrides }, { clock });
  onCloseAll(() => services.close());
  return services;
}

/** The API alone (no UI) on an ephemeral port. */
export async function startApi(db: Db, overrides: Partial<Config> = {}, opts: AppOptions & { clock?: Clock } = {}) {
  const services = testServices(db, overrides, opts.clock);
  const srv = await serve(createApp(services, opts));
  return { ...srv, services };
}

export async function startProduct(db: Db, overrides: Partial<Config> = {}, clock: Clock = testClock()) {
  const handler = await loadSvelteKit(join(root, 'build'));
  if (!handler) throw new Error('No UI build: run `npx vite build` (npm test does it)');
  const services = testServices(db, overrides, clock);
  const srv = await serve(createApp(services, { ui: svelteKitMiddleware(handler) }));
  process.env.MISTO_INTERNAL_ORIGIN = srv.url;
  return { ...srv, services };
}

/** Demo mode: no AMI_HOST, so telephony runs the PBX simulator in-process on a free port. */
export const DEMO_PBX: Partial<Config> = { ami: { ...baseConfig.ami, host: '', simPort: 0 } };

/**
 * The whole product with telephony started — on the in-process simulator by default, or on the PBX
 * `overrides.ami` names; `close()` stops telephony, then the server.
 */
export async function startProductWithTelephony(db: Db, overrides: Partial<Config> = DEMO_PBX, clock: Clock = testClock()) {
  const app = await startProduct(db, overrides, clock);
  await app.services.telephony.start({ log: () => {} });
  return {
    ...app,
    async close() {
      await app.services.telephony.stop();
      await app.close();
    },
  };
}
