/**
 * Face geometry: the frontal 68-landmark template in the 110×110 frame, the 8 border anchors, the
 * triangle mesh over those 76 points, barycentric point warping between two 76-point sets, and a
 * least-squares similarity transform (for aligning faces by landmarks).
 *
 * Coordinates are 0-based pixel coordinates (pixel (0,0) is the top-left pixel's centre), x to the
 * right, y down; point sets are interleaved `x0, y0, x1, y1, …`.
 *
 * @module
 */
import { TRIANGLES } from './mesh-data.ts';

export { TRIANGLES };

/** Number of facial landmarks (iBUG-68 order: jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67). */
export const NUM_LANDMARKS = 68;
/** Landmarks plus the 8 border anchors. */
export const NUM_MESH_POINTS = 76;
/** Side of the aligned frame the template lives in. */
export const FRAME_SIZE = 110;

/**
 * The frontal mean face (68 points, x,y interleaved) in the 110×110 frame.
 *
 * Derived from the widely used dlib/OpenFace 68-point mean shape, mirrored to be exactly symmetric
 * about x = 54.5 (the frame centre), then scaled by 84 (x) and 75 (y) so that it spans x ≈ 17–92,
 * y ≈ 34.5–100. The original's `landmark68_7` (+7) spans x ≈ 19–97, y ≈ 39–100 in this frame
 * (method.md §3.1); we keep its chin line and width but centre the face exactly and keep a more
 * natural height/width ratio (0.89 instead of 0.78), so synthetic faces drawn around it look right.
 */
export const TEMPLATE_68: Float32Array = new Float32Array([
  17.04, 45.24, 17.22, 54.14, 18.2, 63.11, 20.18, 71.94, 24.0, 80.17, 29.94, 87.39, 37.18, 93.54, 45.3, 98.56, 54.5, 100.0, 63.7, 98.56, 71.82, 93.54, 79.06, 87.39, 85.0, 80.17,
  88.82, 71.94, 90.8, 63.11, 91.78, 54.14, 91.96, 45.24, 24.81, 38.61, 29.49, 35.33, 35.76, 34.49, 42.21, 35.42, 48.32, 37.74, 60.68, 37.74, 66.79, 35.42, 73.24, 34.49, 79.51,
  35.33, 84.19, 38.61, 54.5, 44.34, 54.5, 50.15, 54.5, 55.97, 54.5, 61.93, 47.22, 65.65, 50.7, 66.92, 54.5, 68.01, 58.3, 66.92, 61.78, 65.65, 32.22, 44.9, 36.13, 42.84, 40.92,
  42.92, 44.94, 45.67, 40.54, 46.45, 35.87, 46.4, 64.06, 45.67, 68.08, 42.92, 72.87, 42.84, 76.78, 44.9, 73.13, 46.4, 68.46, 46.45, 39.95, 76.15, 45.23, 74.24, 50.63, 73.4, 54.5,
  74.22, 58.37, 73.4, 63.77, 74.24, 69.05, 76.15, 63.98, 81.01, 58.7, 83.18, 54.5, 83.57, 50.3, 83.18, 45.02, 81.01, 42.22, 76.47, 50.59, 76.26, 54.5, 76.61, 58.41, 76.26, 66.78,
  76.47, 58.45, 78.68, 54.5, 78.96, 50.55, 78.68,
]);

/**
 * The 8 border anchors of an image of side `size` (x,y interleaved), in the original's order:
 * left-top, left-middle, left-bottom, bottom-middle, bottom-right, right-middle, right-top, top-middle.
 *
 * The original stores them 1-based for a 110 frame, (1,1), (1,55), (1,110), (55,110), (110,110),
 * (110,55), (110,1), (55,1); we use the 0-based pixel centres, i.e. each coordinate minus 1:
 * 0, m = size/2 − 1 (54 for 110), and size − 1 (109). Unlike the original, which adds +7 to the
 * whole template including the anchors (moving them to 8…117, partly outside the frame), our
 * anchors stay on the border, so the mesh covers the whole image exactly.
 */
export function borderAnchors(size: number = FRAME_SIZE): Float32Array {
  const e = size - 1;
  const m = Math.floor(size / 2) - 1;
  return new Float32Array([0, 0, 0, m, 0, e, m, e, e, e, e, m, e, 0, m, 0]);
}

/**
 * Appends the 8 border anchors of a `size`×`size` image to 68 landmarks, giving the 76 points the
 * mesh {@link TRIANGLES} is defined over.
 *
 * @throws RangeError when `landmarks68` does not hold 136 numbers.
 */
export function withAnchors(landmarks68: ArrayLike<number>, size: number = FRAME_SIZE): Float32Array {
  if (landmarks68.length !== 2 * NUM_LANDMARKS) {
    throw new RangeError(`withAnchors: expected ${2 * NUM_LANDMARKS} numbers (68 x,y pairs), got ${landmarks68.length}`);
  }
  const out = new Float32Array(2 * NUM_MESH_POINTS);
  for (let i = 0; i < 2 * NUM_LANDMARKS; i++) out[i] = landmarks68[i]!;
  out.set(borderAnchors(size), 2 * NUM_LANDMARKS);
  return out;
}

/** The frontal template with anchors: 76 points (152 numbers) in the 110×110 frame. */
export const TEMPLATE_110: Float32Array = withAnchors(TEMPLATE_68, FRAME_SIZE);

