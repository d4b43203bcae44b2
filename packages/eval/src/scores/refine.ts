/**
 * Kernel-independent identification metrics. The native SGEMM, the wasm SIMD kernel and the JS loop
 * sum float32 products in different orders, so a probe × gallery template score can differ by a few
 * ulps between them. Ranks and TPIR@FPIR depend on those scores only through comparisons (and one
 * reported threshold), so each kernel's matrix is "refined": any score within 2δ
 * (δ = {@link scoreErrorBound}, a proven bound on any float32 kernel's error) of a score it is compared
 * with is replaced by its canonical value ({@link exactTemplateScore}: float64 accumulation in index
 * order, rounded once to float32). Scores farther apart than 2δ are ordered the same by every kernel
 * and by the canonical scores; near ties, exact ties included, are settled on canonical values (ties
 * then keep gallery order). Verification scores need no refinement: they are canonical bits on every
 * kernel (template-scores.ts `scoreTemplatePairsExact` / `scoreTemplatePairsAsync`).
 * test/gemm-parity.test.ts checks the whole report with a kernel that adds noise up to the bound.
 *
 * A non-mated probe's top score matters only through the TPIR@FPIR thresholds (the (k + 1)-th highest
 * non-mated top per FPIR target, identification.ts). Given the targets, only the rows whose top is within 2δ
 * of a threshold are refined, and then the mated scores within 2δ of a threshold: every kernel's top is
 * within δ of the canonical one, and so is every order statistic of the tops, so a row farther away is on
 * the same strict side of the canonical threshold, and the row that attains it is among the refined ones.
 * Without the targets, every non-mated row's top is refined, and the mated scores near any of them (any
 * target then reads the same).
 *
 * @module
 */
import { fpirCut } from '../metrics/identification.ts';

/**
 * Refines a probe × gallery score matrix for closed-set ranks and open-set TPIR@FPIR: per probe,
 * every gallery score within 2δ of a mate's score (rank decisions) and, for non-mated probes, every
 * score within 2δ of the row's top (the top-score list that sets the thresholds); then mated scores
 * within 2δ of a non-mated top. With `fpirTargets`, only for the non-mated rows whose top is within 2δ of
 * one of those targets' thresholds, and the mated scores within 2δ of a threshold (the module doc says
 * why that suffices): TPIR@FPIR is then kernel-independent at those targets only. Returns how many
 * scores were refined. `rescore(p, g)` is the canonical score of one pair; {@link refineSteps} is the
 * same refinement in batches.
 */
export function refineIdentification(
  M: Float32Array,
  probeSubject: ArrayLike<number>,
  gallerySubject: ArrayLike<number>,
  delta: number,
  rescore: (p: number, g: number) => number,
  fpirTargets?: readonly number[],
): number {
  const it = refineSteps(M, probeSubject, gallerySubject, delta, fpirTargets);
  let r = it.next();
  while (!r.done) {
    const [pp, gg] = r.value;
    r = it.next(Float32Array.from(pp, (p, k) => rescore(p, gg[k]!)));
  }
  return r.value;
}

/**
 * {@link refineIdentification} as a generator of batches: yields the (probe, gallery) pairs to
 * rescore (two phases: the near-ties of each row, then the mated scores near a non-mated top or
 * threshold, which are only known once the first phase has settled the tops) and takes their canonical scores back,
 * so that a caller can score a batch on a native kernel (`scoreTemplatePairsAsync`). Returns how
 * many scores were refined.
 */
export function* refineSteps(
  M: Float32Array,
  probeSubject: ArrayLike<number>,
  gallerySubject: ArrayLike<number>,
  delta: number,
  fpirTargets?: readonly number[],
): Generator<[Int32Array, Int32Array], number, Float32Array> {
  // The scans are plain functions: a generator holding these loops is re-optimised (on-stack replacement,
  // then deoptimised at the next phase) several times per call.
  const r = new Refinement(M, gallerySubject.length, 2 * delta);
  const mates = matesOf(gallerySubject);
  const { matedProbes, nonMated } = r.nearTies(probeSubject, mates, fpirTargets);
  if (r.batch.length) r.store(yield r.take());
  r.nearNonMatedTops(matedProbes, nonMated, probeSubject, mates, fpirTargets);
  if (r.batch.length) r.store(yield r.take());
  return r.count;
}

/** The state of {@link refineSteps}: which scores were refined, and the batch to rescore. */
class Refinement {
  readonly done: Uint8Array;
  count = 0;
  batch: number[] = [];
  private taken: number[] = [];

  constructor(
    readonly M: Float32Array,
    readonly nG: number,
    /** 2δ. */
    readonly w: number,
  ) {
    this.done = new Uint8Array(M.length);
  }

