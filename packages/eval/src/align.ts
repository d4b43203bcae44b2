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
import { similarityTransform, TEMPLATE_110, type Pixels, type Similarity } from '@interpret-fr/core';

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

/** Bilinear warp of `src` through the inverse of `t` (t maps source → output) into size × size. */
export function warpSimilarity(src: Pixels, t: Similarity, size: number): Pixels {
  const c = src.channels;
  const out = new Uint8Array(size * size * c);
  const det = t.a * t.a + t.b * t.b;
  if (!(det > 0)) throw new RangeError('warpSimilarity: degenerate transform');
  const W = src.width;
  const H = src.height;
  const d = src.data;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const du = u - t.tx;
      const dv = v - t.ty;
      const x = (t.a * du + t.b * dv) / det;
      const y = (-t.b * du + t.a * dv) / det;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let q = 0; q < 4; q++) {
          const xx = x0 + (q & 1);
          const yy = y0 + (q >> 1);
          if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
          const w = (q & 1 ? fx : 1 - fx) * (q >> 1 ? fy : 1 - fy);
          acc += w * d[(yy * W + xx) * c + k]!;
        }
        out[(v * size + u) * c + k] = Math.round(acc);
      }
    }
  }
  return { data: out, width: size, height: size, channels: c };
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
