/**
 * Image decoding with sharp: any format sharp reads → `size × size` RGB uint8 (alpha dropped, grey
 * expanded), plus the original dimensions so landmarks can be scaled along.
 *
 * @module
 */
import sharp from 'sharp';
import type { SourceImage } from './types.ts';

/** Decodes encoded image bytes and resizes them (bilinear, aspect not kept) to `size × size` RGB. */
export async function decodeImage(bytes: Uint8Array, size: number): Promise<SourceImage> {
  const img = sharp(bytes, { failOn: 'error' });
  const meta = await img.metadata();
  if (!meta.width || !meta.height) throw new Error('no image dimensions');
  let pipe = img.removeAlpha().toColourspace('srgb');
  if (meta.width !== size || meta.height !== size) pipe = pipe.resize(size, size, { fit: 'fill', kernel: 'linear' });
  const { data, info } = await pipe.raw().toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size) throw new Error(`decoded to ${info.width}×${info.height}, expected ${size}×${size}`);
  let pixels: Uint8Array;
  if (info.channels === 3) pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  else {
    pixels = new Uint8Array(size * size * 3);
    for (let p = 0; p < size * size; p++) for (let k = 0; k < 3; k++) pixels[3 * p + k] = data[p * info.channels + Math.min(k, info.channels - 1)]!;
  }
  return { pixels, width: meta.width, height: meta.height };
}
