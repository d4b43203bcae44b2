/**
 * LFW-style k-fold verification accuracy (evaluation.md): for each fold, the threshold maximising
 * accuracy on the other folds (pairs with `score >= t` are called "same"; candidates are every
 * distinct training score and +∞; ties → the smallest threshold) is applied to the held-out fold.
 * The std over folds is the sample std (N − 1), and reports say so.
 *
 * @module
 */
import { checkScores, meanStd, type Labels, type PairNamer, type Scores } from './stats.ts';

/** Result of {@link lfwTenFold}. */
export interface TenFoldResult {
  accuracy: { mean: number; std: number; folds: number[] };
  thresholds: number[];
  stdKind: 'sample (N-1)';
}

/**
 * k-fold accuracy. `fold[i]` in 0..nFolds−1 says which fold pair i belongs to.
 *
 * @example
 * const r = lfwTenFold(scores, labels, fold); r.accuracy.mean;
 */
export function lfwTenFold(scores: Scores, labels: Labels, fold: ArrayLike<number>, nFolds = 10, describePair?: PairNamer): TenFoldResult {
  checkScores(scores, labels, 'lfwTenFold', describePair);
  const n = scores.length;
  if (fold.length !== n) throw new RangeError(`lfwTenFold: ${fold.length} fold indices for ${n} pairs`);
  for (let i = 0; i < n; i++) {
    const f = fold[i]!;
    if (!Number.isInteger(f) || f < 0 || f >= nFolds) throw new RangeError(`lfwTenFold: pair ${i} has fold ${f}, expected 0..${nFolds - 1}`);
  }
  // One sort: pair indices by descending score.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  const folds: number[] = [];
  const thresholds: number[] = [];
  for (let f = 0; f < nFolds; f++) {
    let nTrain = 0;
    let diffTrain = 0;
    for (let i = 0; i < n; i++)
      if (fold[i] !== f) {
        nTrain++;
        if (labels[i] === 0) diffTrain++;
      }
    // Threshold +∞: everything called "different".
    let bestCorrect = diffTrain;
    let bestT = Infinity;
    let correct = diffTrain;
    let i = 0;
    while (i < n) {
      const t = scores[order[i]!]!;
      let inTrain = false;
      while (i < n && scores[order[i]!] === t) {
        const p = order[i]!;
        if (fold[p] !== f) {
          correct += labels[p] === 1 ? 1 : -1;
          inTrain = true;
        }
        i++;
      }
      if (inTrain && correct >= bestCorrect) {
        bestCorrect = correct;
        bestT = t;
      }
    }
    if (nTrain === 0) throw new RangeError(`lfwTenFold: no training pairs outside fold ${f}`);
    let ok = 0;
    let m = 0;
    for (let p = 0; p < n; p++) {
      if (fold[p] !== f) continue;
      m++;
      if ((scores[p]! >= bestT ? 1 : 0) === labels[p]) ok++;
    }
    if (m === 0) throw new RangeError(`lfwTenFold: fold ${f} is empty`);
    folds.push(ok / m);
    thresholds.push(bestT);
  }
  const s = meanStd(folds);
  return { accuracy: { mean: s.mean, std: s.std, folds }, thresholds, stdKind: 'sample (N-1)' };
}
