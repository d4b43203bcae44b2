/**
 * 1:1 verification metrics over scored pairs: ROC, TAR@FAR, AUC, EER.
 *
 * Conventions (evaluation.md):
 * - scores are similarities: a pair is accepted at threshold t when `score >= t`;
 * - the ROC has one point per distinct score value (tied scores are accepted together), in order of
 *   decreasing threshold, so FAR and TAR never decrease; the curve starts at (0, 0), which is not
 *   itself a cut;
 * - TAR@FAR `nearest` (tie-grouped; insightface): the distinct-threshold cut whose FAR is closest to the
 *   target, the first (highest-threshold) cut on ties; tied scores are always accepted together;
 * - TAR@FAR `matlab` (`CNN_single_verify.m`, method.md §6.2 step 4): the pairs are stably sorted (ties
 *   keep the input = comparison-file order) and every cut j = 1..n is a candidate, so a cut can fall
 *   inside a run of tied scores; j* = the first j minimising |FAR_j − target|;
 * - TAR@FAR `interpolated`: TAR on the piecewise-linear ROC at exactly the target FAR (on a vertical
 *   segment, its top);
 * - AUC: trapezoidal area under that curve (= P(genuine > impostor) + ½ P(tie));
 * - EER: where FAR = 1 − TAR on the piecewise-linear curve.
 *
 * Genuine and impostor scores are sorted separately (a radix sort in the order of the native typed-array
 * sort, no index arrays: `radix-sort.ts`) and
 * merged in one pass that feeds every read-out: memory stays O(pairs) typed arrays even for IJB-C.
 *
 * @module
 */
import { sortFloat64, sortFloats } from './radix-sort.ts';
import { checkScores, type Labels, type PairNamer, type Scores } from './stats.ts';

/** One TAR@FAR read-out, both definitions. */
export interface TarAtFar {
  /** Target FAR. */
  target: number;
  /** Tie-grouped: the distinct-threshold cut whose FAR is closest to the target (first on ties). */
  nearest: { tar: number; far: number; threshold: number };
  /**
   * MATLAB-exact: every cut j = 1..n of the stable sort (ties in input order), first j minimising
   * |FAR_j − target|; `cut` = j* (1-based), `threshold` = the score of the j*-th pair.
   */
  matlab: { tar: number; far: number; threshold: number; cut: number };
  /** TAR at exactly the target FAR on the piecewise-linear ROC. */
  interpolated: number;
}

/** Full ROC, one entry per distinct threshold (highest first); (0, 0) is implicit. */
export interface Roc {
  nGenuine: number;
  nImpostor: number;
  thresholds: Float64Array;
  tar: Float64Array;
  far: Float64Array;
}

/** Everything a verification report needs, from one sort. */
export interface VerificationMetrics {
  nGenuine: number;
  nImpostor: number;
  auc: number;
  eer: number;
  /** Threshold of the cut at which FAR first reaches 1 − TAR. */
  eerThreshold: number;
  tarAtFar: TarAtFar[];
  /** A thinned ROC for figures (starts at (0,0), ends at (1,1)). */
  curve: { far: Float64Array; tar: Float64Array };
}

/** Sorts float32 scores in place, ascending, exactly as `radix-sort.ts` `sortFloat32` does (e.g. on several threads). */
export type Float32Sorter = (a: Float32Array) => void;

function sortedHalves(scores: Scores, labels: Labels, describe?: PairNamer, sort32?: Float32Sorter): { gen: Scores; imp: Scores } {
  checkScores(scores, labels, 'roc', describe);
  let ng = 0;
  for (let i = 0; i < labels.length; i++) ng += labels[i]!;
  const Ctor = scores instanceof Float64Array ? Float64Array : Float32Array;
  const gen = new Ctor(ng);
  const imp = new Ctor(labels.length - ng);
  let a = 0;
  let b = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) gen[a++] = scores[i]!;
    else imp[b++] = scores[i]!;
  }
  // One radix scratch for both halves (the order is exactly that of TypedArray.prototype.sort).
  const scratch = new Int32Array((Ctor === Float64Array ? 2 : 1) * Math.max(gen.length, imp.length));
  sortFloats(gen, scratch);
  if (sort32 && imp instanceof Float32Array) sort32(imp);
  else sortFloats(imp, scratch);
  return { gen, imp };
}

