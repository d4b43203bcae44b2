/**
 * Turning caller inputs into the model's `[N, 3, S, S]` float32 tensor.
 *
 * Resize/crop policy for decoded pixels of any size (core's helpers, shared with the trainer and eval):
 * take the **centred square** of side min(width, height) (offsets floor((w − side)/2),
 * floor((h − side)/2)), then resample it to S × S with **bilinear interpolation, half-pixel centres**
 * (src = (dst + 0.5)·side/S − 0.5, clamped; the PIL/OpenCV convention), rounded to 8 bits. An S × S
 * image is used as is. Gray is replicated to 3 channels, alpha is dropped. Then x' = (x − mean[c])·scale[c]
 * in the model's channel order. Bilinear without prefiltering aliases on large downscales (side > 2S):
 * resize such images beforehand with an area filter.
 * Faces should be aligned as in training (the original feeds centre 96×96 crops of 110×110 alignments:
 * crop those yourself, e.g. `centerCrop(pixels, 96)`, before calling the recognizer).
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import { centerCropSquare, cropPixels, preprocess, resizeBilinearPixels } from '@interpret-fr/core';
import type { ImageBatch, Pixels } from '@interpret-fr/core';
import type { PreprocessInfo } from './model-info.ts';

/** Wrong image size, channel count or buffer length; says which image and what was expected. */
export class InputError extends InterpretFrError {
  constructor(message: string) {
    super(message, { code: 'input' });
    this.name = 'InputError';
  }
}

/** Anything the recognizer accepts: decoded images, or an already-preprocessed batch. */
export type RecognizerInput = readonly Pixels[] | ImageBatch;

/** True for an {@link ImageBatch} (as opposed to a list of {@link Pixels}). */
export function isImageBatch(x: RecognizerInput): x is ImageBatch {
  return !Array.isArray(x) && (x as ImageBatch).data instanceof Float32Array;
}

/** Number of images in an input. */
export function inputCount(x: RecognizerInput): number {
  return isImageBatch(x) ? x.n : (x as readonly Pixels[]).length;
}

/** Checks a Pixels record; `index` names it in the error. */
export function checkPixels(p: Pixels, index: number): void {
  if (!p || !(p.data instanceof Uint8Array || p.data instanceof Uint8ClampedArray)) {
    throw new InputError(`image ${index}: data must be a Uint8Array or Uint8ClampedArray of 8-bit pixels`);
  }
  if (p.channels !== 1 && p.channels !== 3 && p.channels !== 4) throw new InputError(`image ${index}: channels must be 1 (gray), 3 (RGB) or 4 (RGBA), got ${String(p.channels)}`);
  if (!Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width < 1 || p.height < 1) {
    throw new InputError(`image ${index}: width and height must be positive integers, got ${p.width}×${p.height}`);
  }
  const want = p.width * p.height * p.channels;
  if (p.data.length !== want) throw new InputError(`image ${index}: ${p.width}×${p.height}×${p.channels} needs ${want} bytes, data has ${p.data.length}`);
}

/** Centred crop of side `size` (or smaller when the image is smaller), e.g. the 96×96 centre of a 110×110 alignment. */
export function centerCrop(p: Pixels, size: number): Pixels {
  checkPixels(p, 0);
  const w = Math.min(size, p.width);
  const h = Math.min(size, p.height);
  return cropPixels(p, (p.width - w) >> 1, (p.height - h) >> 1, w, h);
}

/** True when `pre` is the original's x/127.5 − 1 on RGB, which core's {@link preprocess} computes bit-exactly as the trainer does. */
function isOriginal(pre: PreprocessInfo): boolean {
  return pre.channelOrder === 'RGB' && pre.mean.every((m) => m === 127.5) && pre.scale.every((s) => s === 1 / 127.5);
}

/**
 * Writes one image into `out` at `offset` as `[3, S, S]`: core's `centerCropSquare` and
 * `resizeBilinearPixels` (half-pixel, rounded to 8 bits) when the image is not S × S, then core's
 * `preprocess` for the original's normalisation (the trainer's exact floats) or a per-channel
 * `(x − mean)·scale` in the model's channel order otherwise.
 */
export function pixelsToChw(p: Pixels, pre: PreprocessInfo, out: Float32Array, offset: number): void {
  const S = pre.size;
  let img = p;
  if (img.width !== img.height) img = centerCropSquare(img);
  if (img.width !== S) img = resizeBilinearPixels(img, S, S, { coordinate: 'half_pixel' });
  if (isOriginal(pre)) {
    preprocess(img, out, { layout: 'NCHW', size: S, offset });
    return;
  }
  const C = img.channels;
  const d = img.data;
  const plane = S * S;
  const srcCh = C === 1 ? [0, 0, 0] : pre.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let k = 0; k < 3; k++) {
    const sc = srcCh[k]!,
      m = pre.mean[k]!,
      f = pre.scale[k]!;
    const o = offset + k * plane;
    for (let i = 0, si = sc; i < plane; i++, si += C) out[o + i] = (d[si]! - m) * f;
  }
}

/** Checks an ImageBatch against the model size; returns a short description of the mismatch or null. */
export function checkBatch(b: ImageBatch, size: number): void {
  if (b.channels !== 3) throw new InputError(`ImageBatch has ${b.channels} channels, the model expects 3`);
  if (b.height !== size || b.width !== size)
    throw new InputError(`ImageBatch images are ${b.height}×${b.width}, the model expects ${size}×${size} (preprocess pixels with the recognizer, or resize first)`);
  if (b.layout !== 'NCHW' && b.layout !== 'NHWC') throw new InputError(`ImageBatch layout must be 'NCHW' or 'NHWC', got ${String(b.layout)}`);
  const want = b.n * 3 * size * size;
  if (b.data.length !== want) throw new InputError(`ImageBatch of ${b.n} images needs ${want} floats, data has ${b.data.length}`);
}

/** NHWC → NCHW for images [from, from+count) into `out` (the one copy an NHWC batch costs). */
export function nhwcToNchw(b: ImageBatch, from: number, count: number, out: Float32Array): void {
  const hw = b.height * b.width;
  for (let i = 0; i < count; i++) {
    const src = (from + i) * hw * 3;
    const dst = i * hw * 3;
    for (let p = 0; p < hw; p++) {
      out[dst + p] = b.data[src + 3 * p]!;
      out[dst + hw + p] = b.data[src + 3 * p + 1]!;
      out[dst + 2 * hw + p] = b.data[src + 3 * p + 2]!;
    }
  }
}
