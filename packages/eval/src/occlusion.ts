/**
 * Occlusion robustness (method.md §6.5): black 32 × 12 windows at named regions of the 96 × 96
 * frame (top-left (col, row); pixels col..col+31 × row..row+11), scaled to the image's size, moved
 * through the 68 landmarks when given (window corners warped from the frontal template mesh to the
 * image mesh, 76-point meshes of the 110 frame; the image frame is taken as the centre crop of a 110
 * alignment, scaled). The geometry (rectangle, frame shift, warp, rasterisation and its pixel
 * convention) is core's `face-frame.ts`, the trainer's too. Verification per region against the clean
 * result, and the per-filter mean |Δf| of L2-normalised features.
 *
 * @module
 */
import {
  CROP_OFFSET,
  CROP_SIZE,
  fromCropFrame,
  l2NormalizeRows,
  pixelSquares,
  rasterisePolygon,
  rectCorners,
  TEMPLATE_110,
  toCropFrame,
  warpPoints,
  withAnchors,
  type Embedder,
  type Pixels,
  type Rect,
} from '@interpret-fr/core';
import { verificationMetrics, type VerificationMetrics } from './metrics/roc.ts';
import { dot } from './scores/cosine.ts';

/** Region names. */
export type OcclusionRegion = 'forehead' | 'left-eye' | 'right-eye' | 'nose' | 'mouth' | 'cheek';

/** Top-left (col, row) of each 32 × 12 window in the 96 frame (the original's positions; "left eye" is image-left). */
export const OCCLUSION_REGIONS: Readonly<Record<OcclusionRegion, readonly [number, number]>> = {
  forehead: [10, 10],
  'left-eye': [15, 35],
  'right-eye': [55, 35],
  nose: [30, 55],
  mouth: [30, 68],
  cheek: [55, 55],
};
export const OCCLUSION_WINDOW = [32, 12] as const;
export const REGION_NAMES = Object.keys(OCCLUSION_REGIONS) as OcclusionRegion[];

/** The region's window as a {@link Rect} of the 96 frame: the outline of the pixel squares col..col+31 × row..row+11 (core `pixelSquares`). */
export function regionRect(region: OcclusionRegion): Rect {
  const [c, r] = OCCLUSION_REGIONS[region];
  const [w, h] = OCCLUSION_WINDOW;
  return pixelSquares(c, r, w, h);
}

/** The window's four corners (x,y interleaved, core `rectCorners` order) in the image frame. `landmarks`: 68 points in that frame. */
export function windowQuad(region: OcclusionRegion, size: number, landmarks?: ArrayLike<number>): Float32Array {
  const s = size / CROP_SIZE;
  let q = fromCropFrame(rectCorners(regionRect(region)));
  if (landmarks) q = warpPoints(TEMPLATE_110, withAnchors(fromCropFrame(landmarks, CROP_OFFSET, CROP_OFFSET, s), 110), q);
  return toCropFrame(q, CROP_OFFSET, CROP_OFFSET, s);
}

/** A copy of the image with the region's window blacked out (core `rasterisePolygon`: the pixels whose centres the window encloses). */
export function occlude(px: Pixels, region: OcclusionRegion, landmarks?: ArrayLike<number>): Pixels {
  if (px.width !== px.height) throw new RangeError(`occlude: expected a square aligned face, got ${px.width}×${px.height}`);
  const { mask, x0, y0, x1, y1 } = rasterisePolygon(windowQuad(region, px.width, landmarks), px.width, px.height);
  const out = new Uint8Array(px.data);
  const c = px.channels;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!mask[y * px.width + x]) continue;
      for (let k = 0; k < c; k++) if (c !== 4 || k < 3) out[(y * px.width + x) * c + k] = 0;
    }
  }
  return { data: out, width: px.width, height: px.height, channels: px.channels };
}

/** Result of {@link occlusionStudy}. */
export interface OcclusionResult {
  regions: OcclusionRegion[];
  clean: VerificationMetrics;
  perRegion: { region: OcclusionRegion; metrics: VerificationMetrics; scores: Float32Array }[];
  /** Cosine score of each pair, clean (the per-region scores are in `perRegion`). */
  cleanScores: Float32Array;
  /** regions × dim: mean over images of |f − f̂| per filter (L2-normalised features). */
  meanAbsDelta: Float32Array;
  dim: number;
}

/**
 * Embeds every image clean and with each region covered; verification scores each pair with its
 * second image occluded (reference clean, probe covered), and averages |Δf| per filter.
 */
export async function occlusionStudy(
  embedder: Embedder,
  images: readonly Pixels[],
  pairs: { a: Int32Array; b: Int32Array; label: Uint8Array },
  opts: {
    landmarks?: readonly (ArrayLike<number> | undefined)[];
    regions?: readonly OcclusionRegion[];
    batchSize?: number;
    farTargets?: readonly number[];
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<OcclusionResult> {
  const regions = [...(opts.regions ?? REGION_NAMES)];
  const B = opts.batchSize ?? 32;
  const n = images.length;
  const dim = embedder.dim;
  const total = n * (regions.length + 1);
  let done = 0;
  const embedAll = async (f: (i: number) => Pixels): Promise<Float32Array> => {
    const raw = new Float32Array(n * dim);
    for (let s = 0; s < n; s += B) {
      const e = Math.min(n, s + B);
      const px: Pixels[] = [];
      for (let i = s; i < e; i++) px.push(f(i));
      raw.set((await embedder.embed(px)).data, s * dim);
      done += e - s;
      opts.onProgress?.(done, total);
    }
    return l2NormalizeRows(raw, n, dim);
  };
  const score = (A: Float32Array, Bm: Float32Array): Float32Array => Float32Array.from(pairs.a, (a, p) => dot(A, a * dim, Bm, pairs.b[p]! * dim, dim));
  const targets = opts.farTargets ?? [1e-2, 1e-1];
  const clean = await embedAll((i) => images[i]!);
  const cleanScores = score(clean, clean);
  const cleanM = verificationMetrics(cleanScores, pairs.label, { farTargets: targets });
  const delta = new Float32Array(regions.length * dim);
  const perRegion: OcclusionResult['perRegion'] = [];
  for (let r = 0; r < regions.length; r++) {
    const occ = await embedAll((i) => occlude(images[i]!, regions[r]!, opts.landmarks?.[i]));
    for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) delta[r * dim + k]! += Math.abs(clean[i * dim + k]! - occ[i * dim + k]!) / n;
    const sc = score(clean, occ);
    perRegion.push({ region: regions[r]!, metrics: verificationMetrics(sc, pairs.label, { farTargets: targets }), scores: sc });
  }
  return { regions, clean: cleanM, cleanScores, perRegion, meanAbsDelta: delta, dim };
}
