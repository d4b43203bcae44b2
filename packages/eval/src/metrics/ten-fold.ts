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

/** Result of {@link trainTestAccuracy}. */
export interface TrainTestAccuracy {
  /** Threshold maximising accuracy on the training pairs (`score >= t` = same; ties → smallest). */
  threshold: number;
  trainAccuracy: number;
  /** Accuracy of the test pairs at that threshold. */
  accuracy: number;
}

/**
 * Accuracy with a threshold chosen on a separate training list (LFW View 1: `pairsDevTrain.txt` →
 * `pairsDevTest.txt`), the same threshold rule as {@link lfwTenFold}: candidates are every distinct
 * training score and +∞, the best training accuracy wins, ties → the smallest threshold.
 *
 * @example const r = trainTestAccuracy(trainScores, trainLabels, testScores, testLabels); r.accuracy;
 */
export function trainTestAccuracy(trainScores: Scores, trainLabels: Labels, testScores: Scores, testLabels: Labels): TrainTestAccuracy {
  checkScores(trainScores, trainLabels, 'trainTestAccuracy (train)');
  checkScores(testScores, testLabels, 'trainTestAccuracy (test)');
  const n = trainScores.length;
  if (n === 0 || testScores.length === 0) throw new RangeError('trainTestAccuracy: empty train or test list');
  const zeros = new Int32Array(n + testScores.length);
  zeros.fill(1, n);
  const scores = new Float64Array(n + testScores.length);
  const labels = new Uint8Array(n + testScores.length);
  for (let i = 0; i < n; i++) {
    scores[i] = trainScores[i]!;
    labels[i] = trainLabels[i]!;
  }
  for (let i = 0; i < testScores.length; i++) {
    scores[n + i] = testScores[i]!;
    labels[n + i] = testLabels[i]!;
  }
  // Fold 1 = test: lfwTenFold's fold-1 threshold is learnt on fold 0 (train) only.
  const r = lfwTenFold(scores, labels, zeros, 2);
  const threshold = r.thresholds[1]!;
  let ok = 0;
  for (let i = 0; i < n; i++) if ((trainScores[i]! >= threshold ? 1 : 0) === trainLabels[i]) ok++;
  return { threshold, trainAccuracy: ok / n, accuracy: r.accuracy.folds[1]! };
}
