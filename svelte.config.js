import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build' }),
    // Pages' Content-Security-Policy: SvelteKit adds a nonce for its own inline scripts on every
    // rendered page. MapLibre runs its workers from blob: URLs and decodes images from data:/blob:;
    // Svelte renders style attributes, hence 'unsafe-inline' for styles only. A TILE_URL on another
    // origin is added to connect-src at run time (src/hooks.server.ts).
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'font-src': ['self'],
        // deck.gl fetches its icon atlases from data: URLs.
        'connect-src': ['self', 'data:', 'blob:'],
        'worker-src': ['self', 'blob:'],
        'child-src': ['self', 'blob:'],
        'media-src': ['self', 'blob:'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
    alias: {
      // The vocabulary the server and the UI share (vocabulary/README.md); the UI reaches nothing else of the server.
      $vocabulary: 'vocabulary',
    },
  },
};
