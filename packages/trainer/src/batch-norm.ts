/**
 * Batch normalisation (TF1 `batch_norm`, scale = true) with a hand-written training-mode gradient.
 *
 * Why hand-written: on the tfjs cpu backend, reductions over N·H·W of an NHWC tensor transpose it
 * first and `tf.moments` broadcasts a [1,1,1,C] mean through the slow generic path; here every
 * reduction is a [1, M]·[M, C] matrix product and every broadcast a [C] vector (the fast path).
 * Values equal the composed-ops version to float32 rounding (tested).
 *
 * @module
 */
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from './backend.ts';

/** Parameters and state of one BN block. */
export interface BatchNormState {
  gamma: Tensor;
  beta: Tensor;
  movingMean: Variable;
  movingVariance: Variable;
  /** Moving-average decay (0.9). */
  momentum: number;
  epsilon: number;
}

/** Column sums of a [M, C] matrix as a [C] vector (a [1, M]·[M, C] product). */
function colSum(tf: Tf, a: Tensor, ones: Tensor): Tensor {
  return tf.reshape(tf.matMul(ones, a), [a.shape[1]!]);
}

/**
 * Inference mode: y = (x − moving_mean)·γ/√(moving_var + ε) + β over the last axis.
 */
export function batchNormInference(tf: Tf, x: Tensor, s: BatchNormState): Tensor {
  const scale = tf.mul(s.gamma, tf.rsqrt(tf.add(s.movingVariance, s.epsilon)));
  return tf.add(tf.mul(x, scale), tf.sub(s.beta, tf.mul(s.movingMean, scale)));
}

/**
 * Training mode: batch mean μ and biased variance σ² over every axis but the last; y = x̂·γ + β with
 * x̂ = (x − μ)/√(σ² + ε); updates `movingMean ← d·movingMean + (1 − d)·μ` and the same for the
 * variance with σ² (TF1 non-fused `batch_norm` with `updates_collections=None`), once per call.
 * Gradient (M = rows, over the last axis): dβ = Σ dy, dγ = Σ dy·x̂,
 * dx = γ/√(σ²+ε) · (dy − mean(dy) − x̂·mean(dy·x̂)).
 */
export function batchNormTraining(tf: Tf, x: Tensor, s: BatchNormState): Tensor {
  const shape = x.shape;
  const c = shape[shape.length - 1]!;
  const m = x.size / c;
  const f = tf.customGrad(((xx: Tensor, gamma: Tensor, beta: Tensor, save: (t: Tensor[]) => void) => {
    const x2 = tf.reshape(xx, [m, c]);
    const ones = tf.ones([1, m]);
    const mean = tf.div(colSum(tf, x2, ones), m);
    const xc = tf.sub(x2, mean);
    const variance = tf.div(colSum(tf, tf.square(xc), ones), m);
    const inv = tf.rsqrt(tf.add(variance, s.epsilon));
    const xhat = tf.mul(xc, inv);
    const d = s.momentum;
    s.movingMean.assign(tf.add(tf.mul(s.movingMean, d), tf.mul(mean, 1 - d)));
    s.movingVariance.assign(tf.add(tf.mul(s.movingVariance, d), tf.mul(variance, 1 - d)));
    save([xhat, inv, gamma]);
    return {
      value: tf.reshape(tf.add(tf.mul(xhat, gamma), beta), shape),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sxhat, sinv, sgamma] = saved as [Tensor, Tensor, Tensor];
        const dy2 = tf.reshape(dy, [m, c]);
        const o = tf.ones([1, m]);
        const dbeta = colSum(tf, dy2, o);
        const dgamma = colSum(tf, tf.mul(dy2, sxhat), o);
        const k = tf.mul(sgamma, sinv);
        const inner = tf.sub(tf.sub(dy2, tf.div(dbeta, m)), tf.mul(sxhat, tf.div(dgamma, m)));
        return [tf.reshape(tf.mul(inner, k), shape), dgamma, dbeta];
      },
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return (f as unknown as (a: Tensor, b: Tensor, c: Tensor) => Tensor)(x, s.gamma, s.beta);
}
