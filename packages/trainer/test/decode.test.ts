/** The trainer decodes through core's contract: it refuses what eval refuses (issue 11.5, 11.12). */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError } from '@interpret-fr/core';
import { decodeImage } from '../src/data/decode.ts';

describe('trainer image decoding', () => {
  it('a truncated JPEG is refused naming the file (main: decoded with grey fill and trained on)', async () => {
    const jpg = new Uint8Array(
      await sharp({ create: { width: 110, height: 110, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer(),
    );
    const ok = await decodeImage(jpg, 96, 'a/ok.jpg');
    expect([ok.width, ok.height, ok.pixels.length]).toEqual([110, 110, 96 * 96 * 3]);
    await expect(decodeImage(jpg.subarray(0, Math.floor(jpg.length * 0.6)), 96, 'a/cut.jpg')).rejects.toThrow(ImageDecodeError);
    await expect(decodeImage(jpg.subarray(0, Math.floor(jpg.length * 0.6)), 96, 'a/cut.jpg')).rejects.toThrow(/^a\/cut\.jpg: not a readable image/);
  });

  it('the pixel limit applies before decoding', async () => {
    const png = new Uint8Array(
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
    );
    await expect(decodeImage(png, 96, 'big.png', 50_000)).rejects.toThrow('big.png: 300×200 (0.1 MP) exceeds the limit of 50000 pixels');
    const gray = new Uint8Array(
      await sharp({ create: { width: 50, height: 40, channels: 3, background: '#505050' } })
        .toColourspace('b-w')
        .png()
        .toBuffer(),
    );
    const g = await decodeImage(gray, 32, 'gray.png');
    expect(g.pixels.length).toBe(32 * 32 * 3);
    expect(g.pixels[0]).toBe(g.pixels[1]);
  });
});
