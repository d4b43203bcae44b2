import { describe, expect, it } from 'vitest';
import { ImageDecodeError } from '@interpret-fr/core';
import { checkImageBlob, decodeImage } from './image-source.ts';

/** The first bytes of a PNG that declares w × h (enough for the header check). */
function pngHeader(w: number, h: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return b;
}

describe('demo image pixel limit (issue 11.12)', () => {
  it('a 12000×12000 PNG is refused from its header, before the browser decodes it (main: decoded in full)', async () => {
    const blob = new Blob([pngHeader(12000, 12000)], { type: 'image/png' });
    // decodeImage must throw before createImageBitmap (which Node does not have): the check runs first.
    await expect(decodeImage(blob, 'huge.png')).rejects.toThrow(ImageDecodeError);
    await expect(decodeImage(blob, 'huge.png')).rejects.toThrow('huge.png: 12000×12000 (144.0 MP) exceeds the limit of 40000000 pixels');
    expect(await checkImageBlob(new Blob([pngHeader(640, 480)]), 'ok.png')).toEqual({ format: 'png', width: 640, height: 480 });
    await expect(checkImageBlob(new Blob([pngHeader(640, 480)]), 'ok.png', 1000)).rejects.toThrow(/exceeds the limit of 1000 pixels/);
  });
});
