// What the browser's map needs to know before it can ask for tiles: where the tile server is.
// Empty tileUrl means this same origin; TILE_URL can point at any tegola-compatible server.
import Router from '@koa/router';

export function kartaRoutes(config: { tileUrl: string }) {
  const router = new Router({ prefix: '/map' });
  router.get('/config', (ctx) => {
    ctx.body = { tileUrl: config.tileUrl.replace(/\/+$/, '') };
    ctx.set('Cache-Control', 'public, max-age=300');
  });
  return router;
}
