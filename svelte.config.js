import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build' }),
    alias: {
      // The vocabulary the server and the UI share (vocabulary/README.md); the UI reaches nothing else of the server.
      $vocabulary: 'vocabulary',
    },
  },
};
