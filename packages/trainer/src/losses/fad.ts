/**
 * Feature Activation Diversity loss (method.md §4.4).
 *
 * @module
 */
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend.ts';
import { noGrad } from '../net.ts';

/**
 * FAD: δ_d = (1/B) Σ_b |f_{b,d} − f̂_{b,d}| per feature dimension; τ = indicator of the `keep`
 * smallest δ (the dimensions least affected by this batch's occlusion; hard, gradient-free);
 * loss = Σ_d τ_d·δ_d (a sum, not a mean; the caller multiplies by the weight, 0.1 in §4.5).
 * Gradients reach both f and f̂ through δ, none through τ.
 *
 * Ties: τ keeps exactly `keep` dimensions (`tf.topk` order breaks exact ties), where the
 * original's δ ≤ δ_(keep) would keep more at an exact tie.
 *
 * @param f [B, D] clean features (before dropout)
 * @param fOcc [B, D] occluded features
 * @param keep number of dimensions kept, 1 ≤ keep ≤ D (260 of 320 in the original)
 * @returns the loss (scalar) and τ ([D] float32 of 0/1, gradient-free: use it as the FAD feature mask)
 */
export function fadLoss(tf: Tf, f: Tensor2D, fOcc: Tensor2D, keep: number): { loss: Scalar; mask: Tensor1D } {
  const d = f.shape[1];
  if (!Number.isInteger(keep) || keep < 1 || keep > d) throw new Error(`fadLoss: keep must be an integer in [1, ${d}], got ${keep}`);
  const delta = tf.mean(tf.abs(tf.sub(f, fOcc)), 0) as Tensor1D;
  const mask = noGrad(tf, (x: Tensor) => tf.sum(tf.oneHot(tf.topk(tf.neg(x), keep).indices, d, 1, 0, 'float32'), 0))(delta) as Tensor1D;
  return { loss: tf.sum(tf.mul(mask, delta)), mask };
}
