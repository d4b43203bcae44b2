/**
 * Turning caller inputs into the model's `[N, 3, S, S]` float32 tensor: decoded pixels go through
 * core's `preprocess` (the one pixels → model-input function, shared with the trainer's data path) with
 * `fit: 'center-square'`: the **centred square** of side min(width, height) (offsets rounded down),
 * resampled to S × S when its side differs (an area average when the side is a multiple of S, the
 * trainer's 96 → 48; bilinear with half-pixel centres otherwise; floats, no 8-bit rounding), gray
 * replicated, alpha dropped, then the model's normalisation (`x/127.5 − 1` bit-exact with the trainer,
 * or `(x − mean[c])·scale[c]` in the model's channel order). An already preprocessed
 * {@link ImageBatch} is checked and passed through.
 * Faces should be aligned as in training (the original feeds centre 96×96 crops of 110×110 alignments:
 * crop those yourself with core's `centerCrop(pixels, 96)` before calling the recognizer).
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import type { ImageBatch, Pixels } from '@interpret-fr/core';

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
