/**
 * Core's one image-decoding contract as eval uses it (issue 11.5, 11.12): the pixel limit is checked
 * on the header before decoding, corrupt data is refused naming the file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError, readImageHeader } from '@interpret-fr/core';
import { decodeImageFile } from '../src/io/images.ts';

const dir = mkdtempSync(join(tmpdir(), 'eval-images-'));

/** A PNG that declares w × h in its IHDR (valid signature and chunk type; the data is not needed to refuse it). */
function pngHeader(w: number, h: number): Uint8Array {
  const b = Buffer.alloc(64);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b[24] = 8;
  b[25] = 2;
  return new Uint8Array(b);
}

describe('image decoding contract (eval)', () => {
  it('readImageHeader reads PNG, JPEG, WebP, GIF dimensions from the first bytes', async () => {
    const img = sharp({ create: { width: 37, height: 23, channels: 3, background: '#336699' } });
    for (const fmt of ['png', 'jpeg', 'webp', 'gif'] as const) {
      const bytes = new Uint8Array(await img.clone().toFormat(fmt).toBuffer());
      expect(readImageHeader(bytes), fmt).toEqual({ format: fmt, width: 37, height: 23 });
    }
    expect(readImageHeader(new TextEncoder().encode('P5\n# c\n3 2\n255\n......'))).toEqual({ format: 'pgm', width: 3, height: 2 });
    expect(readImageHeader(new Uint8Array([1, 2, 3]))).toBeNull();
  });

  it('a 12000×12000 PNG is refused before decoding (main: 432 MB decoded)', async () => {
    const p = join(dir, 'huge.png');
    writeFileSync(p, pngHeader(12000, 12000));
    const t = performance.now();
    await expect(decodeImageFile(p)).rejects.toThrow(ImageDecodeError);
    await expect(decodeImageFile(p)).rejects.toThrow(`${p}: 12000×12000 (144.0 MP) exceeds the limit of 40000000 pixels`);
    expect(performance.now() - t).toBeLessThan(1000);
    // The limit is configurable.
    await expect(decodeImageFile(p, { maxPixels: 200e6 })).rejects.toThrow(/not a readable image/);
  });

  it('a truncated JPEG is refused naming the file; the intact one decodes', async () => {
    const jpg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    writeFileSync(join(dir, 'ok.jpg'), jpg);
    writeFileSync(join(dir, 'cut.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.6)));
    const ok = await decodeImageFile(join(dir, 'ok.jpg'));
    expect([ok.width, ok.height, ok.channels]).toEqual([64, 64, 3]);
    await expect(decodeImageFile(join(dir, 'cut.jpg'))).rejects.toThrow(new RegExp(`^${join(dir, 'cut.jpg').replace(/[.]/g, '\\.')}: not a readable image`));
    await expect(decodeImageFile(join(dir, 'missing.jpg'))).rejects.toThrow(/missing\.jpg: cannot read \(ENOENT\)/);
    writeFileSync(join(dir, 'empty.png'), new Uint8Array(0));
    await expect(decodeImageFile(join(dir, 'empty.png'))).rejects.toThrow(/empty\.png: empty file/);
  });
});
