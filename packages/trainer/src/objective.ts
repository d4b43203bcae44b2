/**
 * The training objective of method.md §4.5 / §10 as weighted loss terms:
 *
 *   L = w_ce·CE(clean) + w_ceOcc·CE(occluded, τ-masked) + w_W·L_W + w_sad·L_SAD(clean)
 *       + w_sadOcc·L_SAD(occluded) + w_fad·Σ_{fadKeep least-changed} δ
 *
 * @module
 */
import type { Scalar, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { ModelSpec, Rng } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import type { Net } from './net.ts';
import type { Params } from './params.ts';
import { mapsKernelName } from './loss-weights.ts';
import type { LossTerms, LossWeights } from './loss-weights.ts';
import { param } from './params.ts';
import { accuracy, crossEntropy } from './losses/cross-entropy.ts';
import { sadLoss } from './losses/sad.ts';
import { weightDiversityLoss } from './losses/weight-diversity.ts';
import { fadLoss } from './losses/fad.ts';

/** One training mini-batch: clean images, occluded images (null: no occluded branch), labels. */
export interface TrainBatch {
  /** [B, H, W, 3] in [−1, 1]. */
  x: Tensor4D;
  /** [B, H, W, 3] occluded copy of x, or null. */
  xOcc: Tensor4D | null;
  /** [B] int32 identities. */
  labels: Tensor1D;
  /** Teacher descriptors [B, T] (L2-normalised) and a [B] 0/1 mask of the images that have one. */
  teacher?: { target: Tensor2D; mask: Tensor1D } | null;
}

/** Scalar tensors of an objective evaluation (named as {@link LossTerms}). */
export type TermTensors = Partial<Record<keyof LossTerms, Scalar>>;

/**
 * Evaluates the weighted objective on one batch in training mode (BN moving statistics update,
 * dropout from `rng`). Order of the forward passes (and of the dropout draws): clean, then occluded.
 * `withMetrics` adds accuracies and the embedding norm (no gradient use). Call inside a tidy /
 * gradient scope.
 */
export function objective(
  tf: Tf,
  spec: ModelSpec,
  net: Net,
  params: Params,
  batch: TrainBatch,
  w: LossWeights,
  rng: Rng,
  withMetrics = false,
): { total: Scalar; terms: TermTensors } {
  const terms: TermTensors = {};
  const parts: Scalar[] = [];
  const add = (name: keyof LossTerms, weight: number, value: Scalar): void => {
    terms[name] = value;
    parts.push(tf.mul(value, weight));
  };
  const clean = net.forward(batch.x, { training: true, rng });
  if (w.ce > 0) add('ce', w.ce, crossEntropy(tf, clean.logits, batch.labels));
  if (w.sad > 0 && clean.maps) add('sad', w.sad, sadLoss(tf, clean.maps));
  const kernel = mapsKernelName(spec);
  if (w.weightDiversity > 0 && kernel) add('weightDiversity', w.weightDiversity, weightDiversityLoss(tf, param(params, kernel) as Tensor4D));
  if (batch.xOcc && (w.ceOcc > 0 || w.fad > 0 || (w.sadOcc > 0 && clean.maps))) {
    let fad: Scalar | undefined;
    const needMask = w.ceOcc > 0 || w.fad > 0;
    const occ = net.forward(batch.xOcc, {
      training: true,
      rng,
      ...(needMask
        ? {
            featureMask: (fOcc: Tensor2D) => {
              const r = fadLoss(tf, clean.embedding, fOcc, w.fadKeep);
              fad = r.loss;
              return r.mask;
            },
          }
        : {}),
    });
    if (w.ceOcc > 0) add('ceOcc', w.ceOcc, crossEntropy(tf, occ.logits, batch.labels));
    if (w.sadOcc > 0 && occ.maps) add('sadOcc', w.sadOcc, sadLoss(tf, occ.maps));
    if (w.fad > 0 && fad) add('fad', w.fad, fad);
    if (withMetrics) terms.accuracyOcc = accuracy(tf, occ.logits, batch.labels);
  }
  if ((w.distill ?? 0) > 0 && batch.teacher) {
    const z = tf.add(tf.matMul(clean.embedding, param(params, 'distill/kernel') as Tensor2D), param(params, 'distill/bias'));
    const zn = tf.mul(z, tf.rsqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-12)));
    const cos = tf.sum(tf.mul(zn, batch.teacher.target), 1);
    const m = batch.teacher.mask;
    add('distill', w.distill!, tf.div(tf.sum(tf.mul(tf.sub(1, cos), m)), tf.maximum(tf.sum(m), 1)) as Scalar);
  }
  if (parts.length === 0) throw new Error(`objective: every loss weight is 0 or inapplicable (weights ${JSON.stringify(w)})`);
  const total = parts.length === 1 ? parts[0]! : (tf.addN(parts) as Scalar);
  if (withMetrics) {
    if (!terms.ce) terms.ce = crossEntropy(tf, clean.logits, batch.labels);
    terms.accuracy = accuracy(tf, clean.logits, batch.labels);
    terms.embeddingNorm = tf.mean(tf.sqrt(tf.sum(tf.square(clean.embedding), 1))) as Scalar;
  }
  return { total, terms };
}
