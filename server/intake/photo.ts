// A resident's photo: its type told by its first bytes (never by its name or the browser's word),
// decoded and re-encoded with sharp — turned upright by its EXIF orientation, then written with no
// metadata at all, so the camera's GPS position, device and time do not travel with the appeal.
import sharp from 'sharp';
import { AppError, badRequest } from '../http/errors.ts';

export type PhotoMime = 'image/jpeg' | 'image/png' | 'image/webp';
export interface Photo { data: Buffer; mime: PhotoMime; ext: 'jpg' | 'png' | 'webp'; width: number; height: number }

/** The longest side kept: enough to see a pothole, small enough for the executor's phone. */
export const PHOTO_MAX_SIDE = 2560;
/** Refused before decoding: a tiny file that claims a huge canvas (a decompression bomb). */
const MAX_PIXELS = 60_000_000;

/** What the first bytes say the file is; HEIC is recognised only to be refused by name. */
export function sniff(head: Buffer): PhotoMime | 'image/heic' | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(head.toString('latin1', 8, 12))) return 'image/heic';
  return null;
}

export const photoTooLarge = (max: number) =>
  new AppError(413, 'photo_too_large', `The photo is larger than ${max} bytes`, undefined, 'photo', { max, mb: Math.round(max / 1048576) });

const wrongType = () => badRequest('The photo must be a JPEG, PNG or WebP image', { code: 'photo_type', field: 'photo' });

/** Checks and re-encodes; PNG stays PNG (screenshots, diagrams), the rest become JPEG or WebP as they came. */
export async function processPhoto(raw: Buffer): Promise<Photo> {
  const kind = sniff(raw);
  if (kind === 'image/heic') throw badRequest('HEIC photos are not accepted: send a JPEG (phones convert when uploading)', { code: 'photo_heic', field: 'photo' });
  if (!kind) throw wrongType();
  let img: sharp.Sharp;
  try {
    img = sharp(raw, { limitInputPixels: MAX_PIXELS, failOn: 'error' });
    const meta = await img.metadata();
    if (!meta.width || !meta.height) throw wrongType();
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw badRequest('The photo cannot be read as an image', { code: 'photo_unreadable', field: 'photo' });
  }
  // rotate() with no angle applies the EXIF orientation; sharp writes no metadata unless asked (withMetadata).
  const upright = img.rotate().resize({ width: PHOTO_MAX_SIDE, height: PHOTO_MAX_SIDE, fit: 'inside', withoutEnlargement: true });
  const encoded = kind === 'image/png' ? upright.png({ compressionLevel: 8 })
    : kind === 'image/webp' ? upright.webp({ quality: 85 })
    : upright.jpeg({ quality: 85, mozjpeg: true });
  try {
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { data, mime: kind, ext: kind === 'image/png' ? 'png' : kind === 'image/webp' ? 'webp' : 'jpg', width: info.width, height: info.height };
  } catch {
    throw badRequest('The photo cannot be read as an image', { code: 'photo_unreadable', field: 'photo' });
  }
}
