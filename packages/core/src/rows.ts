/**
 * Row-wise helpers on row-major `n × dim` matrices ({@link Embeddings}, feature matrices).
 *
 * @module
 */

/**
 * Scales each of the `n` rows of `dim` values to unit L2 norm: `row / max(‖row‖₂, eps)` (the sum of
 * squares accumulated in float64; zero rows stay zero). Writes into `out` (a new array by default;
 * pass `data` itself to normalise in place) and returns it. The same formula as the exported graph's
 * `l2norm` block (eps = 1e-12).
 *
 * @example
 * const unit = l2NormalizeRows(e.data, e.n, e.dim);          // a copy
 * l2NormalizeRows(e.data, e.n, e.dim, e.data);                // in place
 */
export function l2NormalizeRows(data: Float32Array, n: number, dim: number, out: Float32Array = new Float32Array(n * dim), eps = 1e-12): Float32Array {
  if (data.length !== n * dim) throw new RangeError(`l2NormalizeRows: ${data.length} values, expected ${n} × ${dim}`);
  if (out.length !== n * dim) throw new RangeError(`l2NormalizeRows: out has ${out.length} values, expected ${n} × ${dim}`);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) s += data[o + k]! * data[o + k]!;
    const inv = s > 0 ? 1 / Math.max(Math.sqrt(s), eps) : 0;
    for (let k = 0; k < dim; k++) out[o + k] = data[o + k]! * inv;
  }
  return out;
}
