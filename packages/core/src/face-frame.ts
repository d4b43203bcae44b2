/**
 * The face frame and its geometry, once for every package: the 110 × 110 template frame
 * ({@link FRAME_SIZE}) and the 96 × 96 model crop centred in it (offset {@link CROP_OFFSET} = 7), one
 * rectangle type ({@link Rect}), the frame shift between them, the quad warp of points through the
 * 76-point meshes ({@link warpPoints}) and polygon rasterisation ({@link rasterisePolygon}). Used by the
 * trainer's synthetic occlusion, eval's occlusion study and peak statistics (peaks: `peaks.ts`).
 *
 * One pixel convention everywhere: pixel (c, r) is the unit square centred on the point (c, r) (PIL,
 * OpenCV); a frame scaled by s maps x → (x + ½)·s − ½ (pixel centres onto pixel centres).
 *
 * @module
 */
import { FRAME_SIZE, TRIANGLES, locateTriangle } from './geometry.ts';

/** Side of the model crop in the template frame (the original's 96 of 110). */
export const CROP_SIZE = 96;
/** Offset of the centred crop in the template frame: (110 − 96) / 2 = 7. */
export const CROP_OFFSET = (FRAME_SIZE - CROP_SIZE) / 2;

/** An axis-aligned rectangle: top-left (x, y), width, height, in some frame's pixel coordinates. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The rectangle's corners in the original's order: (x,y), (x,y+h), (x+w,y+h), (x+w,y). */
export function rectCorners(r: Rect): Float32Array {
  return Float32Array.of(r.x, r.y, r.x, r.y + r.h, r.x + r.w, r.y + r.h, r.x + r.w, r.y);
}

/**
 * Template/source-frame points → a crop's input frame: subtract the crop offset, then scale about
 * pixel centres: x' = (x − ox + ½)·s − ½ (x − ox when s = 1). Defaults: the centred 96 crop, unscaled.
 *
 * @example toCropFrame(points110)              // 110 frame → 96 frame (x − 7)
 * toCropFrame(points110, ox, oy, 48 / 96)       // → the 48 input of a 96 crop at (ox, oy)
 */
export function toCropFrame(points: ArrayLike<number>, offsetX: number = CROP_OFFSET, offsetY: number = CROP_OFFSET, scale = 1): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = (points[i]! - offsetX + 0.5) * scale - 0.5;
    out[i + 1] = (points[i + 1]! - offsetY + 0.5) * scale - 0.5;
  }
  return out;
}

/** The inverse of {@link toCropFrame}: x = (x' + ½)/s − ½ + ox. */
export function fromCropFrame(points: ArrayLike<number>, offsetX: number = CROP_OFFSET, offsetY: number = CROP_OFFSET, scale = 1): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = (points[i]! + 0.5) / scale - 0.5 + offsetX;
    out[i + 1] = (points[i + 1]! + 0.5) / scale - 0.5 + offsetY;
  }
  return out;
}

/**
 * Warps points (x,y interleaved) from one 76-point mesh to another (piecewise affine over
 * {@link TRIANGLES}): each point is located in a triangle of `from` (barycentric w₀, w₁, w₂; the first
 * containing triangle wins) and sent to w₀·q₀ + w₁·q₁ + w₂·q₂ over the same vertices of `to`. Points
 * outside the mesh are kept (`'keep'`, default) or become NaN (`'nan'`).
 */
export function warpPoints(from: ArrayLike<number>, to: ArrayLike<number>, points: ArrayLike<number>, outside: 'keep' | 'nan' = 'keep'): Float32Array {
  if (from.length !== to.length) throw new RangeError(`warpPoints: meshes differ in length (${from.length} vs ${to.length})`);
  const out = Float32Array.from(points);
  for (let i = 0; i < points.length; i += 2) {
    const hit = locateTriangle(from, TRIANGLES, points[i]!, points[i + 1]!);
    if (!hit) {
      if (outside === 'nan') out[i] = out[i + 1] = Number.NaN;
      continue;
    }
    const a = 2 * TRIANGLES[3 * hit.tri]!;
    const b = 2 * TRIANGLES[3 * hit.tri + 1]!;
    const c = 2 * TRIANGLES[3 * hit.tri + 2]!;
    out[i] = hit.w0 * to[a]! + hit.w1 * to[b]! + hit.w2 * to[c]!;
    out[i + 1] = hit.w0 * to[a + 1]! + hit.w1 * to[b + 1]! + hit.w2 * to[c + 1]!;
  }
  return out;
}

/**
 * The {@link Rect} whose rasterisation is exactly the pixels col..col+w−1 × row..row+h−1: the outline
 * of those pixel squares, (col − ½, row − ½)–(col + w − ½, row + h − ½). Every occlusion window is
 * stated this way (eval's 32 × 12 regions; the trainer's PIL rectangle, whose both corner pixels are
 * drawn, is w + 1 by h + 1 of them).
 *
 * @example pixelSquares(30, 55, 32, 12) // { x: 29.5, y: 54.5, w: 32, h: 12 }: pixels 30..61 × 55..66
 */
export function pixelSquares(col: number, row: number, w: number, h: number): Rect {
  return { x: col - 0.5, y: row - 0.5, w, h };
}

/**
 * Rasterises a closed polygon into a `width × height` mask (1 = covered), with the one pixel-centre
 * convention of this module: pixel (c, r) is covered when its centre, the point (c, r), is inside the
 * polygon (even-odd rule; a centre exactly on a left or top edge is inside, on a right or bottom edge
 * outside, so polygons that share an edge never both cover a pixel). A rectangle of pixel squares
 * ({@link pixelSquares}) therefore covers exactly those pixels, and a warped one the pixels whose
 * centres its warped outline encloses. The trainer's synthetic occlusion and eval's occlusion windows
 * both rasterise this way. Only the bounding box is visited.
 *
 * @returns the mask and the covered bounding box (inclusive; empty when `x0 > x1`).
 */
export function rasterisePolygon(
  pts: ArrayLike<number>,
  width: number,
  height: number = width,
  mask = new Uint8Array(width * height),
): { mask: Uint8Array; x0: number; y0: number; x1: number; y1: number } {
  if (mask.length !== width * height) throw new RangeError(`rasterisePolygon: mask has ${mask.length} cells, expected ${width}×${height}`);
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
  const x0 = Math.max(0, Math.ceil(minX));
  const x1 = Math.min(width - 1, Math.floor(maxX));
  const y0 = Math.max(0, Math.ceil(minY));
  const y1 = Math.min(height - 1, Math.floor(maxY));
  let bx0 = width;
  let by0 = height;
  let bx1 = -1;
  let by1 = -1;
  for (let r = y0; r <= y1; r++) {
    for (let c = x0; c <= x1; c++) {
      let inside = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const xi = pts[2 * i]!;
        const yi = pts[2 * i + 1]!;
        const xj = pts[2 * j]!;
        const yj = pts[2 * j + 1]!;
        if (yi > r !== yj > r && c < ((xj - xi) * (r - yi)) / (yj - yi) + xi) inside = !inside;
      }
      if (inside) {
        mask[r * width + c] = 1;
        if (c < bx0) bx0 = c;
        if (c > bx1) bx1 = c;
        if (r < by0) by0 = r;
        if (r > by1) by1 = r;
      }
    }
  }
  return { mask, x0: bx0, y0: by0, x1: bx1, y1: by1 };
}
