import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build' }),
    alias: {
      // Pure modules shared by the API and the UI (roles, the map layer registry).
      $server: 'server',
      $tiles: 'tiles',
    },
  },
};
