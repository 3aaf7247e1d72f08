// The pixel diff's two forms: the highlighted image (diffPngs) and the count alone for a verdict
// (countChangedPixels, which skips drawing and writing the image and does not decode byte-identical PNGs).
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { countChangedPixels, diffPngs } from '../../../src-main/diff/render/pixel-diff.js';

function png(width: number, height: number, paint: (x: number, y: number) => [number, number, number]): Buffer {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) image.data.set([...paint(x, y), 255], (y * width + x) * 4);
  return PNG.sync.write(image);
}

const white = (): [number, number, number] => [255, 255, 255];

describe('pixel diff', () => {
  it('counts the same changed pixels with and without the diff image', () => {
    const a = png(40, 30, white);
    // A one-pixel-wide blue line at x = 7.
    const b = png(40, 30, (x) => (x === 7 ? [37, 99, 235] : [255, 255, 255]));
    const full = diffPngs(a, b);
    const count = countChangedPixels(a, b);
    expect(full.changedPixels).toBe(30);
    expect(count).toEqual({ width: 40, height: 30, changedPixels: 30, ratio: 30 / 1200 });
    const image = PNG.sync.read(full.png);
    expect([image.width, image.height]).toEqual([40, 30]);
    // The changed column is drawn red in the diff image.
    const at = (x: number, y: number) => [...image.data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 3)];
    expect(at(7, 10)).toEqual([255, 0, 0]);
    expect(at(8, 10)).not.toEqual([255, 0, 0]);
  });

  it('counts the area only one image covers as changed, and equal bytes as equal', () => {
    const short = png(20, 10, white);
    const tall = png(20, 15, white);
    expect(countChangedPixels(short, tall)).toEqual({ width: 20, height: 15, changedPixels: 100, ratio: 100 / 300 });
    expect(countChangedPixels(tall, Buffer.from(tall))).toEqual({ width: 20, height: 15, changedPixels: 0, ratio: 0 });
  });
});
