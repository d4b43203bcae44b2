/** Comparison helpers of the cross-runtime parity test (parity.test.ts). */

/** max |a − b| / max |ref|. */
export function relMaxAbs(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length !== ref.length) throw new Error(`length ${got.length} vs ${ref.length}`);
  let d = 0;
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(got[i]! - ref[i]!));
    s = Math.max(s, Math.abs(ref[i]!));
  }
  return s === 0 ? d : d / s;
}

/** Result of {@link compareMaps}. */
export interface MapsComparison {
  /** max |Δ| / max |ref| over positions both runtimes keep or both drop. */
  relMaxAbs: number;
  /** Positions kept by one runtime only. */
  differing: number;
  /** Of those, positions not at a (near-)tie with the channel's threshold. */
  unexplained: number;
  /** Channels whose k-th and (k+1)-th largest |ref| values are within the tolerance (or equal). */
  tiedChannels: number;
  /** Channels that keep a number of positions other than expected, without a tie. */
  wrongCounts: number;
  examples: { n: number; c: number; pos: number; ref: number; got: number; threshold: number }[];
}

/**
 * Tie-aware comparison of masked maps [N, C, H, W]. A position is "kept" when its value is non-zero.
 * With t the k-th largest |ref| of the channel and ε = tol · max |ref|, a position kept by one
 * runtime only is explained when ||ref| − t| ≤ ε (the runtimes' tiny numeric differences
 * reorder values at the threshold). Such positions are excluded from the value comparison.
 */
export function compareMaps(ref: Float32Array, got: Float32Array, dims: [number, number, number, number], k: number, compare: 'ge' | 'gt', tol: number): MapsComparison {
  const [N, C, H, W] = dims;
  const hw = H * W;
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  const eps = tol * scale;
  const r: MapsComparison = { relMaxAbs: 0, differing: 0, unexplained: 0, tiedChannels: 0, wrongCounts: 0, examples: [] };
  let worst = 0;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const off = (n * C + c) * hw;
    // The reference's pre-mask values are unknown where masked; the kept ones are the top-k.
    const kept = Array.from(ref.subarray(off, off + hw)).map(Math.abs).filter((v) => v !== 0).sort((a, b) => b - a);
    const want = compare === 'ge' ? k : k - 1;
    // t: the smallest kept magnitude ('ge': the k-th largest). For 'gt' the k-th itself is dropped.
    const t = kept[kept.length - 1] ?? 0;
    const tied = kept.length !== want || (kept.length >= 2 && kept[kept.length - 2]! - t <= eps);
    if (tied) r.tiedChannels++;
    for (let p = 0; p < hw; p++) {
      const a = ref[off + p]!;
      const b = got[off + p]!;
      if ((a !== 0) !== (b !== 0)) {
        r.differing++;
        const mag = Math.abs(a !== 0 ? a : b);
        if (Math.abs(mag - t) > eps) {
          r.unexplained++;
          if (r.examples.length < 5) r.examples.push({ n, c, pos: p, ref: a, got: b, threshold: t });
        }
        continue;
      }
      worst = Math.max(worst, Math.abs(a - b));
    }
    let gotKept = 0;
    for (let p = 0; p < hw; p++) if (got[off + p] !== 0) gotKept++;
    if (!tied && (kept.length !== want || gotKept !== want)) r.wrongCounts++;
  }
  r.relMaxAbs = scale === 0 ? worst : worst / scale;
  return r;
}
