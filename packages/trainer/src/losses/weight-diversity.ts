/**
 * Filter-weight diversity (method.md §4.3, the original's `diversityLossA`).
 *
 * @module
 */
import type { Scalar, Tensor4D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend.ts';

/**
 * Mean over output filters of the mean squared cosine between the filter's spatial taps: for each
 * filter k, V_k ∈ R^{T×Cin} holds its T = kh·kw taps (9 for 3×3) as vectors over input channels;
 *
 *   L_W = (1/K) Σ_k (1/(T(T−1))) Σ_{p≠q} cos²(V_k[p], V_k[q])
 *
 * Norms are floored at `epsilon` (an all-zero tap has cosine 0 instead of NaN). Weight 100 in §4.5.
 *
 * @param kernel [kh, kw, Cin, K] conv kernel (HWIO), the k5 conv in the original
 * @returns scalar in [0, 1]
 */
export function weightDiversityLoss(tf: Tf, kernel: Tensor4D, epsilon = 1e-8): Scalar {
  const [kh, kw, cin, k] = kernel.shape;
  const t = kh * kw;
  if (t < 2) throw new Error(`weightDiversityLoss: need at least 2 taps, got a ${kh}×${kw} kernel`);
  const v = tf.transpose(tf.reshape(kernel, [t, cin, k]), [2, 0, 1]); // [K, T, Cin]
  const gram = tf.matMul(v, v, false, true); // [K, T, T]
  const inv = tf.rsqrt(tf.maximum(tf.sum(tf.square(v), 2), epsilon * epsilon)); // [K, T]
  const cos = tf.mul(tf.mul(gram, tf.expandDims(inv, 2)), tf.expandDims(inv, 1));
  const off = tf.sub(1, tf.eye(t));
  return tf.div(tf.sum(tf.mul(tf.square(cos), off)), k * t * (t - 1));
}
