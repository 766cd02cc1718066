// The web intake: a resident's own appeal from /report (registered through the appeals service like
// any other, channel `web`), its photo, the duplicates suggested before sending, the mailed private
// link, and the resident's confirmation or dispute through the appeals' one confirmation path.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ITask } from 'pg-promise';
import type { User } from '../../vocabulary/roles.ts';
import type { Clock } from '../clock.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../http/errors.ts';
import { enqueueMail } from '../mail/mail.repo.ts';
import type { AppealsService } from '../appeals/appeals.service.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { IntakeRepo } from './intake.repo.ts';
import type { NearbyInput, ReportInput, ResidentWordInput } from './intake.input.ts';
import { processPhoto, type Photo } from './photo.ts';
import { reportedMail } from './intake.mail.ts';
import { REASON } from '../../vocabulary/appeals.ts';

export interface IntakeSettings {
  /** Read at each mail: a test may set it once its port is known. */
  readonly publicUrl: string;
  photoMaxBytes: number;
  photoDir: string;
  duplicateMetres: number;
  duplicateDays: number;
  trackDays: number;
  perEmail: { max: number; windowS: number };
  perClient: { max: number; windowS: number };
}

const hashOf = (token: string) => createHash('sha256').update(token).digest();

export function intakeService(d: { repo: IntakeRepo; appeals: AppealsService; catalogue: CatalogueService; clock: Clock; settings: IntakeSettings }) {
  const { repo, clock, settings: cfg } = d;

  /** An active category of the catalogue, or 400 unknown_category. */
  async function categoryOf(categoryId: number) {
    const tree = await d.catalogue.tree();
    const c = tree.flatMap((s) => s.categories).find((x) => x.id === categoryId);
    if (!c) throw badRequest(`Category ${categoryId} is not one residents may choose`, { code: 'unknown_category', field: 'categoryId' });
    return c;
  }

  /** Beyond the limits: 429 with the seconds until the oldest counted submission leaves its window. */
  async function countSubmission(t: ITask<unknown>, email: string, client: string, now: Date) {
    const { perEmail, perClient } = cfg;
    const sent = await repo.submissions(t, email, client, new Date(now.getTime() - perEmail.windowS * 1000), new Date(now.getTime() - perClient.windowS * 1000));
    const waits: number[] = [];
    if (sent.byEmail >= perEmail.max) waits.push(sent.oldestEmail!.getTime() + perEmail.windowS * 1000 - now.getTime());
    if (sent.byClient >= perClient.max) waits.push(sent.oldestClient!.getTime() + perClient.windowS * 1000 - now.getTime());
    if (waits.length) {
      const seconds = Math.max(1, Math.ceil(Math.max(...waits) / 1000));
      throw new AppError(429, 'too_many_reports', `Too many appeals from this address or client; try again in ${seconds} s`, undefined, undefined, { seconds, minutes: Math.ceil(seconds / 60) });
    }
    await repo.logSubmission(t, email, client, now);
  }

  /** The photo's file, written whole under a temporary name first so a half-written one is never served. */
  async function savePhoto(p: Photo) {
    await mkdir(cfg.photoDir, { recursive: true, mode: 0o750 });
    const file = `${randomBytes(16).toString('hex')}.${p.ext}`;
    const tmp = join(cfg.photoDir, `.${file}.tmp`);
    await writeFile(tmp, p.data, { mode: 0o640 });
    await rename(tmp, join(cfg.photoDir, file));
    return file;
  }

  async function readable(appealId: number, user: User) {
    const a = await repo.executorOf(appealId);
    if (!a) throw notFound(`Appeal ${appealId} does not exist`);
    if (user.role === 'executor' && a.executorId !== user.executorId) throw forbidden('This appeal belongs to another organisation');
  }

  async function trackedBy(token: string) {
    const a = await repo.tracked(hashOf(token), clock.now());
    if (!a) throw notFound('This link is unknown or has expired', { code: 'track_not_found' });
    return a;
  }

  const service = {
    settings: cfg,

    /** What the form offers: spheres with their active categories, and the photo's size limit. */
    async form() {
      const spheres = (await d.catalogue.tree()).map((s) => ({
        id: s.id, name: s.name, nameEn: s.nameEn,
        categories: s.categories.map((c) => ({ id: c.id, name: c.name, nameEn: c.nameEn, infraKind: c.infraKind })),
      }));
      return { spheres, photoMaxBytes: cfg.photoMaxBytes };
    },

    /** Open appeals like this one close by: number, status, category, age and distance only. */
    async nearby(q: NearbyInput) {
      await categoryOf(q.categoryId);
      const rows = await repo.nearby({ lon: q.lon, lat: q.lat }, q.categoryId, cfg.duplicateMetres, cfg.duplicateDays, clock.now());
      return { metres: cfg.duplicateMetres, days: cfg.duplicateDays, appeals: rows };
    },

    /**
     * Registers the appeal (once per request id), stores its photo, makes its private link and
     * queues the mail. A retry of a submission that registered but did not finish finishes it.
     */
    async submit(input: ReportInput, photoBytes: Buffer | null, client: string) {
      const category = await categoryOf(input.categoryId);
      const photo = photoBytes ? await processPhoto(photoBytes) : null;
      const earlier = await repo.registered(input.requestId);
      if (!earlier) await repo.tx((t) => countSubmission(t, input.email, client, clock.now()));
      const reg = await d.appeals.registerPublic({
        channel: 'web', categoryId: category.id, text: input.text,
        point: input.lon !== undefined && input.lat !== undefined ? { lon: input.lon, lat: input.lat } : undefined,
        infraObjectId: input.infraObjectId, phone: input.phone, contact: { name: input.name, email: input.email },
      }, input.requestId);
      const answer = { number: reg.number, dueAt: reg.dueAt, email: input.email, replayed: !!reg.replayed };
      if (earlier?.tracked) return answer;

      const now = clock.now();
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + cfg.trackDays * 86_400_000);
      const file = photo ? await savePhoto(photo) : null;
      const made = await repo.tx(async (t) => {
        if (!(await repo.addTrack(t, reg.id, hashOf(token), now, expiresAt))) return false;
        if (photo && file) await repo.addPhoto(t, reg.id, { file, mime: photo.mime, bytes: photo.data.length, width: photo.width, height: photo.height }, now);
        const lang = input.lang ?? 'uk';
        await enqueueMail(t, now, [reportedMail(input.email, {
          number: reg.number, category: lang === 'en' ? category.nameEn : category.name, dueAt: new Date(reg.dueAt),
          trackUrl: `${cfg.publicUrl.replace(/\/$/, '')}/report/track/${token}`, expiresAt,
        }, lang)]);
        return true;
      }).catch(async (e) => { if (file) await unlink(join(cfg.photoDir, file)).catch(() => {}); throw e; });
      // Another attempt of the same submission got there first: its link, photo and mail stand.
      if (!made && file) await unlink(join(cfg.photoDir, file)).catch(() => {});
      return { ...answer, replayed: answer.replayed || !made };
    },

    /** What the private link shows: status, deadline, executor, the public history. */
    async track(token: string) {
      const a = await trackedBy(token);
      const history = (await repo.publicHistory(a.id)).map((e) =>
        e.kind === 'created' ? { at: e.at, kind: 'created' as const }
        : e.kind === 'status' ? { at: e.at, kind: 'status' as const, to: String(e.data.to ?? '') }
        : { at: e.at, kind: 'answer' as const, text: String(e.data.text ?? '') });
      return {
        number: a.number, status: a.status, createdAt: a.createdAt, dueAt: a.dueAt, doneAt: a.doneAt, closedAt: a.closedAt,
        category: a.category, categoryEn: a.categoryEn, executor: a.executor, executorEn: a.executorEn,
        text: a.text, answer: a.answer, confirmation: a.confirmation, canConfirm: a.status === 'done', history,
      };
    },

    /** Confirmed closes the appeal; disputed sends it to Control with the resident's comment. Once per "done". */
    async confirm(token: string, word: ResidentWordInput) {
      const a = await trackedBy(token);
      if (!word.confirmed && (!word.comment || word.comment.length < REASON.min)) {
        throw badRequest('Say what is not done', { code: 'needs_comment', field: 'comment', params: { min: REASON.min } });
      }
      const already = () => conflict('The result of this appeal has already been confirmed or disputed', { code: 'already_confirmed' });
      if (a.status !== 'done') {
        if (a.confirmation) throw already();
        throw conflict('The executor has not reported the work done yet', { code: 'not_done_yet', params: { status: a.status } });
      }
      try {
        await d.appeals.confirmation(a.id, { confirmed: word.confirmed }, { resident: true, comment: word.confirmed ? undefined : word.comment });
      } catch (e) {
        // A survey call or a second tab answered in between.
        if (e instanceof AppError && e.code === 'illegal_move') throw already();
        throw e;
      }
      return service.track(token);
    },

    async photos(appealId: number, user: User) {
      await readable(appealId, user);
      return (await repo.photosOf(appealId)).map((p) => ({ id: p.id, mime: p.mime, bytes: p.bytes, width: p.width, height: p.height, url: `/api/appeals/${appealId}/photos/${p.id}` }));
    },

    async photo(appealId: number, photoId: number, user: User) {
      await readable(appealId, user);
      const p = await repo.photo(appealId, photoId);
      if (!p) throw notFound(`Photo ${photoId} of appeal ${appealId} does not exist`);
      return { mime: p.mime, data: await readFile(join(cfg.photoDir, p.file)) };
    },
  };
  return service;
}
export type IntakeService = ReturnType<typeof intakeService>;
