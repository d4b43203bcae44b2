/**
 * Vector helpers on embeddings: cosine similarity and in-place L2 normalisation.
 *
 * @module
 */
import type { Embeddings } from '@interpret-fr/core';

/**
 * Cosine similarity of two feature vectors, in [−1, 1] (0 when either is all zeros). Accumulates in
 * float64.
 *
 * @example
 * const e = await rec.embed([a, b]);
 * const s = cosineSimilarity(embeddingRow(e, 0), embeddingRow(e, 1));
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`similarity: vectors have different lengths ${a.length} and ${b.length}`);
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!,
      y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** Divides each row by max(‖row‖₂, eps), in place; returns the same object. */
export function l2NormalizeRows(e: Embeddings, eps = 1e-12): Embeddings {
  const { data, n, dim } = e;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[o + j]! * data[o + j]!;
    const inv = 1 / Math.max(Math.sqrt(s), eps);
    for (let j = 0; j < dim; j++) data[o + j]! *= inv;
  }
  return e;
}
