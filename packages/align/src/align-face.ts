/**
 * Template alignment: the least-squares similarity of 68 detected landmarks onto core's frontal
 * template ({@link TEMPLATE_68}, the 110×110 frame the trainer, the recognizer and the occlusion warp
 * use), then a bilinear warp of the photo into that frame (core {@link warpSimilarity}). At `size`
 * other than 110 the template is scaled by `size / 110`, so a 220 crop is the 110 crop at twice the
 * resolution.
 *
 * @module
 */
import {
  FRAME_SIZE,
  NUM_LANDMARKS,
  TEMPLATE_68,
  applySimilarityToPoints,
  checkPixels,
  similarityTransform,
  warpSimilarity,
  type Pixels,
  type Similarity,
} from '@interpret-fr/core';

/** Options of {@link alignFace}. */
export interface AlignOptions {
  /** Side of the aligned square crop (default 110, the training frame). */
  size?: number;
}

/** An aligned face: the crop, the landmarks in the crop frame and the photo → crop transform. */
export interface AlignedFace {
  pixels: Pixels;
  /** 68 points (136 numbers, x,y interleaved) in the crop's pixel frame. */
  landmarks: Float32Array;
  /** Maps photo coordinates to crop coordinates. */
  transform: Similarity;
}

/** The 68-point template for a `size`×`size` frame (core's 110 template scaled by size/110). */
export function templateForSize(size: number = FRAME_SIZE): Float32Array {
  if (size === FRAME_SIZE) return TEMPLATE_68;
  const s = size / FRAME_SIZE;
  // pixel centres: scale about the frame's corner point (−0.5, −0.5) so the frame edges map onto each other
  return TEMPLATE_68.map((v) => (v + 0.5) * s - 0.5);
}

/** The similarity mapping photo landmarks onto the template of a `size` frame (least squares over all 68 points). */
export function templateTransform(landmarks68: ArrayLike<number>, size: number = FRAME_SIZE): Similarity {
  if (landmarks68.length !== 2 * NUM_LANDMARKS) throw new RangeError(`alignFace: expected ${2 * NUM_LANDMARKS} landmark numbers (68 x,y pairs), got ${landmarks68.length}`);
  for (let i = 0; i < landmarks68.length; i++) {
    if (!Number.isFinite(landmarks68[i]!)) throw new RangeError(`alignFace: landmark number ${i} is ${landmarks68[i]}, expected a finite number`);
  }
  return similarityTransform(landmarks68, templateForSize(size));
}

/**
 * Aligns a face: least-squares similarity of its 68 landmarks (photo frame) onto the template,
 * warped into a `size`×`size` crop (default 110). The crop goes straight into the recognizer after
 * the usual centre 96 crop (`centerCrop(aligned.pixels, 96)`), and into `interpret-fr-train` lists.
 *
 * @example
 * const [face] = await detectFaces(photo);
 * const { pixels, landmarks } = alignFace(photo, face.landmarks68, { size: 110 });
 */
export function alignFace(pixels: Pixels, landmarks68: ArrayLike<number>, opts: AlignOptions = {}): AlignedFace {
  checkPixels(pixels, 'alignFace pixels');
  const size = opts.size ?? FRAME_SIZE;
  if (!Number.isInteger(size) || size < 8 || size > 4096) throw new RangeError(`alignFace: size must be an integer in [8, 4096], got ${String(size)}`);
  const transform = templateTransform(landmarks68, size);
  return { pixels: warpSimilarity(pixels, transform, size), landmarks: applySimilarityToPoints(transform, landmarks68), transform };
}
