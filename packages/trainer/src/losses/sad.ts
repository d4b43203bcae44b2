/**
 * Spatial Activation Diversity loss (method.md §4.2, the original's `diversityLossB`).
 *
 * @module
 */
import type { Scalar, Tensor4D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend.ts';

/** Options of {@link sadLoss}. */
export interface SadOptions {
  /** σ of the 3×3 Gaussian, in map cells (1.5 in the original). */
  sigma?: number;
  /** Norm floor of the zero-channel guard (default 1e-8). */
  epsilon?: number;
}

/**
 * The normalised 3×3 Gaussian G[i][j] ∝ exp(−((i−1)² + (j−1)²)/(2σ²)), row-major. For σ = 1.5:
 * centre 0.147761, edges 0.118318, corners 0.0947416 (the original's constants).
 */
export function gaussian3x3(sigma: number): Float32Array {
  const g = new Float64Array(9);
  let s = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const v = Math.exp(-((i - 1) ** 2 + (j - 1) ** 2) / (2 * sigma * sigma));
      g[i * 3 + j] = v;
      s += v;
    }
  }
  return Float32Array.from(g, (v) => v / s);
}

/**
 * SAD: for each image b, smooth every channel of the masked maps with the 3×3 Gaussian (σ = 1.5,
 * stride 1, SAME zero padding; a depthwise conv, no cross-channel terms), form Z_b ∈ R^{P×K}
 * (P = H·W positions, K channels), take the cosine S_b[i,j] between columns i ≠ j, and average
 * S_b[i,j]² over the K(K−1) ordered off-diagonal pairs; then average over the batch:
 *
 *   L_SAD = (1/B) Σ_b (1/(K(K−1))) Σ_{i≠j} S_b[i,j]²
 *
 * The Gram matrices come from one batched matMul Z_bᵀ Z_b.
 *
 * Zero-channel guard: norms are floored, ‖Z[:,k]‖ → max(‖Z[:,k]‖, ε). An all-zero channel (which
 * the original divides by, giving NaN) then has cosine 0 with every channel, so it adds nothing and
 * its gradient is finite; other channels' cosines are unchanged (their norms exceed ε).
 *
 * @param maps [B, H, W, K] top-k-masked response maps (signed)
 * @returns scalar in [0, 1]: 0 when all smoothed maps are mutually orthogonal, 1 when all are parallel
 */
export function sadLoss(tf: Tf, maps: Tensor4D, opts: SadOptions = {}): Scalar {
  const sigma = opts.sigma ?? 1.5;
  const eps = opts.epsilon ?? 1e-8;
  const [b, h, w, k] = maps.shape;
  if (k < 2) throw new Error(`sadLoss: need at least 2 channels, got maps of shape [${maps.shape}]`);
  const filter = tf.tile(tf.tensor4d(gaussian3x3(sigma), [3, 3, 1, 1]), [1, 1, k, 1]);
  const z = tf.reshape(tf.depthwiseConv2d(maps, filter as Tensor4D, 1, 'same'), [b, h * w, k]);
  const gram = tf.matMul(z, z, true, false); // [B, K, K]
  const inv = tf.rsqrt(tf.maximum(tf.sum(tf.square(z), 1), eps * eps)); // [B, K]
  const cos = tf.mul(tf.mul(gram, tf.expandDims(inv, 2)), tf.expandDims(inv, 1));
  const off = tf.sub(1, tf.eye(k));
  return tf.div(tf.sum(tf.mul(tf.square(cos), off)), b * k * (k - 1));
}
