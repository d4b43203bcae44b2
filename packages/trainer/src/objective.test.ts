import { beforeAll, describe, expect, it } from 'vitest';
import type { Scalar, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { presetSpec, Rng } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import { buildNet } from './net.ts';
import { disposeParams, initParams } from './params.ts';
import { defaultWeightsFor, embeddingDim, mapsKernelName } from './loss-weights.ts';
import { objective } from './objective.ts';
import { crossEntropy } from './losses/cross-entropy.ts';
import { fadLoss } from './losses/fad.ts';
import { sadLoss } from './losses/sad.ts';
import { weightDiversityLoss } from './losses/weight-diversity.ts';
import { cpuTf, randn } from '../test/helpers.ts';

let tf: Tf;
beforeAll(async () => {
  tf = await cpuTf();
});

/** interpretable-tiny with dropout keep 1, so the objective is deterministic and recomputable. */
function noDropoutSpec(): ModelSpec {
  const s = presetSpec('interpretable-tiny', { numClasses: 3 });
  return { ...s, blocks: s.blocks.map((b) => (b.kind === 'dropout' ? { ...b, keep: 1 } : b)) };
}

describe('objective (method.md §4.5, §10)', () => {
  it('finds the k5 kernel and the feature size', () => {
    expect(mapsKernelName(presetSpec('interpretable'))).toBe('new_k5/kernel');
    expect(mapsKernelName(presetSpec('casia-net'))).toBeNull();
    expect(embeddingDim(presetSpec('interpretable'))).toBe(320);
    expect(embeddingDim(presetSpec('casia-net-tiny'))).toBe(40);
  });

  it('equals the terms recomputed from two independent forward passes: FAD on (f, f̂), CE on FC(τ ⊙ f̂)', () => {
    const spec = noDropoutSpec();
    const params = initParams(tf, spec, new Rng(3));
    const net = buildNet(tf, spec, params);
    const w = defaultWeightsFor(spec);
    const x = tf.tensor4d(randn(1, 3 * 48 * 48 * 3, 0.5), [3, 48, 48, 3]);
    const xOcc = tf.tensor4d(randn(2, 3 * 48 * 48 * 3, 0.5), [3, 48, 48, 3]);
    const labels = tf.tensor1d([0, 2, 1], 'int32');
    const got = tf.tidy(() => {
      const { total, terms } = objective(tf, spec, net, params, { x, xOcc, labels }, w, new Rng(4), true);
      return { total: total.dataSync()[0]!, ...Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, (v as Scalar).dataSync()[0]!])) } as Record<string, number>;
    });
    const ref = tf.tidy(() => {
      const c = net.forward(x, { training: true });
      const o = net.forward(xOcc, { training: true });
      const fad = fadLoss(tf, c.embedding, o.embedding, w.fadKeep);
      const fc = (f: Tensor2D): Tensor2D => tf.add(tf.matMul(f, params.get('fc/kernel')! as unknown as Tensor2D), params.get('fc/bias')!) as Tensor2D;
      return {
        ce: crossEntropy(tf, c.logits, labels).dataSync()[0]!,
        ceOcc: crossEntropy(tf, fc(tf.mul(o.embedding, fad.mask) as Tensor2D), labels).dataSync()[0]!,
        sad: sadLoss(tf, c.maps!).dataSync()[0]!,
        sadOcc: sadLoss(tf, o.maps!).dataSync()[0]!,
        fad: fad.loss.dataSync()[0]!,
        weightDiversity: weightDiversityLoss(tf, params.get('new_k5/kernel')! as unknown as Tensor4D).dataSync()[0]!,
      } as Record<string, number>;
    });
    for (const k of Object.keys(ref)) expect(Math.abs(got[k]! - ref[k]!), k).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref[k]!)));
    const total = w.ce * ref.ce! + w.ceOcc * ref.ceOcc! + w.sad * ref.sad! + w.sadOcc * ref.sadOcc! + w.weightDiversity * ref.weightDiversity! + w.fad * ref.fad!;
    expect(Math.abs(got.total! - total)).toBeLessThan(1e-4);
    expect(ref.ceOcc).not.toBeCloseTo(
      tf.tidy(() => crossEntropy(tf, net.forward(xOcc, { training: true }).logits, labels).dataSync()[0]!),
      4,
    ); // τ matters
    tf.dispose([x, xOcc, labels]);
    disposeParams(params);
  });
});