/** A point located in a triangle: the triangle's index and its barycentric weights (sum 1). */
export interface TriangleHit {
  /** Triangle index (into `triangles`, in units of 3 indices). */
  tri: number;
  w0: number;
  w1: number;
  w2: number;
}

/** Tolerance on barycentric weights, so points on shared edges and on the border are found. */
export const BARYCENTRIC_EPS = 1e-6;

/**
 * Finds the first triangle (in mesh order) that contains (x, y), with barycentric weights allowed
 * down to −{@link BARYCENTRIC_EPS}; a point on a shared edge gets the lower-numbered triangle.
 * Degenerate (zero-area) triangles are skipped. Returns `null` outside the mesh.
 */
export function locateTriangle(points: ArrayLike<number>, triangles: ArrayLike<number>, x: number, y: number): TriangleHit | null {
  const nt = Math.floor(triangles.length / 3);
  for (let t = 0; t < nt; t++) {
    const i0 = triangles[3 * t]! * 2;
    const i1 = triangles[3 * t + 1]! * 2;
    const i2 = triangles[3 * t + 2]! * 2;
    const x0 = points[i0]!,
      y0 = points[i0 + 1]!;
    const x1 = points[i1]!,
      y1 = points[i1 + 1]!;
    const x2 = points[i2]!,
      y2 = points[i2 + 1]!;
    const det = (y1 - y2) * (x0 - x2) + (x2 - x1) * (y0 - y2);
    if (Math.abs(det) < 1e-12) continue;
    const w0 = ((y1 - y2) * (x - x2) + (x2 - x1) * (y - y2)) / det;
    const w1 = ((y2 - y0) * (x - x2) + (x0 - x2) * (y - y2)) / det;
    const w2 = 1 - w0 - w1;
    if (w0 >= -BARYCENTRIC_EPS && w1 >= -BARYCENTRIC_EPS && w2 >= -BARYCENTRIC_EPS) return { tri: t, w0, w1, w2 };
  }
  return null;
}

/**
 * Maps (x, y) from one 76-point set to another: finds the triangle of `from` containing the point
 * and applies the same barycentric weights to the same three vertices of `to` (the original's
 * occlusion warp, method.md §4.1). Returns `null` when the point lies outside `from`'s mesh.
 *
 * @throws RangeError when the two point sets differ in length.
 */
export function warpPoint(from: ArrayLike<number>, to: ArrayLike<number>, triangles: ArrayLike<number>, x: number, y: number): [number, number] | null {
  if (from.length !== to.length) throw new RangeError(`warpPoint: point sets differ in length (${from.length} vs ${to.length})`);
  const hit = locateTriangle(from, triangles, x, y);
  if (!hit) return null;
  const i0 = triangles[3 * hit.tri]! * 2;
  const i1 = triangles[3 * hit.tri + 1]! * 2;
  const i2 = triangles[3 * hit.tri + 2]! * 2;
  return [hit.w0 * to[i0]! + hit.w1 * to[i1]! + hit.w2 * to[i2]!, hit.w0 * to[i0 + 1]! + hit.w1 * to[i1 + 1]! + hit.w2 * to[i2 + 1]!];
}

/** A 2-D similarity: x' = a·x − b·y + tx, y' = b·x + a·y + ty (scale √(a²+b²), angle atan2(b, a)). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * Least-squares similarity mapping `src` onto `dst` (both x,y interleaved, same length, ≥ 2
 * points): minimises Σ‖T(srcᵢ) − dstᵢ‖². This is Umeyama's solution restricted to rotations (no
 * reflection), which in 2-D has the closed form a = Σ(x̃·u + ỹ·v)/Σ(x̃² + ỹ²),
 * b = Σ(x̃·v − ỹ·u)/Σ(x̃² + ỹ²) over centred coordinates.
 *
 * @throws RangeError on mismatched/odd lengths, fewer than 2 points, or all source points equal.
 */
export function similarityTransform(src: ArrayLike<number>, dst: ArrayLike<number>): Similarity {
  if (src.length !== dst.length || src.length % 2 !== 0) {
    throw new RangeError(`similarityTransform: expected two x,y-interleaved sets of equal even length, got ${src.length} and ${dst.length}`);
  }
  const n = src.length / 2;
  if (n < 2) throw new RangeError(`similarityTransform: need at least 2 points, got ${n}`);
  let sx = 0,
    sy = 0,
    dx = 0,
    dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[2 * i]!;
    sy += src[2 * i + 1]!;
    dx += dst[2 * i]!;
    dy += dst[2 * i + 1]!;
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let num1 = 0,
    num2 = 0,
    den = 0;
  for (let i = 0; i < n; i++) {
    const x = src[2 * i]! - sx,
      y = src[2 * i + 1]! - sy;
    const u = dst[2 * i]! - dx,
      v = dst[2 * i + 1]! - dy;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
    den += x * x + y * y;
  }
  if (!(den > 1e-12)) throw new RangeError('similarityTransform: source points are all equal (or not finite)');
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/** Applies a {@link Similarity} to one point. */
export function applySimilarity(t: Similarity, x: number, y: number): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

/** Applies a {@link Similarity} to an interleaved point set (returns a new array). */
export function applySimilarityToPoints(t: Similarity, points: ArrayLike<number>): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!,
      y = points[i + 1]!;
    out[i] = t.a * x - t.b * y + t.tx;
    out[i + 1] = t.b * x + t.a * y + t.ty;
  }
  return out;
}
