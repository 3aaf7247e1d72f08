// Two screenshots compared pixel by pixel with pixelmatch: the highlighted diff image and the changed-pixel ratio.
// Screenshots of different heights are compared on the larger canvas; the part only one of them covers counts as changed.
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

/**
 * pixelmatch's colour distance (OKLab HyAB, 1 = black vs white) under which two pixels are equal. 0.05 is half its
 * default: a one-step change of a brand colour (#2563eb to #1d4ed8) still counts, JPEG-like noise does not.
 */
export const PIXEL_THRESHOLD = 0.05;

const PAD_COLOUR = [255, 0, 255, 255];

export interface PixelDiff {
  /** The highlighted diff image (PNG): changed pixels red, the rest faded. */
  png: Buffer;
  width: number;
  height: number;
  changedPixels: number;
  /** changedPixels over all pixels of the compared canvas, 0..1. */
  ratio: number;
}

/** The diff image is written for speed, not size: Sub filtering and zlib's middle level (about 4× faster to write
 * than pngjs's default adaptive filtering at level 9, for a third more bytes). */
const DIFF_PNG_OPTIONS = { deflateLevel: 6, filterType: 1 } as const;

export function diffPngs(a: Buffer, b: Buffer): PixelDiff {
  const compared = compare(a, b, true);
  return {
    png: PNG.sync.write(compared.output!, DIFF_PNG_OPTIONS),
    width: compared.width,
    height: compared.height,
    changedPixels: compared.changedPixels,
    ratio: compared.ratio,
  };
}

/**
 * The changed pixels alone, for a verdict (a baseline comparison): no diff image is drawn or written, and two
 * byte-identical PNGs (one renderer, one document) are equal without being decoded.
 */
export function countChangedPixels(a: Buffer, b: Buffer): Omit<PixelDiff, 'png'> {
  if (a.equals(b)) {
    const width = a.length >= 24 ? a.readUInt32BE(16) : 0;
    const height = a.length >= 24 ? a.readUInt32BE(20) : 0;
    return { width, height, changedPixels: 0, ratio: 0 };
  }
  const { width, height, changedPixels, ratio } = compare(a, b, false);
  return { width, height, changedPixels, ratio };
}

function compare(
  a: Buffer,
  b: Buffer,
  draw: boolean,
): { output: PNG | null; width: number; height: number; changedPixels: number; ratio: number } {
  const left = PNG.sync.read(a);
  const right = PNG.sync.read(b);
  const width = Math.max(left.width, right.width);
  const height = Math.max(left.height, right.height);
  const output = draw ? new PNG({ width, height }) : null;
  const changedPixels = pixelmatch(
    pad(left, width, height),
    pad(right, width, height),
    output?.data ?? null,
    width,
    height,
    {
      threshold: PIXEL_THRESHOLD,
      // A 1-px border is exactly what a designer wants to catch; anti-aliasing detection would let some of it pass.
      includeAA: true,
      alpha: 0.2,
    },
  );
  const total = width * height;
  return { output, width, height, changedPixels, ratio: total === 0 ? 0 : changedPixels / total };
}

/**
 * The image on a width×height canvas, the added area opaque magenta: transparent would be blended onto a
 * checkerboard and could match a white page, hiding that one render is taller.
 */
function pad(image: PNG, width: number, height: number): Uint8Array {
  if (image.width === width && image.height === height) return image.data;
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < out.length; i += 4) out.set(PAD_COLOUR, i);
  for (let y = 0; y < image.height; y++) {
    const row = image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4);
    out.set(row, y * width * 4);
  }
  return out;
}