/**
 * Calls `visit(acceptedGenuine, acceptedImpostor, threshold)` once per distinct score, from the
 * highest threshold down. Returns the class counts and the impostor and genuine scores in ascending order.
 */
export function sweepRoc(
  scores: Scores,
  labels: Labels,
  visit: (tp: number, fp: number, threshold: number) => void,
  describe?: PairNamer,
  sort32?: Float32Sorter,
): { nGenuine: number; nImpostor: number; sortedImpostors: Scores; sortedGenuine: Scores } {
  const { gen, imp } = sortedHalves(scores, labels, describe, sort32);
  let gi = gen.length - 1;
  let ii = imp.length - 1;
  let tp = 0;
  let fp = 0;
  while (gi >= 0 || ii >= 0) {
    const g = gi >= 0 ? gen[gi]! : -Infinity;
    const m = ii >= 0 ? imp[ii]! : -Infinity;
    const t = g > m ? g : m;
    while (gi >= 0 && gen[gi] === t) {
      tp++;
      gi--;
    }
    while (ii >= 0 && imp[ii] === t) {
      fp++;
      ii--;
    }
    visit(tp, fp, t);
  }
  return { nGenuine: gen.length, nImpostor: imp.length, sortedImpostors: imp, sortedGenuine: gen };
}

/** The full ROC (one point per distinct score). For very large inputs prefer {@link verificationMetrics}. */
export function roc(scores: Scores, labels: Labels): Roc {
  const th: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  const { nGenuine, nImpostor } = sweepRoc(scores, labels, (tp, fp, t) => {
    th.push(t);
    tps.push(tp);
    fps.push(fp);
  });
  return {
    nGenuine,
    nImpostor,
    thresholds: Float64Array.from(th),
    tar: Float64Array.from(tps, (v) => v / nGenuine),
    far: Float64Array.from(fps, (v) => v / nImpostor),
  };
}

/** Default FAR targets: IJB-A's two plus the IJB-B/C decades. */
export const IJBA_FAR_TARGETS = [1e-2, 1e-3] as const;
export const IJBC_FAR_TARGETS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1] as const;

/**
 * AUC, EER and TAR@FAR (both read-outs) for each target, plus a thinned curve, from one merge pass.
 * `sortFloat32`: sorts float32 impostor scores in their place (default `radix-sort.ts` `sortFloat32`; the IJB-C
 * pair-dots pool's sorts on two threads, same result).
 *
 * @example
 * const m = verificationMetrics(scores, labels, { farTargets: [1e-2, 1e-3] });
 * m.tarAtFar[0].nearest.tar; m.tarAtFar[0].interpolated; m.auc; m.eer;
 */
