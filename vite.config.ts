import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// In development the Koa API runs beside Vite (server/dev.ts) and Vite proxies to it.
const api = `http://127.0.0.1:${process.env.API_PORT ?? 3001}`;

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: { '/api': api, '/maps': api, '/capabilities': api, '/fonts': api, '/sprites': api },
  },
});
