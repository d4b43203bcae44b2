/**
 * The network of a {@link ModelSpec} as a tfjs forward function (NHWC), training and inference
 * modes (method.md §2). Block semantics:
 *
 * - conv: `tf.conv2d(x, W, stride, 'same')` (+ bias); tfjs `'same'` pads like TF (extra pixel after);
 *   on the cpu backend the filter gradient is computed by {@link conv2dSame}'s fast path (conv.ts).
 * - batchNorm: training: batch statistics over N,H,W (biased variance) and in-place moving-average
 *   update `m ← decay·m + (1 − decay)·batch` per forward call (TF1 `batch_norm`, `updates_collections=None`,
 *   non-fused: the moving variance is the biased batch variance); inference: moving statistics
 *   (batch-norm.ts).
 * - resize: bilinear; `asymmetric` = `resizeBilinear(x, size, alignCorners=false, halfPixelCenters=false)`.
 * - l2norm: x / max(‖x‖, ε) along channels, computed as x · rsqrt(max(Σx², ε²)) (same value, finite gradient).
 * - topkMask: see {@link topkMask}. gap: mean over H, W. dropout: see {@link dropout}. dense: x·W + b.
 *
 * @module
 */
import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Block, ModelSpec, Rng } from '@interpret-fr/core';
import { INPUT, validateSpec } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import type { Params } from './params.ts';
import { param } from './params.ts';
import type { FilterGrad } from './backend-info.ts';
import { conv2dSame } from './conv.ts';
import { batchNormInference, batchNormTraining } from './batch-norm.ts';

/** Outputs of one forward pass (tensors owned by the caller's `tf.tidy`). */
export interface ForwardOut {
  /** The face feature f, [N, D], before dropout and before any feature mask. */
  embedding: Tensor2D;
  /** Classifier logits [N, classes]. */
  logits: Tensor2D;
  /** The top-k-masked response maps [N, H, W, K] (specs with `outputs.maps`). */
  maps?: Tensor4D;
  /** Every block's output by name (only with `collect`). */
  all?: Map<string, Tensor>;
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Training mode: BN batch statistics + moving-stat update, dropout active. */
  training: boolean;
  /** Source of the dropout masks (required in training mode when a dropout has keep < 1). */
  rng?: Rng;
  /** Keep every block's output in `ForwardOut.all`. */
  collect?: boolean;
  /**
   * Multiplies the embedding before the blocks after it (dropout, classifier): the FAD occluded
   * branch's logits_o = FC(dropout(τ ⊙ f̂)) (method.md §4.4). A function receives f (the unmasked
   * embedding) and returns τ, for masks that depend on f itself.
   */
  featureMask?: Tensor1D | ((embedding: Tensor2D) => Tensor1D);
}

/** A built network. */
export interface Net {
  /** Runs the network on x, NHWC in [−1, 1]. Call inside `tf.tidy` (intermediates are not disposed). */
  forward(x: Tensor4D, opts: ForwardOptions): ForwardOut;
}

/**
 * Wraps `fn` so that no gradient flows back through it (a hard, gradient-free selection).
 * tfjs has no `stopGradient`; this is a `customGrad` whose gradient is zero.
 */
export function noGrad(tf: Tf, fn: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return tf.customGrad(((x: Tensor) => ({ value: fn(x), gradFunc: () => tf.zerosLike(x) })) as Parameters<Tf['customGrad']>[0]) as (x: Tensor) => Tensor;
}

/**
 * Per-image, per-channel top-k magnitude mask over all positions, signs kept (method.md §2.3 step 3).
 * t = k-th largest |x| of channel c of image b (`tf.topk` on |x| as [B, C, H·W]); keeps |x| ≥ t
 * (`'ge'`: k values, more at exact ties) or |x| > t (`'gt'`, the original: k − 1 without ties).
 * The mask is gradient-free; the gradient flows through x ⊙ mask to the kept positions.
 */
export function topkMask(tf: Tf, x: Tensor4D, k: number, compare: 'ge' | 'gt'): Tensor4D {
  const [b, h, w, c] = x.shape;
  const mask = noGrad(tf, (xx) => {
    const a = tf.abs(xx);
    const vals = tf.topk(tf.transpose(tf.reshape(a, [b, h * w, c]), [0, 2, 1]), k).values; // [B, C, k]
    const kth = tf.reshape(tf.min(vals, -1), [b, 1, 1, c]); // the k-th largest
    return tf.cast(compare === 'ge' ? tf.greaterEqual(a, kth) : tf.greater(a, kth), 'float32');
  })(x);
  return tf.mul(x, mask) as Tensor4D;
}

/** x / max(‖x‖₂, ε) along the last axis, as x · rsqrt(max(Σx², ε²)). */
export function l2normalize(tf: Tf, x: Tensor, epsilon: number): Tensor {
  const ss = tf.sum(tf.square(x), -1, true);
  return tf.mul(x, tf.rsqrt(tf.maximum(ss, epsilon * epsilon)));
}

/**
 * Inverted dropout with a mask drawn from `rng` (reproducible): each element is kept with
 * probability `keep` and scaled by 1/keep. One `rng.float()` per element, row-major.
 */
