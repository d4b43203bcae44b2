/**
 * Vector helpers on embeddings: cosine similarity (row normalisation is core's `l2NormalizeRows`).
 *
 * @module
 */

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
