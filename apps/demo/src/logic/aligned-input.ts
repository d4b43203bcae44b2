/**
 * The model's view of an automatically aligned face, and how that crop sits in the photo.
 *
 * The aligned crop is exactly `@interpret-fr/align`'s `createFacePipeline` / eval's `--align detect`
 * input: `alignFace` onto the 110 template frame, then its centre `MODEL_CROP` (96) square. A model
 * whose input side S is not 96 gets that square resized to S × S with the same bilinear resize the
 * manual crop uses (`modelInput`), so for S = 96 the page's input equals the pipeline's byte for byte.
 *
 * @module
 */
import { FRAME_SIZE } from '@interpret-fr/core';
import type { Pixels, Similarity } from '@interpret-fr/core';
import { MODEL_CROP } from '@interpret-fr/align';
import { clampCrop } from './crop.ts';
import type { CropBox } from './crop.ts';
import { modelInput } from './model-input.ts';

/** Offset of the centre `MODEL_CROP` square in the `FRAME_SIZE` template frame (7). */
export const ALIGNED_OFFSET = (FRAME_SIZE - MODEL_CROP) / 2;

/** The crop box of the model window inside a 110 aligned crop: `{ x: 7, y: 7, size: 96 }`. */
export const ALIGNED_WINDOW: CropBox = { x: ALIGNED_OFFSET, y: ALIGNED_OFFSET, size: MODEL_CROP };

/** The centre 96 × 96 of a 110 × 110 aligned crop, resized to `size` × `size` (unchanged when size is 96). */
export function alignedModelInput(aligned: Pixels, size: number): Pixels {
  if (aligned.width !== FRAME_SIZE || aligned.height !== FRAME_SIZE)
    throw new RangeError(`alignedModelInput: expected a ${FRAME_SIZE}×${FRAME_SIZE} aligned crop, got ${aligned.width}×${aligned.height}`);
  return modelInput(aligned, ALIGNED_WINDOW, size);
}

/** Maps a point of the aligned frame back to the photo (inverse of the photo → crop similarity). */
export function frameToPhoto(t: Similarity, u: number, v: number): [number, number] {
  const det = t.a * t.a + t.b * t.b;
  const du = u - t.tx,
    dv = v - t.ty;
  return [(t.a * du + t.b * dv) / det, (-t.b * du + t.a * dv) / det];
}

/**
 * The model window's outline in the photo: the four corners (top-left, top-right, bottom-right,
 * bottom-left; x,y interleaved) of the centre 96 square of the aligned frame, mapped back through
 * the transform (a rotated square when the face is tilted). Pixel edges, not centres.
 */
export function alignedWindowQuad(t: Similarity): Float64Array {
  const a = ALIGNED_OFFSET - 0.5,
    b = ALIGNED_OFFSET + MODEL_CROP - 0.5;
  const out = new Float64Array(8);
  [
    [a, a],
    [b, a],
    [b, b],
    [a, b],
  ].forEach(([u, v], k) => {
    const [x, y] = frameToPhoto(t, u!, v!);
    out[2 * k] = x;
    out[2 * k + 1] = y;
  });
  return out;
}

/**
 * The manual crop box closest to an aligned crop: the axis-aligned square with the model window's
 * centre and side (96 / scale), rounded and clamped into the photo. Where "Adjust by hand" starts.
 */
export function cropBoxFromAlignment(t: Similarity, width: number, height: number): CropBox {
  const scale = Math.hypot(t.a, t.b);
  const c = ALIGNED_OFFSET + (MODEL_CROP - 1) / 2;
  const [cx, cy] = frameToPhoto(t, c, c);
  const size = Math.round(MODEL_CROP / scale);
  return clampCrop({ x: Math.round(cx - (size - 1) / 2), y: Math.round(cy - (size - 1) / 2), size }, width, height);
}
