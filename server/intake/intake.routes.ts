// The web intake over HTTP. Public: what the form offers (catalogue, limits), duplicate suggestions, the submission
// (multipart, with one photo) and the private tracking link. Staff: an appeal's photos, for the
// roles that may read the appeal.
import Router from '@koa/router';
import { requireRole } from '../auth/guard.ts';
import { body, parse, pathId, query } from '../http/input.ts';
import { NearbyQuery, ReportFields, ResidentWord, TrackToken } from './intake.input.ts';
import { readMultipart } from './multipart.ts';
import type { IntakeService } from './intake.service.ts';

export function intakeRoutes(intake: IntakeService) {
  const router = new Router();
  const token = (ctx: { params: Record<string, string> }) => parse(TrackToken, ctx.params).token;

  router.get('/report/form', async (ctx) => { ctx.body = await intake.form(); });

  router.get('/report/nearby', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await intake.nearby(query(ctx, NearbyQuery));
  });

  // 201 for the appeal sent now, 200 for a retry of the same request id (a double submit).
  router.post('/report', async (ctx) => {
    const form = await readMultipart(ctx, { fileField: 'photo', maxFileBytes: intake.settings.photoMaxBytes });
    const result = await intake.submit(parse(ReportFields, form.fields), form.file, ctx.ip);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = result.replayed ? 200 : 201;
    ctx.body = result;
  });

  router.get('/report/track/:token', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await intake.track(token(ctx));
  });

  router.post('/report/track/:token/confirmation', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await intake.confirm(token(ctx), await body(ctx, ResidentWord));
  });

  const readers = requireRole('operator', 'admin', 'executor');
  router.get('/appeals/:id/photos', readers, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await intake.photos(pathId(ctx), ctx.state.user!);
  });
  router.get('/appeals/:id/photos/:photoId', readers, async (ctx) => {
    const p = await intake.photo(pathId(ctx), pathId(ctx, 'photoId'), ctx.state.user!);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('Content-Disposition', 'inline');
    ctx.type = p.mime;
    ctx.body = p.data;
  });
  return router;
}
