/**
 * Synthetic occlusion (method.md §4.1): one rectangle per mini-batch, placed in the 110×110 template
 * frame, warped into every face through its 76-point landmark mesh (68 landmarks + 8 border anchors,
 * piecewise-affine over the template triangles), moved into the crop frame (minus the crop offset,
 * then scaled when the network input is not 96), rasterised as a filled polygon (pixel centres inside,
 * outline included like PIL) and blacked out (−1 in every channel, i.e. black after x/127.5 − 1).
 *
 * Every face of a batch therefore loses the same *semantic* region, which is what makes the
 * batch-level FAD mask (§4.4) meaningful. Faces without landmarks use the template itself (right for
 * pre-aligned data). Options: the original's quirky position draw or plain uniform ranges, random
 * window sizes (16..31, commented out in the original), and an RGBA occluder image pasted over the
 * polygon's bounding box instead of black.
 *
 * Pure TypeScript on NHWC `Float32Array`s; no tfjs.
 *
 * @module
 */
import { TEMPLATE_110, TRIANGLES, locateTriangle, withAnchors } from '@interpret-fr/core';
import type { Rng } from '@interpret-fr/core';

/** A rectangle in the template frame (top-left x, y, width, height; 110×110 frame). */
export interface OcclusionRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

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
export function drawOcclusionRect(rng: Rng, opts: OcclusionOptions = {}): OcclusionRect {
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

/** The rectangle's corners in the original's order: (x,y), (x,y+h), (x+w,y+h), (x+w,y). */
export function rectCorners(r: OcclusionRect): Float32Array {
  return Float32Array.of(r.x, r.y, r.x, r.y + r.h, r.x + r.w, r.y + r.h, r.x + r.w, r.y);
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
  const out = Float32Array.from(points);
  if (!landmarks) return out;
  if (landmarks.length !== 136) throw new RangeError(`warpToFace: expected 136 landmark numbers (68 points), got ${landmarks.length}`);
  const face = withAnchors(landmarks, frameSize);
  const tmpl = frameSize === 110 ? TEMPLATE_110 : TEMPLATE_110.map((v) => (v * frameSize) / 110);
  for (let i = 0; i < points.length; i += 2) {
    const hit = locateTriangle(tmpl, TRIANGLES, points[i]!, points[i + 1]!);
    if (!hit) continue;
    const a = TRIANGLES[3 * hit.tri]!;
    const b = TRIANGLES[3 * hit.tri + 1]!;
    const c = TRIANGLES[3 * hit.tri + 2]!;
    out[i] = hit.w0 * face[2 * a]! + hit.w1 * face[2 * b]! + hit.w2 * face[2 * c]!;
    out[i + 1] = hit.w0 * face[2 * a + 1]! + hit.w1 * face[2 * b + 1]! + hit.w2 * face[2 * c + 1]!;
  }
  return out;
}

/**
 * Source-frame points → network-input frame: subtract the crop offset, then scale about pixel
 * centres (x' = (x − ox + ½)·s − ½, identical to x − ox when s = 1).
 */
export function toInputFrame(points: Float32Array, offsetX: number, offsetY: number, scale: number): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = (points[i]! - offsetX + 0.5) * scale - 0.5;
    out[i + 1] = (points[i + 1]! - offsetY + 0.5) * scale - 0.5;
  }
  return out;
}

function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/**
 * Rasterises a closed polygon into a `size × size` mask (1 = covered). Pixel (c, r) is covered when
 * its centre, the point (c, r) in PIL's convention, is inside (even-odd) or within ½ pixel of an edge
 * (the outline PIL draws with `outline=`). Only the polygon's bounding box is visited.
 *
 * @returns the mask and the covered bounding box (inclusive; empty when `x0 > x1`).
 */
export function rasterisePolygon(pts: Float32Array, size: number, mask = new Uint8Array(size * size)): { mask: Uint8Array; x0: number; y0: number; x1: number; y1: number } {
  const n = pts.length / 2;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, pts[2 * i]!);
    maxX = Math.max(maxX, pts[2 * i]!);
    minY = Math.min(minY, pts[2 * i + 1]!);
    maxY = Math.max(maxY, pts[2 * i + 1]!);
  }
  const x0 = Math.max(0, Math.ceil(minX - 0.5));
  const x1 = Math.min(size - 1, Math.floor(maxX + 0.5));
  const y0 = Math.max(0, Math.ceil(minY - 0.5));
  const y1 = Math.min(size - 1, Math.floor(maxY + 0.5));
  let bx0 = size;
  let by0 = size;
  let bx1 = -1;
  let by1 = -1;
  for (let r = y0; r <= y1; r++) {
    for (let c = x0; c <= x1; c++) {
      let inside = false;
      let near = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const xi = pts[2 * i]!;
        const yi = pts[2 * i + 1]!;
        const xj = pts[2 * j]!;
        const yj = pts[2 * j + 1]!;
        if (yi > r !== yj > r && c < ((xj - xi) * (r - yi)) / (yj - yi) + xi) inside = !inside;
        if (!near && segDist2(c, r, xi, yi, xj, yj) <= 0.25) near = true;
      }
      if (inside || near) {
        mask[r * size + c] = 1;
        if (c < bx0) bx0 = c;
        if (c > bx1) bx1 = c;
        if (r < by0) by0 = r;
        if (r > by1) by1 = r;
      }
    }
  }
  return { mask, x0: bx0, y0: by0, x1: bx1, y1: by1 };
}

/** The polygon (input frame) a rectangle becomes in one face. */
export function occlusionPolygon(rect: OcclusionRect, face: FaceFrame, frameSize = 110): Float32Array {
  return toInputFrame(warpToFace(rectCorners(rect), face.landmarks, frameSize), face.offsetX, face.offsetY, face.scale);
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
  rect: OcclusionRect,
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
    const box = rasterisePolygon(poly, size, mask);
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
