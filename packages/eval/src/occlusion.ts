/**
 * Occlusion robustness (method.md §6.5): black 32 × 12 windows at named regions of the 96 × 96
 * frame (top-left (col, row)), scaled to the image's size, moved through the 68 landmarks when
 * given (window corners warped from the frontal template mesh to the image mesh, core `warpPoint`,
 * 76-point meshes of the 110 frame; the image frame is taken as the centre crop of a 110 alignment,
 * scaled). Verification per region against the clean result, and the per-filter mean |Δf| of
 * L2-normalised features.
 *
 * @module
 */
import { TEMPLATE_110, TRIANGLES, warpPoint, withAnchors, type Embedder, type Pixels } from '@interpret-fr/core';
import { verificationMetrics, type VerificationMetrics } from './metrics/roc.ts';
import { normalizeRows, dot } from './scores/cosine.ts';

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

/** The window's four corners (x,y interleaved) in the image frame. `landmarks`: 68 points in that frame. */
export function windowQuad(region: OcclusionRegion, size: number, landmarks?: ArrayLike<number>): Float32Array {
  const [c, r] = OCCLUSION_REGIONS[region];
  const [w, h] = OCCLUSION_WINDOW;
  const corners = [c, r, c + w, r, c + w, r + h, c, r + h];
  const s = size / 96;
  const out = new Float32Array(8);
  let mesh: Float32Array | null = null;
  if (landmarks) {
    const l110 = new Float32Array(136);
    for (let i = 0; i < 136; i++) l110[i] = landmarks[i]! / s + 7;
    mesh = withAnchors(l110, 110);
  }
  for (let k = 0; k < 4; k++) {
    let x = corners[2 * k]!;
    let y = corners[2 * k + 1]!;
    if (mesh) {
      const p = warpPoint(TEMPLATE_110, mesh, TRIANGLES, x + 7, y + 7);
      if (p) {
        x = p[0] - 7;
        y = p[1] - 7;
      }
    }
    out[2 * k] = x * s;
    out[2 * k + 1] = y * s;
  }
  return out;
}

function inside(q: Float32Array, x: number, y: number): boolean {
  let inn = false;
  for (let i = 0, j = 3; i < 4; j = i++) {
    const xi = q[2 * i]!,
      yi = q[2 * i + 1]!,
      xj = q[2 * j]!,
      yj = q[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inn = !inn;
  }
  return inn;
}

/** A copy of the image with the region's window blacked out (pixel centres inside the quad). */
export function occlude(px: Pixels, region: OcclusionRegion, landmarks?: ArrayLike<number>): Pixels {
  if (px.width !== px.height) throw new RangeError(`occlude: expected a square aligned face, got ${px.width}×${px.height}`);
  const q = windowQuad(region, px.width, landmarks);
  const out = new Uint8Array(px.data);
  const c = px.channels;
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let k = 0; k < 4; k++) {
    x0 = Math.min(x0, q[2 * k]!);
    x1 = Math.max(x1, q[2 * k]!);
    y0 = Math.min(y0, q[2 * k + 1]!);
    y1 = Math.max(y1, q[2 * k + 1]!);
  }
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(px.height - 1, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(px.width - 1, Math.ceil(x1)); x++) {
      if (!inside(q, x + 0.5, y + 0.5)) continue;
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
    return normalizeRows(raw, n, dim);
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
