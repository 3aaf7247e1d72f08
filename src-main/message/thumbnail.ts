// A small JPEG thumbnail of an image attachment, made the way Mailpit makes its /thumb (server/apiv1/thumbnails.go):
// 180x120, JPEG quality 70, on white (so transparent PNG and GIF do not turn black). An image smaller than the box
// in either direction is scaled down to fit inside it (never up) and centred; a larger one is scaled to cover the
// box and cropped about its centre. Anything that is not a decodable image gets a blank white box, as in Mailpit.
// Pure JS (jimp), so it runs wherever Node does. Must not import electron or the store.
import type * as JimpModule from 'jimp';

/** jimp and its codecs load with the first thumbnail asked for (most runs never ask). */
let jimp: Promise<typeof JimpModule> | undefined;
const loadJimp = (): Promise<typeof JimpModule> => (jimp ??= import('jimp'));

export const THUMB_WIDTH = 180;
export const THUMB_HEIGHT = 120;
const JPEG_QUALITY = 70;
/**
 * Decoding is pure JS on the main thread and holds 4 bytes a pixel. 12 megapixels (a phone photo) is ~48 MB and
 * took 1-10 s on the shared 2-core bench machine, during which the process serves nothing else; an image declaring
 * more is shown blank rather than stall longer or risk a decompression bomb. Email images are mostly far smaller.
 */
export const MAX_THUMB_SOURCE_PIXELS = 12_000_000;
/** Bytes of an attachment we try to decode at all; a real photo attachment is a few MB. */
export const MAX_THUMB_SOURCE_BYTES = 32 * 1024 * 1024;

/**
 * Width and height as the file's header declares them, for the formats whose header says so at a fixed place (PNG,
 * GIF, BMP); JPEG's limit is enforced by its decoder (`maxResolutionInMP`). Null when the header does not tell.
 */
export function declaredSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR')
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length >= 10 && bytes.toString('latin1', 0, 3) === 'GIF')
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  if (bytes.length >= 26 && bytes.toString('latin1', 0, 2) === 'BM')
    return { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
  return null;
}

async function blank(): Promise<Buffer> {
  const { Jimp, JimpMime } = await loadJimp();
  const box = new Jimp({ width: THUMB_WIDTH, height: THUMB_HEIGHT, color: 0xffffffff });
  return box.getBuffer(JimpMime.jpeg, { quality: JPEG_QUALITY });
}

/** The thumbnail of one attachment; `contentType` is the part's declared type (only `image/*` is tried). */
export async function thumbnail(contentType: string, bytes: Buffer): Promise<Buffer> {
  const { Jimp, JimpMime } = await loadJimp();
  if (!contentType.toLowerCase().startsWith('image/') || bytes.length > MAX_THUMB_SOURCE_BYTES) return blank();
  const declared = declaredSize(bytes);
  if (declared && declared.width * declared.height > MAX_THUMB_SOURCE_PIXELS) return blank();
  let image;
  try {
    image = await Jimp.fromBuffer(bytes, {
      'image/jpeg': { maxResolutionInMP: MAX_THUMB_SOURCE_PIXELS / 1e6, maxMemoryUsageInMB: 256 },
    });
  } catch {
    return blank(); // not an image after all, or a format jimp cannot read (Mailpit answers blank too)
  }
  if (image.width * image.height > MAX_THUMB_SOURCE_PIXELS) return blank();
  if (image.width < THUMB_WIDTH || image.height < THUMB_HEIGHT) {
    if (image.width > THUMB_WIDTH || image.height > THUMB_HEIGHT) image.scaleToFit({ w: THUMB_WIDTH, h: THUMB_HEIGHT });
  } else {
    image.cover({ w: THUMB_WIDTH, h: THUMB_HEIGHT });
  }
  const box = new Jimp({ width: THUMB_WIDTH, height: THUMB_HEIGHT, color: 0xffffffff });
  box.composite(image, Math.round((THUMB_WIDTH - image.width) / 2), Math.round((THUMB_HEIGHT - image.height) / 2));
  return box.getBuffer(JimpMime.jpeg, { quality: JPEG_QUALITY });
}
