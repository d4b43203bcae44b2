/**
 * Image decoding for training: core's one decoding contract (`decodeImageBytes`: pixel limit checked
 * on the header, corrupt data refused the same way eval refuses it, errors naming the file) with
 * `sharp`, resized (bilinear, aspect not kept) to `size × size` RGB in the same pass (alpha dropped,
 * grey expanded), plus the original dimensions so landmarks can be scaled along.
 *
 * @module
 */
import sharp from 'sharp';
import { decodeImageBytes, DEFAULT_MAX_PIXELS, type SharpLike } from '@interpret-fr/core';
import type { SourceImage } from './types.ts';

/** Decodes encoded image bytes and resizes them to `size × size` RGB; `file` names the image in errors. */
export async function decodeImage(bytes: Uint8Array, size: number, file = '<image>', maxPixels = DEFAULT_MAX_PIXELS): Promise<SourceImage> {
  const d = await decodeImageBytes(bytes, sharp as unknown as SharpLike, { file, maxPixels, dropAlpha: true, resize: { width: size, height: size } });
  const { pixels: px } = d;
  if (px.width !== size || px.height !== size) throw new Error(`${file}: decoded to ${px.width}×${px.height}, expected ${size}×${size}`);
  let pixels: Uint8Array;
  if (px.channels === 3) pixels = px.data as Uint8Array;
  else {
    pixels = new Uint8Array(size * size * 3);
    const c = px.channels;
    for (let p = 0; p < size * size; p++) for (let k = 0; k < 3; k++) pixels[3 * p + k] = px.data[p * c + Math.min(k, c - 1)]!;
  }
  return { pixels, width: d.width, height: d.height };
}
