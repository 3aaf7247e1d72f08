// Mailpit-style thumbnails (message/thumbnail.ts): the size rules and the decompression-bomb budget.
import { Jimp, JimpMime, intToRGBA } from 'jimp';
import { describe, expect, it } from 'vitest';
import { MAX_THUMB_SOURCE_PIXELS, declaredSize, thumbnail } from '../../../src-main/message/thumbnail.js';

async function decoded(jpeg: Buffer) {
  const image = await Jimp.fromBuffer(jpeg);
  return { image, at: (x: number, y: number) => intToRGBA(image.getPixelColor(x, y)) };
}

describe('thumbnail', () => {
  it('leaves a small image its size, centred on white', async () => {
    const small = await new Jimp({ width: 40, height: 20, color: 0x00ff00ff }).getBuffer(JimpMime.png);
    const { image, at } = await decoded(await thumbnail('image/png', small));
    expect([image.width, image.height]).toEqual([180, 120]);
    expect(at(90, 60).g).toBeGreaterThan(200);
    expect(at(90, 60).r).toBeLessThan(60);
    expect(at(60, 60).r).toBeGreaterThan(200); // 40 px wide from x=70: x=60 is white
  });

  it('reads the declared size of PNG, GIF and BMP headers', async () => {
    const png = await new Jimp({ width: 33, height: 7, color: 0xffffffff }).getBuffer(JimpMime.png);
    expect(declaredSize(png)).toEqual({ width: 33, height: 7 });
    const gif = Buffer.from('GIF89a\x21\x00\x07\x00', 'latin1');
    expect(declaredSize(gif)).toEqual({ width: 33, height: 7 });
    expect(declaredSize(Buffer.from('not an image'))).toBeNull();
  });

  it('answers blank for an image that declares more pixels than the budget, without decoding it', async () => {
    const png = await new Jimp({ width: 8, height: 8, color: 0x000000ff }).getBuffer(JimpMime.png);
    const side = Math.ceil(Math.sqrt(MAX_THUMB_SOURCE_PIXELS)) + 1;
    png.writeUInt32BE(side, 16);
    png.writeUInt32BE(side, 20);
    const { at } = await decoded(await thumbnail('image/png', png));
    expect(at(90, 60).r).toBeGreaterThan(240);
  });
});
