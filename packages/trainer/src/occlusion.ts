/**
 * Synthetic occlusion (method.md §4.1): one rectangle per mini-batch, placed in the 110×110 template
 * frame, warped into every face through its 76-point landmark mesh (68 landmarks + 8 border anchors,
 * piecewise-affine over the template triangles), moved into the crop frame (minus the crop offset,
 * then scaled when the network input is not 96), rasterised as a filled polygon (core's one convention:
 * the pixels whose centres it encloses) and blacked out (−1 in every channel, i.e. black after
 * x/127.5 − 1). The rectangle is the original's PIL `rectangle([x, y, x + w, y + h])`, which draws both
 * corner pixels: the (w + 1) × (h + 1) pixel squares from (x, y) ({@link occlusionPolygon}), so an
 * unwarped 32 × 12 draw blacks out 33 × 13 pixels, as in the original.
 *
 * Every face of a batch therefore loses the same *semantic* region, which is what makes the
 * batch-level FAD mask (§4.4) meaningful. Faces without landmarks use the template itself (right for
 * pre-aligned data). Options: the original's quirky position draw or plain uniform ranges, random
 * window sizes (16..31, commented out in the original), and an RGBA occluder image pasted over the
 * polygon's bounding box instead of black.
 *
 * The geometry (rectangle, frame shift, mesh warp, rasterisation and its pixel convention) is core's
 * `face-frame.ts`, shared with eval's occlusion study. Pure TypeScript on NHWC `Float32Array`s; no tfjs.
 *
 * @module
 */
import { TEMPLATE_110, pixelSquares, rasterisePolygon, rectCorners, toCropFrame, warpPoints, withAnchors } from '@interpret-fr/core';
import type { Rect, Rng } from '@interpret-fr/core';

/** An RGBA occluder image (row-major, 4 bytes per pixel). */
export interface OccluderImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Occlusion options (defaults = the original). */
export interface OcclusionOptions {
  /**
   * `'original'`: x uniform in {10..68}, y in {10..88}, then 10→11, 68→67, 88→87 (doubled mass at the
   * ends, §4.1). `'uniform'`: x uniform in {11..67}, y in {11..87}.
   */
  positions?: 'original' | 'uniform';
  /** `'fixed'`: 32×12 (the original). `'random'`: w and h each uniform in {16..31}. */
  size?: 'fixed' | 'random';
  /** Pasted (alpha-blended, resized nearest) over the polygon's bounding box instead of blacking it out. */
  occluder?: OccluderImage | null;
}

/** Where one face of a batch sits: landmarks in the source frame and the crop that produced the input. */
export interface FaceFrame {
  /** 68 landmarks, x,y interleaved (136 numbers) in the source (110) frame; null = use the template. */
  landmarks: Float32Array | null;
  /** Crop offset (columns, rows) in the source frame. */
  offsetX: number;
  offsetY: number;
  /** Network input side / crop side (1 for 96-from-110; 0.5 for the 48×48 tiny preset). */
  scale: number;
}

/**
 * Draws the batch's rectangle in the template frame.
 *
 * @example const rect = drawOcclusionRect(rng); // e.g. { x: 37, y: 52, w: 32, h: 12 }
 */
export function drawOcclusionRect(rng: Rng, opts: OcclusionOptions = {}): Rect {
  const random = (opts.size ?? 'fixed') === 'random';
  const w = random ? 16 + rng.int(16) : 32;
  const h = random ? 16 + rng.int(16) : 12;
  let x: number;
  let y: number;
  if ((opts.positions ?? 'original') === 'original') {
    x = 10 + rng.int(59);
    y = 10 + rng.int(79);
    if (x === 10) x = 11;
    if (x === 68) x = 67;
    if (y === 10) y = 11;
    if (y === 88) y = 87;
  } else {
    x = 11 + rng.int(57);
    y = 11 + rng.int(77);
  }
  return { x, y, w, h };
}

