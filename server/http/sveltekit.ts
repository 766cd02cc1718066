// Mounts SvelteKit's adapter-node handler (Connect-style) as the last Koa middleware,
// so the UI and the API are one process.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context, Next } from 'koa';
import type { IncomingMessage, ServerResponse } from 'node:http';

type ConnectHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export async function loadSvelteKit(buildDir: string): Promise<ConnectHandler | undefined> {
  const file = join(buildDir, 'handler.js');
  if (!existsSync(file)) return undefined;
  return (await import(pathToFileURL(file).href)).handler as ConnectHandler;
}

export function svelteKitMiddleware(handler: ConnectHandler) {
  return (ctx: Context, next: Next) =>
    new Promise<void>((resolve, reject) => {
      ctx.respond = false; // SvelteKit writes the response itself
      ctx.res.once('close', resolve);
      ctx.res.once('finish', resolve);
      handler(ctx.req, ctx.res, () => {
        ctx.respond = true;
        next().then(resolve, reject);
      });
    });
}