export function verificationMetrics(
  scores: Scores,
  labels: Labels,
  opts: { farTargets?: readonly number[]; curveResolution?: number; describePair?: PairNamer; sortFloat32?: Float32Sorter } = {},
): VerificationMetrics {
  const targets = opts.farTargets ?? IJBA_FAR_TARGETS;
  for (const f of targets) if (!(f > 0 && f <= 1)) throw new RangeError(`verificationMetrics: FAR target ${f} must be in (0, 1]`);
  const res = opts.curveResolution ?? 0.002;
  const k = targets.length;
  // Per-target state for the nearest read-out.
  const bestDist = new Float64Array(k).fill(Infinity);
  const bestTar = new Float64Array(k);
  const bestFar = new Float64Array(k);
  const bestThr = new Float64Array(k);
  // Per-target state for the interpolated read-out.
  const belowFar = new Float64Array(k);
  const belowTar = new Float64Array(k);
  const exactTar = new Float64Array(k).fill(-1);
  const aboveFar = new Float64Array(k).fill(-1);
  const aboveTar = new Float64Array(k);
  let settled = 0; // targets whose `above` point is set
  let nG = 0;
  let nI = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) nG++;
  nI = labels.length - nG;
  if (nG === 0 || nI === 0) throw new RangeError(`verificationMetrics: need both classes, got ${nG} genuine and ${nI} impostor pairs`);
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  let eer = Number.NaN;
  let eerThr = Number.NaN;
  const cf: number[] = [0];
  const ct: number[] = [0];
  let lastF = 0;
  let lastT = 0;
  const { sortedImpostors, sortedGenuine } = sweepRoc(
    scores,
    labels,
    (tp, fp, t) => {
      const far = fp / nI;
      const tar = tp / nG;
      area += (fp - prevFp) * (tp + prevTp);
      if (Number.isNaN(eer)) {
        const h = far - (1 - tar);
        if (h >= 0) {
          const pf = prevFp / nI;
          const hp = pf - (1 - prevTp / nG);
          const lam = h === hp ? 0 : -hp / (h - hp);
          eer = pf + lam * (far - pf);
          eerThr = t;
        }
      }
      // FAR never decreases from one cut to the next, so a target's read-outs are final once a cut with
      // FAR > target has been seen (its `above` point; later |FAR − target| only grow): skip it then.
      for (let j = 0; j < k && settled < k; j++) {
        if (aboveFar[j]! >= 0) continue;
        const f = targets[j]!;
        const d = Math.abs(far - f);
        if (d < bestDist[j]!) {
          bestDist[j] = d;
          bestTar[j] = tar;
          bestFar[j] = far;
          bestThr[j] = t;
        }
        if (far < f) {
          belowFar[j] = far;
          belowTar[j] = tar;
        } else if (far === f) exactTar[j] = tar;
        else {
          aboveFar[j] = far;
          aboveTar[j] = tar;
          settled++;
        }
      }
      if (far - lastF >= res || tar - lastT >= res || (far > 0 && lastF > 0 && far / lastF >= 1.05) || (lastF === 0 && far > 0)) {
        cf.push(far);
        ct.push(tar);
        lastF = far;
        lastT = tar;
      }
      prevTp = tp;
      prevFp = fp;
    },
    opts.describePair,
    opts.sortFloat32,
  );
  if (cf[cf.length - 1] !== 1 || ct[ct.length - 1] !== 1) {
    cf.push(1);
    ct.push(1);
  }
  // The first pair of the stable descending sort: the first index holding the highest score.
  const max = Math.max(sortedGenuine[nG - 1]!, sortedImpostors[nI - 1]!);
  let top = 0;
  while (scores[top] !== max) top++;
  const tarAtFar: TarAtFar[] = targets.map((target, j) => {
    let interp: number;
    if (exactTar[j]! >= 0) interp = exactTar[j]!;
    else if (aboveFar[j]! >= 0) interp = belowTar[j]! + ((aboveTar[j]! - belowTar[j]!) * (target - belowFar[j]!)) / (aboveFar[j]! - belowFar[j]!);
    else interp = belowTar[j]!;
    return {
      target,
      nearest: { tar: bestTar[j]!, far: bestFar[j]!, threshold: bestThr[j]! },
      matlab: cutOfSorted(scores, labels, target, nG, nI, sortedImpostors, sortedGenuine, top),
      interpolated: interp,
    };
  });
  return { nGenuine: nG, nImpostor: nI, auc: area / (2 * nG * nI), eer, eerThreshold: eerThr, tarAtFar, curve: { far: Float64Array.from(cf), tar: Float64Array.from(ct) } };
}

/**
 * The MATLAB-exact TAR@FAR cut (method.md §6.2 step 4) in O(n), without sorting an index array.
 *
 * Over the stable descending sort (ties keep input order), FAR_j = fp_j / nI never decreases, so the
 * first j minimising |FAR_j − t| is the first cut at which fp_j = f*, where f* is the attainable
 * impostor count closest to t·nI (the smaller on ties; 0 is attainable only when the first pair in
 * the sort is genuine, and then j* = 1). For f* ≥ 1 that cut ends at the f*-th impostor in the sort,
 * so TAR = #genuine sorted before it: genuine scores above its score, plus tied genuine pairs that
 * come earlier in the input. `sortedImpostors`: the impostor scores in ascending order, when the caller
 * has them (else they are sorted here).
 */