/**
 * Maps template-frame points into a face through the triangle mesh: each point is located in a
 * template triangle (barycentric α, β, γ) and sent to α·p₁ + β·p₂ + γ·p₃ over the same three vertices
 * of the face's 76 points. The first containing triangle wins (the original appended duplicates on
 * shared edges and kept the first four points, §4.1 caveat). Points outside the mesh, and every point
 * when `landmarks` is null, are returned unchanged.
 *
 * @param points x,y interleaved, template (110) frame.
 * @param landmarks 136 numbers (68 landmarks) in the same frame, or null.
 */
export function warpToFace(points: Float32Array, landmarks: Float32Array | null, frameSize = 110): Float32Array {
  if (!landmarks) return Float32Array.from(points);
  if (landmarks.length !== 136) throw new RangeError(`warpToFace: expected 136 landmark numbers (68 points), got ${landmarks.length}`);
  const tmpl = frameSize === 110 ? TEMPLATE_110 : TEMPLATE_110.map((v) => (v * frameSize) / 110);
  return warpPoints(tmpl, withAnchors(landmarks, frameSize), points);
}

/**
 * The polygon (input frame) a rectangle becomes in one face: the outline of the pixel squares PIL's
 * `rectangle([x, y, x + w, y + h])` fills (x..x+w × y..y+h, both ends included: core `pixelSquares`
 * (x, y, w + 1, h + 1)) in the template frame, warped into the face, moved into the crop frame.
 */
export function occlusionPolygon(rect: Rect, face: FaceFrame, frameSize = 110): Float32Array {
  const pil = pixelSquares(rect.x, rect.y, rect.w + 1, rect.h + 1);
  return toCropFrame(warpToFace(rectCorners(pil), face.landmarks, frameSize), face.offsetX, face.offsetY, face.scale);
}

/**
 * Occludes a batch in place: `images` is NHWC `[n, size, size, channels]` in [−1, 1]; `faces[b]`
 * gives face b's landmarks and crop. Returns the number of pixels changed per image.
 *
 * @example
 * const xOcc = Float32Array.from(x);
 * occludeBatch(xOcc, 64, 96, 3, faces, drawOcclusionRect(rng));
 */
export function occludeBatch(
  images: Float32Array,
  n: number,
  size: number,
  channels: number,
  faces: readonly FaceFrame[],
  rect: Rect,
  opts: OcclusionOptions = {},
  frameSize = 110,
): Int32Array {
  if (images.length !== n * size * size * channels) throw new RangeError(`occludeBatch: images has ${images.length} values, expected ${n}×${size}×${size}×${channels}`);
  if (faces.length !== n) throw new RangeError(`occludeBatch: ${faces.length} face frames for ${n} images`);
  const counts = new Int32Array(n);
  const mask = new Uint8Array(size * size);
  const plane = size * size * channels;
  for (let b = 0; b < n; b++) {
    mask.fill(0);
    const poly = occlusionPolygon(rect, faces[b]!, frameSize);
    const box = rasterisePolygon(poly, size, size, mask);
    if (box.x1 < box.x0) continue;
    const base = b * plane;
    const occ = opts.occluder;
    if (occ) {
      const bw = box.x1 - box.x0 + 1;
      const bh = box.y1 - box.y0 + 1;
      for (let r = box.y0; r <= box.y1; r++) {
        const sr = Math.min(occ.height - 1, Math.floor(((r - box.y0 + 0.5) * occ.height) / bh));
        for (let c = box.x0; c <= box.x1; c++) {
          const sc = Math.min(occ.width - 1, Math.floor(((c - box.x0 + 0.5) * occ.width) / bw));
          const s = 4 * (sr * occ.width + sc);
          const a = occ.data[s + 3]! / 255;
          if (a === 0) continue;
          const p = base + (r * size + c) * channels;
          for (let k = 0; k < channels; k++) images[p + k] = a * (occ.data[s + Math.min(k, 2)]! / 127.5 - 1) + (1 - a) * images[p + k]!;
          counts[b]!++;
        }
      }
      continue;
    }
    for (let r = box.y0; r <= box.y1; r++) {
      for (let c = box.x0; c <= box.x1; c++) {
        if (!mask[r * size + c]) continue;
        const p = base + (r * size + c) * channels;
        for (let k = 0; k < channels; k++) images[p + k] = -1;
        counts[b]!++;
      }
    }
  }
  return counts;
}