  private fix(k: number): void {
    if (!this.done[k]) {
      this.done[k] = 1;
      this.batch.push(k);
      this.count++;
    }
  }

  /** The batch as (probe, gallery) index pairs; {@link store} takes their canonical scores. */
  take(): [Int32Array, Int32Array] {
    const ks = this.batch;
    this.taken = ks;
    this.batch = [];
    const nG = this.nG;
    const pp = new Int32Array(ks.length);
    const gg = new Int32Array(ks.length);
    for (let i = 0; i < ks.length; i++) {
      pp[i] = Math.floor(ks[i]! / nG);
      gg[i] = ks[i]! % nG;
    }
    return [pp, gg];
  }

  store(v: Float32Array): void {
    const ks = this.taken;
    for (let i = 0; i < ks.length; i++) this.M[ks[i]!] = v[i]!;
    this.taken = [];
  }

  /**
   * Phase 1, per probe: gallery scores within 2δ of a mate's score; for non-mated probes (all of them, or with
   * `fpirTargets` those whose top is within 2δ of a target's threshold), the scores within 2δ of the row's top.
   */
  nearTies(probeSubject: ArrayLike<number>, mates: Map<number, number[]>, fpirTargets?: readonly number[]): { matedProbes: number[]; nonMated: number[] } {
    const { M, nG, w } = this;
    const matedProbes: number[] = [];
    const nonMated: number[] = [];
    for (let p = 0; p < probeSubject.length; p++) {
      const off = p * nG;
      const gs = mates.get(probeSubject[p]!);
      if (!gs) {
        nonMated.push(p);
        continue;
      }
      matedProbes.push(p);
      for (const g of gs) {
        const m = M[off + g]!;
        let near = false;
        for (let h = 0; h < nG; h++)
          if (h !== g && Math.abs(M[off + h]! - m) <= w) {
            this.fix(off + h);
            near = true;
          }
        if (near) this.fix(off + g);
      }
    }
    const tops = this.tops(nonMated);
    const at = fpirTargets ? thresholds(tops, fpirTargets) : null;
    for (let i = 0; i < nonMated.length; i++) {
      const top = tops[i]!;
      if (at && !at.some((t) => Math.abs(top - t) <= w)) continue;
      const off = nonMated[i]! * nG;
      for (let g = 0; g < nG; g++) if (M[off + g]! >= top - w) this.fix(off + g);
    }
    return { matedProbes, nonMated };
  }

  /** The top score of each of the given rows. */
  private tops(rows: readonly number[]): Float64Array {
    const { M, nG } = this;
    const tops = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const off = rows[i]! * nG;
      let top = -Infinity;
      for (let g = 0; g < nG; g++) if (M[off + g]! > top) top = M[off + g]!;
      tops[i] = top;
    }
    return tops;
  }

  /** Phase 2: mated scores within 2δ of a (now canonical) non-mated top, or with `fpirTargets` of a (now canonical) threshold. */
  nearNonMatedTops(matedProbes: number[], nonMated: number[], probeSubject: ArrayLike<number>, mates: Map<number, number[]>, fpirTargets?: readonly number[]): void {
    const { M, nG, w } = this;
    const tops = this.tops(nonMated);
    const nmTops = fpirTargets ? Float64Array.from(thresholds(tops, fpirTargets)) : tops;
    nmTops.sort();
    const nearTop = (x: number): boolean => {
      let lo = 0;
      let hi = nmTops.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (nmTops[mid]! < x - w) lo = mid + 1;
        else hi = mid;
      }
      return lo < nmTops.length && nmTops[lo]! <= x + w;
    };
    for (const p of matedProbes) for (const g of mates.get(probeSubject[p]!)!) if (nearTop(M[p * nG + g]!)) this.fix(p * nG + g);
  }
}

/**
 * The TPIR@FPIR thresholds of `targets` given the non-mated tops (identification.ts `tpirAtFpir`: the (k + 1)-th
 * highest top); a target whose threshold is −∞ (k ≥ the count) has none.
 */
function thresholds(tops: Float64Array, targets: readonly number[]): number[] {
  const sorted = Float64Array.from(tops).sort();
  const n = sorted.length;
  const out: number[] = [];
  for (const target of targets) {
    const k = fpirCut(target, n);
    if (k >= 0 && k < n) out.push(sorted[n - 1 - k]!);
  }
  return out;
}

/** The gallery indices of each subject, in gallery order. */
function matesOf(gallerySubject: ArrayLike<number>): Map<number, number[]> {
  const mates = new Map<number, number[]>();
  for (let g = 0; g < gallerySubject.length; g++) {
    const list = mates.get(gallerySubject[g]!);
    if (list) list.push(g);
    else mates.set(gallerySubject[g]!, [g]);
  }
  return mates;
}
