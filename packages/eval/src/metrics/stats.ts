/**
 * Summary statistics used by every report.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core/errors';

/** Mean and standard deviation of a list of per-split (or per-fold) values. */
export interface MeanStd {
  mean: number;
  /** Sample standard deviation (divisor N − 1, as MATLAB `std`); 0 when fewer than two values. */
  std: number;
}

/**
 * Mean and sample standard deviation (N − 1, MATLAB `std`) of the finite values given.
 *
 * @example
 * meanStd([1, 2, 3]); // { mean: 2, std: 1 }
 */
export function meanStd(values: ArrayLike<number>): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = s / n;
  if (n < 2) return { mean, std: 0 };
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / (n - 1)) };
}

/** The label vector convention: 1 = genuine (same identity), 0 = impostor. */
export type Labels = Uint8Array;

/** Scores: higher means "more likely the same identity" (similarities, not distances). */
export type Scores = Float32Array | Float64Array;

/** Names pair i for error messages (its file and line, its two ids). */
export type PairNamer = (i: number) => string;

/** A non-finite score: names the pair (source file and line when the caller knows them). */
export class ScoreValueError extends InterpretFrError {
  constructor(
    readonly pair: number,
    message: string,
  ) {
    super(message, { code: 'data' });
    this.name = 'ScoreValueError';
  }
}

/**
 * Throws naming the first non-finite score (NaN, ±Infinity: through `describe`, the pair's source
 * file, line and ids) or non-0/1 label.
 */
export function checkScores(scores: Scores, labels: Labels, what: string, describe?: PairNamer): void {
  if (scores.length !== labels.length) throw new RangeError(`${what}: ${scores.length} scores but ${labels.length} labels`);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s - s !== 0)
      throw new ScoreValueError(
        i,
        `${what}: the score of ${describe ? describe(i) : `pair ${i} (0-based)`} is ${s}; scores must be finite (check the features it was computed from)`,
      );
    const l = labels[i]!;
    if (l !== 0 && l !== 1) throw new RangeError(`${what}: label ${i} is ${l}, expected 0 (impostor) or 1 (genuine)`);
  }
}
