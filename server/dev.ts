// `npm run dev`: the Koa API on API_PORT and Vite's dev server (SvelteKit with HMR) on PORT,
// proxying the API's paths (vite.config.ts).
import { config } from './config.ts';
import { boot } from './boot.ts';
import { createApp } from './app.ts';
import { logTo } from './observe/log.ts';

const log = logTo('misto');
const apiPort = Number(process.env.API_PORT ??= String(config.port + 1));

const running = await boot(log);
const api = createApp(running.services).listen(apiPort, '127.0.0.1', () => log(`API on http://127.0.0.1:${apiPort}`));

const { createServer } = await import('vite');
const vite = await createServer({ server: { port: config.port, host: config.host } });
await vite.listen();
vite.printUrls();

const stop = async () => {
  await vite.close();
  api.close();
  await running.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
