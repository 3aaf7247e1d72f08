// The small pieces baselines rest on: the key read from the template header (folded, encoded, any case, only in
// the header block), and the pixel diff of renders of different heights (the part only one covers is changed).
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { keyFromHeader } from '../../../src-main/diff/baselines/baselines.js';
import { diffPngs } from '../../../src-main/diff/render/pixel-diff.js';

describe('keyFromHeader', () => {
  const header = 'X-Mailwright-Template';
  it('reads the value in any case, unfolded and decoded', () => {
    expect(keyFromHeader(Buffer.from('Subject: s\r\nx-mailwright-template:  welcome \r\n\r\nbody'), header)).toBe(
      'welcome',
    );
    expect(keyFromHeader(Buffer.from('X-Mailwright-Template: order\r\n  -confirmation\r\n\r\n'), header)).toBe(
      'order  -confirmation',
    );
    expect(keyFromHeader(Buffer.from('X-Mailwright-Template: =?UTF-8?Q?B=C3=A9b=C3=A9?=\r\n\r\n'), header)).toBe(
      'Bébé',
    );
  });
  it('finds nothing in the body, in an empty value, or without the header', () => {
    expect(keyFromHeader(Buffer.from('Subject: s\r\n\r\nX-Mailwright-Template: body\r\n'), header)).toBeNull();
    expect(keyFromHeader(Buffer.from('X-Mailwright-Template:   \r\n\r\n'), header)).toBeNull();
    expect(keyFromHeader(Buffer.from('no header block at all'), header)).toBeNull();
  });
});

function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const image = new PNG({ width, height });
  for (let i = 0; i < image.data.length; i += 4) image.data.set([...rgb, 255], i);
  return PNG.sync.write(image);
}

describe('diffPngs', () => {
  it('is zero for equal images and counts the part only the taller one covers', () => {
    expect(diffPngs(png(10, 10, [255, 255, 255]), png(10, 10, [255, 255, 255]))).toMatchObject({
      changedPixels: 0,
      ratio: 0,
    });
    const taller = diffPngs(png(10, 10, [255, 255, 255]), png(10, 15, [255, 255, 255]));
    expect(taller).toMatchObject({ width: 10, height: 15, changedPixels: 50 });
    expect(taller.ratio).toBeCloseTo(50 / 150);
    expect(PNG.sync.read(taller.png).height).toBe(15);
  });
  it('counts a one-step colour change of every pixel', () => {
    expect(diffPngs(png(4, 4, [0x25, 0x63, 0xeb]), png(4, 4, [0x1d, 0x4e, 0xd8])).changedPixels).toBe(16);
  });
});
