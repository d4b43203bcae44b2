/**
 * 1:1 verification metrics over scored pairs: ROC, TAR@FAR, AUC, EER.
 *
 * Conventions (evaluation.md):
 * - scores are similarities: a pair is accepted at threshold t when `score >= t`;
 * - the ROC has one point per distinct score value (tied scores are accepted together), in order of
 *   decreasing threshold, so FAR and TAR never decrease; the curve starts at (0, 0), which is not
 *   itself a cut;
 * - TAR@FAR `nearest` (original MATLAB, insightface): the cut whose FAR is closest to the target,
 *   the first (highest-threshold) cut on ties;
 * - TAR@FAR `interpolated`: TAR on the piecewise-linear ROC at exactly the target FAR (on a vertical
 *   segment, its top);
 * - AUC: trapezoidal area under that curve (= P(genuine > impostor) + ½ P(tie));
 * - EER: where FAR = 1 − TAR on the piecewise-linear curve.
 *
 * Genuine and impostor scores are sorted separately (native typed-array sort, no index arrays) and
 * merged in one pass that feeds every read-out: memory stays O(pairs) typed arrays even for IJB-C.
 *
 * @module
 */
import { checkScores, type Labels, type Scores } from './stats.ts';

/** One TAR@FAR read-out, both definitions. */
export interface TarAtFar {
  /** Target FAR. */
  target: number;
  /** The cut whose FAR is closest to the target (first on ties). */
  nearest: { tar: number; far: number; threshold: number };
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

function sortedHalves(scores: Scores, labels: Labels): { gen: Scores; imp: Scores } {
  checkScores(scores, labels, 'roc');
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
  gen.sort();
  imp.sort();
  return { gen, imp };
}

/**
 * Calls `visit(acceptedGenuine, acceptedImpostor, threshold)` once per distinct score, from the
 * highest threshold down. Returns the class counts.
 */
export function sweepRoc(scores: Scores, labels: Labels, visit: (tp: number, fp: number, threshold: number) => void): { nGenuine: number; nImpostor: number } {
  const { gen, imp } = sortedHalves(scores, labels);
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
  return { nGenuine: gen.length, nImpostor: imp.length };
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
 *
 * @example
 * const m = verificationMetrics(scores, labels, { farTargets: [1e-2, 1e-3] });
 * m.tarAtFar[0].nearest.tar; m.tarAtFar[0].interpolated; m.auc; m.eer;
 */
export function verificationMetrics(scores: Scores, labels: Labels, opts: { farTargets?: readonly number[]; curveResolution?: number } = {}): VerificationMetrics {
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
  sweepRoc(scores, labels, (tp, fp, t) => {
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
    for (let j = 0; j < k; j++) {
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
      else if (aboveFar[j]! < 0) {
        aboveFar[j] = far;
        aboveTar[j] = tar;
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
  });
  if (cf[cf.length - 1] !== 1 || ct[ct.length - 1] !== 1) {
    cf.push(1);
    ct.push(1);
  }
  const tarAtFar: TarAtFar[] = targets.map((target, j) => {
    let interp: number;
    if (exactTar[j]! >= 0) interp = exactTar[j]!;
    else if (aboveFar[j]! >= 0) interp = belowTar[j]! + ((aboveTar[j]! - belowTar[j]!) * (target - belowFar[j]!)) / (aboveFar[j]! - belowFar[j]!);
    else interp = belowTar[j]!;
    return { target, nearest: { tar: bestTar[j]!, far: bestFar[j]!, threshold: bestThr[j]! }, interpolated: interp };
  });
  return { nGenuine: nG, nImpostor: nI, auc: area / (2 * nG * nI), eer, eerThreshold: eerThr, tarAtFar, curve: { far: Float64Array.from(cf), tar: Float64Array.from(ct) } };
}

/** TAR@FAR for each target, both read-outs. */
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
