// multipart/form-data with at most one file, read into memory with busboy under hard limits: the
// file's size (a larger one is a 413 for the photo), the number and size of the other fields.
import busboy from 'busboy';
import type { Context } from 'koa';
import { AppError, badRequest } from '../http/errors.ts';
import { checkValue } from '../http/body.ts';
import { photoTooLarge } from './photo.ts';

/** Room for the form's other fields and the multipart framing besides the photo. */
const BODY_SLACK = 256 * 1024;

export interface Multipart { fields: Record<string, string>; file: Buffer | null }

export function readMultipart(ctx: Context, opts: { fileField: string; maxFileBytes: number; maxFieldBytes?: number }): Promise<Multipart> {
  if (!ctx.is('multipart/form-data')) {
    return Promise.reject(new AppError(415, 'unsupported_media_type', 'The report must be sent as multipart/form-data'));
  }
  // A body that says it is far larger than a photo and the form is refused before it is read.
  const declared = Number(ctx.req.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxFileBytes + BODY_SLACK) {
    ctx.set('Connection', 'close');
    return Promise.reject(photoTooLarge(opts.maxFileBytes));
  }
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: ctx.req.headers, limits: { files: 1, fields: 30, fileSize: opts.maxFileBytes + 1, fieldSize: opts.maxFieldBytes ?? 20_000, parts: 32 } });
    } catch {
      reject(badRequest('Malformed multipart body', { code: 'invalid' }));
      return;
    }
    const fields: Record<string, string> = {};
    let file: Buffer | null = null;
    let failure: AppError | null = null;
    const fail = (e: AppError) => { failure ??= e; };
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(badRequest(`"${name}" is too long`, { code: 'too_long', field: name }));
      fields[name] = value;
    });
    bb.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(photoTooLarge(opts.maxFileBytes)));
      stream.on('close', () => {
        if (name !== opts.fileField) return;
        const data = Buffer.concat(chunks);
        // busboy stops at the limit we gave it, one byte past the largest allowed.
        if (data.length > opts.maxFileBytes) fail(photoTooLarge(opts.maxFileBytes));
        else if (data.length) file = data;
      });
    });
    bb.on('filesLimit', () => fail(badRequest('Only one photo may be attached', { code: 'too_many_files', field: opts.fileField })));
    bb.on('fieldsLimit', () => fail(badRequest('Too many fields', { code: 'invalid' })));
    bb.on('error', () => reject(badRequest('Malformed multipart body', { code: 'invalid' })));
    bb.on('close', () => {
      if (failure) return reject(failure);
      try { checkValue(fields); } catch (e) { return reject(e); }
      resolve({ fields, file });
    });
    ctx.req.pipe(bb);
  });
}
