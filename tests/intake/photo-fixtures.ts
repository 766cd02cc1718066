// Photos for the intake tests, made with sharp: a camera's JPEG with GPS EXIF and an orientation,
// and a reader that says whether a file still carries a GPS block.
import sharp from 'sharp';

/** A 64 × 48 JPEG that says "rotate 90°" (orientation 6) and where it was taken (Ivano-Frankivsk). */
export const cameraJpeg = (width = 64, height = 48) => sharp({ create: { width, height, channels: 3, background: '#c02020' } })
  .withExif({ IFD0: { Make: 'TestCam', Model: 'Phone 1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 55/1 20/1', GPSLongitudeRef: 'E', GPSLongitude: '24/1 42/1 36/1' } })
  .withMetadata({ orientation: 6 })
  .jpeg().toBuffer();

/** Whether the EXIF block's first directory points at a GPS directory (tag 0x8825). */
export function hasGps(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  const start = exif.indexOf('Exif\0\0', 0, 'latin1');
  const tiff = exif.subarray(start >= 0 ? start + 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd0 = u32(4);
  for (let i = 0; i < u16(ifd0); i++) if (u16(ifd0 + 2 + 12 * i) === 0x8825) return true;
  return false;
}