export function dropout(tf: Tf, x: Tensor, keep: number, rng: Rng): Tensor {
  if (keep >= 1) return x;
  const m = new Float32Array(x.size);
  const s = 1 / keep;
  for (let i = 0; i < m.length; i++) m[i] = rng.float() < keep ? s : 0;
  return tf.mul(x, tf.tensor(m, x.shape, 'float32'));
}

function resize(tf: Tf, x: Tensor4D, b: Extract<Block, { kind: 'resize' }>): Tensor4D {
  const size: [number, number] = [b.size[0], b.size[1]];
  if (b.coordinate === 'asymmetric') return tf.image.resizeBilinear(x, size, false, false);
  if (b.coordinate === 'half_pixel') return tf.image.resizeBilinear(x, size, false, true);
  return tf.image.resizeBilinear(x, size, true, false);
}

function batchNorm(tf: Tf, x: Tensor, b: Extract<Block, { kind: 'batchNorm' }>, params: Params, training: boolean): Tensor {
  const movingMean = params.get(`${b.name}/moving_mean`);
  const movingVariance = params.get(`${b.name}/moving_variance`);
  if (!movingMean || !movingVariance) throw new Error(`batchNorm "${b.name}": moving statistics missing from params`);
  const st = { gamma: param(params, `${b.name}/gamma`), beta: param(params, `${b.name}/beta`), movingMean, movingVariance, momentum: b.momentum, epsilon: b.epsilon };
  return training ? batchNormTraining(tf, x, st) : batchNormInference(tf, x, st);
}

/** Options of {@link buildNet}. */
export interface BuildNetOptions {
  /**
   * Conv filter gradient: the backend's `'native'` kernel (default) or `'conv'` (a convolution; much
   * faster on the cpu backend). Take it from the loaded backend: `loadBackend(…).filterGrad`.
   */
  filterGrad?: FilterGrad;
}

/**
 * Builds the forward function of `spec` over `params` (names of `paramInfos(spec)`).
 *
 * @example
 * const net = buildNet(tf, spec, params);
 * const f = tf.tidy(() => net.forward(x, { training: false }).embedding);
 */
export function buildNet(tf: Tf, spec: ModelSpec, params: Params, opts: BuildNetOptions = {}): Net {
  validateSpec(spec);
  const filterGrad = opts.filterGrad ?? 'native';
  const o = spec.outputs;
  function forward(x: Tensor4D, opts: ForwardOptions): ForwardOut {
    const [, h, w, c] = x.shape;
    if (h !== spec.inputSize || w !== spec.inputSize || c !== spec.inputChannels) {
      throw new Error(`forward: input shape [${x.shape}] does not match spec "${spec.name}" ([N, ${spec.inputSize}, ${spec.inputSize}, ${spec.inputChannels}])`);
    }
    const v = new Map<string, Tensor>([[INPUT, x]]);
    const all = opts.collect ? new Map<string, Tensor>() : undefined;
    let embedding: Tensor | undefined;
    const get = (n: string): Tensor => v.get(n)!;
    for (const b of spec.blocks) {
      let y: Tensor;
      switch (b.kind) {
        case 'conv': {
          y = conv2dSame(tf, get(b.input) as Tensor4D, param(params, `${b.name}/kernel`) as Tensor4D, b.stride, filterGrad);
          if (b.bias) y = tf.add(y, param(params, `${b.name}/bias`));
          break;
        }
        case 'batchNorm':
          y = batchNorm(tf, get(b.input), b, params, opts.training);
          break;
        case 'act':
          y = b.fn === 'elu' ? tf.elu(get(b.input)) : tf.relu(get(b.input));
          break;
        case 'resize':
          y = resize(tf, get(b.input) as Tensor4D, b);
          break;
        case 'l2norm':
          y = l2normalize(tf, get(b.input), b.epsilon);
          break;
        case 'concat':
          y = tf.concat(b.inputs.map(get), -1);
          break;
        case 'topkMask':
          y = topkMask(tf, get(b.input) as Tensor4D, b.k, b.compare);
          break;
        case 'gap':
          y = tf.mean(get(b.input), [1, 2]);
          break;
        case 'dropout': {
          if (!opts.training || b.keep >= 1) y = get(b.input);
          else {
            if (!opts.rng) throw new Error(`forward: dropout "${b.name}" in training mode needs opts.rng`);
            y = dropout(tf, get(b.input), b.keep, opts.rng);
          }
          break;
        }
        case 'dense':
          y = tf.add(tf.matMul(get(b.input) as Tensor2D, param(params, `${b.name}/kernel`) as Tensor2D), param(params, `${b.name}/bias`));
          break;
      }
      all?.set(b.name, y);
      if (b.name === o.embedding) {
        embedding = y;
        if (opts.featureMask) {
          const m = typeof opts.featureMask === 'function' ? opts.featureMask(y as Tensor2D) : opts.featureMask;
          y = tf.mul(y, m);
        }
      }
      v.set(b.name, y);
    }
    const out: ForwardOut = { embedding: embedding as Tensor2D, logits: (o.logits === o.embedding ? embedding : get(o.logits)) as Tensor2D };
    if (o.maps) out.maps = get(o.maps) as Tensor4D;
    if (all) out.all = all;
    return out;
  }
  return { forward };
}
