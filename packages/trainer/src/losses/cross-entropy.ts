/**
 * Identity classification loss (method.md §4.4: L_id = mean_b CE(softmax(logits_b), y_b); the
 * weight 2 of §4.5 is applied by the objective).
 *
 * @module
 */
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend.ts';

/**
 * Softmax cross-entropy averaged over the batch: (1/B) Σ_b −log softmax(logits_b)[y_b].
 *
 * @param logits [B, C] float32
 * @param labels [B] int32 class indices in [0, C)
 * @returns scalar
 */
export function crossEntropy(tf: Tf, logits: Tensor2D, labels: Tensor1D): Scalar {
  const c = logits.shape[1];
  const ls = tf.logSoftmax(logits);
  return tf.neg(tf.mean(tf.sum(tf.mul(ls, tf.oneHot(tf.cast(labels, 'int32'), c)), 1))) as Scalar;
}

/**
 * Top-1 accuracy in [0, 1]: the fraction of rows whose arg-max logit is the label (no gradient use).
 *
 * @param logits [B, C]
 * @param labels [B] int32
 */
export function accuracy(tf: Tf, logits: Tensor2D, labels: Tensor1D): Scalar {
  return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32'));
}
