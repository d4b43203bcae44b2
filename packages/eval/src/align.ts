/**
 * Face alignment for evaluation. Policies (the name goes into every report):
 * - `pass-through`: images are already aligned crops; the embedder's own crop/resize applies.
 * - `ijba-similarity`: IJB-A metadata (RIGHT_EYE, LEFT_EYE, NOSE_BASE; image coordinates) mapped by
 *   a least-squares similarity (core `similarityTransform`) onto the same three points of the frontal
 *   template (core `TEMPLATE_110`, centre 96 crop as the original's 110 → 96, scaled to the model
 *   input size), with a bilinear warp; rows without landmarks fall back to the face box (square
 *   around the box centre, side = 1.2 × the larger box side, resized). Outside the image is black.
 *
 * @module
 */
import { similarityTransform, TEMPLATE_110, warpSimilarity, type Pixels, type Similarity } from '@interpret-fr/core';

/** The similarity warp lives in core (one geometry); re-exported for existing callers. */
export { warpSimilarity };

/** Alignment policy names. */
export type AlignPolicy = 'pass-through' | 'ijba-similarity';

/** Mean of 68-point template landmarks [from, to) in the 110 frame. */
function meanPoint(from: number, to: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = from; i < to; i++) {
    x += TEMPLATE_110[2 * i]!;
    y += TEMPLATE_110[2 * i + 1]!;
  }
  return [x / (to - from), y / (to - from)];
}

/**
 * Template positions of (subject's) right eye, left eye and nose base in a size × size input frame:
 * iBUG-68 points 36–41 (right eye, image left), 42–47 (left eye), 33 (nose base), in the centre
 * 96 crop of the 110 frame (−7), scaled by size / 96.
 */
export function templateEyesNose(size: number): Float32Array {
  const re = meanPoint(36, 42);
  const le = meanPoint(42, 48);
  const nb: [number, number] = [TEMPLATE_110[66]!, TEMPLATE_110[67]!];
  const s = size / 96;
  return Float32Array.from([re, le, nb].flatMap(([x, y]) => [(x - 7) * s, (y - 7) * s]));
}

/** The transform an `ijba-similarity` alignment uses (landmarks when all finite, else the box). */
export function ijbaTransform(bbox: ArrayLike<number>, landmarks: ArrayLike<number>, size: number): { t: Similarity; used: 'landmarks' | 'bbox' } {
  let ok = landmarks.length === 6;
  for (let i = 0; i < landmarks.length; i++) if (!Number.isFinite(landmarks[i]!)) ok = false;
  if (ok) {
    try {
      return { t: similarityTransform(landmarks, templateEyesNose(size)), used: 'landmarks' };
    } catch {
      /* collinear/equal points: fall back to the box */
    }
  }
  const [x, y, w, h] = [bbox[0]!, bbox[1]!, bbox[2]!, bbox[3]!];
  if (![x, y, w, h].every(Number.isFinite) || !(w > 0 && h > 0))
    throw new RangeError(`ijbaTransform: no usable landmarks and face box [${Array.from(bbox).join(', ')}] is not valid`);
  const side = 1.2 * Math.max(w, h);
  const s = size / side;
  const cx = x + w / 2;
  const cy = y + h / 2;
  return { t: { a: s, b: 0, tx: size / 2 - s * cx, ty: size / 2 - s * cy }, used: 'bbox' };
}

/** Aligns one IJB-A image to the model's input frame. */
export function alignIjba(px: Pixels, bbox: ArrayLike<number>, landmarks: ArrayLike<number>, size: number): Pixels {
  return warpSimilarity(px, ijbaTransform(bbox, landmarks, size).t, size);
}
