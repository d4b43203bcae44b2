/**
 * Interpretability statistics from response maps (method.md §7, evaluation.md): per filter j and
 * sign, the peak of each image's map (argmax if > 0 / argmin if < 0, first index on ties), in
 * pixels of the 96 frame (core `findPeaks`), warped into the frontal template frame through the image's 68 landmarks
 * (identity without landmarks), kept when inside (0, 96)²; weight |peak|. μ_j = weighted mean,
 * σ_j = weighted mean distance from μ_j ("spread"), and d = mean Euclidean distance of the μ_j from
 * their centroid (our definition; the paper gives none), in pixels of the 96 frame. Frame shift and
 * warp: core `face-frame.ts`.
 *
 * @module
 */
import { CROP_OFFSET, CROP_SIZE, findPeaks, fromCropFrame, TEMPLATE_110, toCropFrame, warpPoints, withAnchors, type PeakConvention, type ResponseMaps } from '@interpret-fr/core';

/** Cell → pixel convention: `center` = cell centre; `original` = (row+1, col+1)·stride (MATLAB 1-based ×4). */
export type PeakPixelConvention = PeakConvention;

/** Final statistics for one sign. */
export interface SignStats {
  /** μ_j (x, y interleaved, 96 frame; NaN when filter j never peaked). */
  mean: Float32Array;
  /** σ_j (NaN when never peaked). */
  spread: Float32Array;
  /** Peaks kept per filter. */
  count: Int32Array;
  /** Mean distance of the defined μ_j from their centroid. */
  d: number;
  /** Filters with at least one peak. */
  filters: number;
}

/** Accumulates peaks over batches of response maps. */
export class PeakStats {
  private readonly xs: number[][] = [[], []];
  private readonly ys: number[][] = [[], []];
  private readonly ws: number[][] = [[], []];
  private readonly fs: number[][] = [[], []];
  channels = -1;
  images = 0;

  constructor(readonly convention: PeakPixelConvention = 'center') {}

  /**
   * Adds one batch. `landmarks[i]`: image i's 68 landmarks (x,y interleaved) in the model-input
   * frame of side `inputSize`, or undefined (identity: the face is already aligned).
   */
  add(maps: ResponseMaps, inputSize: number, landmarks?: readonly (ArrayLike<number> | undefined)[]): void {
    if (this.channels < 0) this.channels = maps.channels;
    if (maps.channels !== this.channels) throw new RangeError(`PeakStats.add: ${maps.channels} channels, earlier batches had ${this.channels}`);
    const { n, channels: C } = maps;
    const peaks = findPeaks(maps, CROP_SIZE, this.convention);
    const toIn = inputSize / CROP_SIZE;
    for (let i = 0; i < n; i++) {
      const lm = landmarks?.[i];
      const mesh = lm ? withAnchors(fromCropFrame(lm, CROP_OFFSET, CROP_OFFSET, toIn), 110) : null;
      for (let c = 0; c < C; c++) {
        const k = i * C + c;
        for (const [s, p] of [
          [0, peaks.positive],
          [1, peaks.negative],
        ] as const) {
          if (p.cell[k]! < 0) continue;
          let x = p.col[k]!;
          let y = p.row[k]!;
          if (mesh) {
            const q = toCropFrame(warpPoints(mesh, TEMPLATE_110, fromCropFrame([x, y]), 'nan'));
            if (Number.isNaN(q[0]!)) continue;
            x = q[0]!;
            y = q[1]!;
          }
          if (!(x > 0 && x < CROP_SIZE && y > 0 && y < CROP_SIZE)) continue;
          this.xs[s]!.push(x);
          this.ys[s]!.push(y);
          this.ws[s]!.push(Math.abs(p.value[k]!));
          this.fs[s]!.push(c);
        }
      }
    }
    this.images += n;
  }

  /** μ, σ, counts and d for positive (0) or negative (1) peaks. */
  result(sign: 'positive' | 'negative'): SignStats {
    const s = sign === 'positive' ? 0 : 1;
    const C = Math.max(0, this.channels);
    const sw = new Float64Array(C),
      sx = new Float64Array(C),
      sy = new Float64Array(C);
    const count = new Int32Array(C);
    const X = this.xs[s]!,
      Y = this.ys[s]!,
      Wt = this.ws[s]!,
      F = this.fs[s]!;
    for (let k = 0; k < X.length; k++) {
      const c = F[k]!;
      sw[c]! += Wt[k]!;
      sx[c]! += Wt[k]! * X[k]!;
      sy[c]! += Wt[k]! * Y[k]!;
      count[c]!++;
    }
    const mean = new Float32Array(2 * C).fill(Number.NaN);
    for (let c = 0; c < C; c++)
      if (sw[c]! > 0) {
        mean[2 * c] = sx[c]! / sw[c]!;
        mean[2 * c + 1] = sy[c]! / sw[c]!;
      }
    const sd = new Float64Array(C);
    for (let k = 0; k < X.length; k++) {
      const c = F[k]!;
      sd[c]! += Wt[k]! * Math.hypot(X[k]! - mean[2 * c]!, Y[k]! - mean[2 * c + 1]!);
    }
    const spread = Float32Array.from(sd, (v, c) => (sw[c]! > 0 ? v / sw[c]! : Number.NaN));
    return { mean, spread, count, ...spreadness(mean) };
  }
}

/** d = mean distance of the defined locations (x,y interleaved) from their centroid. */
export function spreadness(mean: ArrayLike<number>): { d: number; filters: number } {
  let cx = 0,
    cy = 0,
    m = 0;
  for (let c = 0; 2 * c < mean.length; c++)
    if (Number.isFinite(mean[2 * c]!)) {
      cx += mean[2 * c]!;
      cy += mean[2 * c + 1]!;
      m++;
    }
  if (m === 0) return { d: Number.NaN, filters: 0 };
  cx /= m;
  cy /= m;
  let d = 0;
  for (let c = 0; 2 * c < mean.length; c++) if (Number.isFinite(mean[2 * c]!)) d += Math.hypot(mean[2 * c]! - cx, mean[2 * c + 1]! - cy);
  return { d: d / m, filters: m };
}

/** Template outline polylines in the 96 frame (jaw, brows, nose, eyes, mouth) for figures. */
export function templateOutline96(): number[][] {
  const seg = (a: number, b: number, close = false): number[] => {
    const p: number[] = [];
    for (let i = a; i < b; i++) p.push(TEMPLATE_110[2 * i]! - CROP_OFFSET, TEMPLATE_110[2 * i + 1]! - CROP_OFFSET);
    if (close) p.push(TEMPLATE_110[2 * a]! - CROP_OFFSET, TEMPLATE_110[2 * a + 1]! - CROP_OFFSET);
    return p;
  };
  return [seg(0, 17), seg(17, 22), seg(22, 27), seg(27, 31), seg(31, 36), seg(36, 42, true), seg(42, 48, true), seg(48, 60, true), seg(60, 68, true)];
}