export function matlabCut(
  scores: Scores,
  labels: Labels,
  target: number,
  nG: number,
  nI: number,
  sortedImpostors?: Scores,
): { tar: number; far: number; threshold: number; cut: number } {
  let imp = sortedImpostors;
  if (!imp || imp.length !== nI) {
    const own = new Float64Array(nI);
    let b = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] !== 1) own[b++] = scores[i]!;
    imp = sortFloat64(own);
  }
  return cutOfSorted(scores, labels, target, nG, nI, imp, null, firstMaximum(scores));
}

/** Index of the first pair of the stable descending sort: the highest score, first index among equals. */
function firstMaximum(scores: Scores): number {
  let top = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[top]!) top = i;
  return top;
}

/** Number of elements of ascending `a` that are > `x` (`orEqual`: ≥ `x`), by binary search. */
function countAbove(a: Scores, x: number, orEqual = false): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! > x || (orEqual && a[mid] === x)) hi = mid;
    else lo = mid + 1;
  }
  return a.length - lo;
}

/**
 * {@link matlabCut} given the impostor scores ascending, the first pair of the sort (`top`) and,
 * when known, the genuine scores ascending: then the genuine pairs above the cut's score are counted
 * by binary search, and the input is scanned only when a genuine score ties with it.
 */
function cutOfSorted(
  scores: Scores,
  labels: Labels,
  target: number,
  nG: number,
  nI: number,
  imp: Scores,
  gen: Scores | null,
  top: number,
): { tar: number; far: number; threshold: number; cut: number } {
  const n = labels.length;
  let f = -1;
  let bestD = Infinity;
  // |f/nI − t| is convex in f: check the two integers around t·nI (and 0 when attainable), in
  // increasing f so that the smaller count wins ties — computed exactly as the per-cut loop does.
  const lo = Math.max(labels[top] === 1 ? 0 : 1, Math.min(nI, Math.floor(target * nI)));
  for (const c of [lo - 1, lo, lo + 1]) {
    if (c < (labels[top] === 1 ? 0 : 1) || c > nI) continue;
    const d = Math.abs(c / nI - target);
    if (d < bestD) {
      bestD = d;
      f = c;
    }
  }
  if (f === 0) return { tar: 1 / nG, far: 0, threshold: scores[top]!, cut: 1 };
  // Score τ of the f-th impostor: the f-th largest impostor score.
  const tau = imp[nI - f]!;
  let tp = 0;
  if (gen && gen.length === nG) {
    tp = countAbove(gen, tau);
    // No genuine score equals τ: the tied genuine pairs (input order) add nothing.
    if (countAbove(gen, tau, true) === tp) return { tar: tp / nG, far: f / nI, threshold: tau, cut: tp + f };
  }
  const above = countAbove(imp, tau); // impostors strictly above τ
  // The (f − above)-th tied impostor in input order fixes the input index ι of the cut's last pair.
  let need = f - above;
  let iota = -1;
  for (let i = 0; i < n && need > 0; i++) if (labels[i] !== 1 && scores[i] === tau && --need === 0) iota = i;
  tp = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1 && (scores[i]! > tau || (scores[i] === tau && i < iota))) tp++;
  return { tar: tp / nG, far: f / nI, threshold: tau, cut: tp + f };
}

/** TAR@FAR for each target, all read-outs. */
export function tarAtFar(scores: Scores, labels: Labels, targets: readonly number[]): TarAtFar[] {
  return verificationMetrics(scores, labels, { farTargets: targets }).tarAtFar;
}

/** Area under the ROC (trapezoidal; ties count ½). */
export function auc(scores: Scores, labels: Labels): number {
  return verificationMetrics(scores, labels, { farTargets: [] }).auc;
}

/** Equal error rate: FAR where FAR = 1 − TAR on the piecewise-linear ROC. */
export function eer(scores: Scores, labels: Labels): number {
  return verificationMetrics(scores, labels, { farTargets: [] }).eer;
}
