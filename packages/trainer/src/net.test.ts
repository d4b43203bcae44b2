import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { presetSpec, Rng } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import { buildNet, dropout, l2normalize, topkMask } from './net.ts';
import { conv2dSame } from './conv.ts';
import { batchNormTraining } from './batch-norm.ts';
import { disposeParams, initParams } from './params.ts';
import { cpuTf, maxAbsDiff, randn } from '../test/helpers.ts';

let tf: Tf;
beforeAll(async () => {
  tf = await cpuTf();
});

describe('topkMask (method.md §2.3 step 3)', () => {
  // image 0, channel 0: |x| = 3 5 1 3 2 0 → 2nd largest = 3 (a tie); channel 1 has no tie.
  const c0 = [3, -5, 1, -3, 2, 0];
  const c1 = [0.5, -0.1, 0.4, 0.2, -0.9, 0.3];
  const x = (): Tensor4D =>
    tf.tensor4d(
      c0.flatMap((v, i) => [v, c1[i]!]),
      [1, 2, 3, 2],
    );
  const read = (t: Tensor4D): [number[], number[]] => {
    const d = Array.from(t.dataSync(), (v) => Math.round(v * 1e6) / 1e6 + 0); // +0: −0 → 0
    return [d.filter((_, i) => i % 2 === 0), d.filter((_, i) => i % 2 === 1)];
  };
  it("'ge' keeps |x| ≥ k-th largest (ties included), signs kept, per channel", () => {
    const [a, b] = tf.tidy(() => read(topkMask(tf, x(), 2, 'ge')));
    expect(a).toEqual([3, -5, 0, -3, 0, 0]);
    expect(b).toEqual([0.5, 0, 0, 0, -0.9, 0]);
  });
  it("'gt' keeps |x| > k-th largest (the original: k − 1 without ties)", () => {
    const [a, b] = tf.tidy(() => read(topkMask(tf, x(), 2, 'gt')));
    expect(a).toEqual([0, -5, 0, 0, 0, 0]);
    expect(b).toEqual([0, 0, 0, 0, -0.9, 0]);
  });
  it('passes the gradient to the kept positions only', () => {
    const g = tf.tidy(() =>
      Array.from(
        tf
          .grad((t: Tensor) => tf.sum(topkMask(tf, t as Tensor4D, 2, 'ge')))(x())
          .dataSync(),
      ),
    );
    expect(g.filter((_, i) => i % 2 === 0)).toEqual([1, 1, 0, 1, 0, 0]);
  });
  it('selects per image', () => {
    const t = tf.tensor4d([1, 2, 3, 4, 4, 3, 2, 1], [2, 2, 2, 1]);
    expect(tf.tidy(() => Array.from(topkMask(tf, t, 1, 'ge').dataSync()))).toEqual([0, 0, 0, 4, 4, 0, 0, 0]);
    t.dispose();
  });
});

describe('other blocks against hand-computed values', () => {
  it('l2normalize: per-pixel along channels, all-zero pixel stays 0', () => {
    const y = tf.tidy(() => Array.from(l2normalize(tf, tf.tensor4d([3, 4, 0, 0, 0, -2], [1, 1, 3, 2]), 1e-6).dataSync()));
    expect(maxAbsDiff(y, [0.6, 0.8, 0, 0, 0, -1])).toBeLessThan(1e-6);
  });

  it('resize asymmetric (TF1 align_corners=False): 2×2 → 4×4', () => {
    const spec: ModelSpec = {
      name: 'r',
      inputSize: 2,
      inputChannels: 1,
      blocks: [
        { kind: 'resize', name: 'r', input: 'image', size: [4, 4], mode: 'bilinear', coordinate: 'asymmetric' },
        { kind: 'gap', name: 'g', input: 'r' },
      ],
      outputs: { embedding: 'g', logits: 'g', backbone: [] },
    };
    const out = tf.tidy(() =>
      Array.from(
        buildNet(tf, spec, new Map())
          .forward(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), { training: false, collect: true })
          .all!.get('r')!
          .dataSync(),
      ),
    );
    // source coordinate = dest · 1/2: 0, 0.5, 1, 1.5 (clamped to the last row/column)
    expect(out).toEqual([1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4]);
  });

  it('conv stride 2 SAME pads 0 before and 1 after (TF), with either filter-gradient path', () => {
    const x = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );
    const w = tf.ones([3, 3, 1, 1]) as Tensor4D;
    for (const fg of ['native', 'conv'] as const) {
      expect(tf.tidy(() => Array.from(conv2dSame(tf, x, w, 2, fg).dataSync()))).toEqual([54, 45, 72, 54]);
    }
    tf.dispose([x, w]);
  });

  it("conv: the 'conv' filter gradient equals the backend's native gradients", () => {
    for (const [h, wd, s, k] of [
      [7, 6, 2, 3],
      [6, 6, 1, 3],
      [5, 5, 1, 1],
      [8, 5, 2, 3],
    ] as const) {
      const x = tf.tensor4d(randn(h * 10 + s, 2 * h * wd * 3), [2, h, wd, 3]);
      const w = tf.tensor4d(randn(h * 20 + s, k * k * 3 * 4), [k, k, 3, 4]);
      const c = tf.tensor4d(randn(h * 30 + s, 2 * Math.ceil(h / s) * Math.ceil(wd / s) * 4), [2, Math.ceil(h / s), Math.ceil(wd / s), 4]);
      const grads = (fg: 'native' | 'conv'): Float32Array[] =>
        tf.tidy(() =>
          tf
            .grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(conv2dSame(tf, a as Tensor4D, b as Tensor4D, s, fg), c)))([x, w])
            .map((t) => t.dataSync() as Float32Array),
        );
      const [nx, nw] = grads('native');
      const [cx, cw] = grads('conv');
      expect(maxAbsDiff(nx!, cx!)).toBeLessThan(1e-4);
      expect(maxAbsDiff(nw!, cw!)).toBeLessThan(1e-4);
      tf.dispose([x, w, c]);
    }
  });

  it('dropout: reproducible from the Rng, keeps ≈ keep, scales by 1/keep', () => {
    const x = tf.ones([50, 40]);
    const a = tf.tidy(() => dropout(tf, x, 0.6, new Rng(3)).dataSync());
    const b = tf.tidy(() => dropout(tf, x, 0.6, new Rng(3)).dataSync());
    expect(Array.from(a)).toEqual(Array.from(b));
    const kept = a.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.6) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / a.length - 0.6)).toBeLessThan(0.04);
    x.dispose();
  });
});

describe('batchNorm: training vs inference, moving statistics', () => {
  const spec: ModelSpec = {
    name: 'bn',
    inputSize: 2,
    inputChannels: 1,
    blocks: [
      { kind: 'batchNorm', name: 'bn', input: 'image', momentum: 0.9, epsilon: 1e-5 },
      { kind: 'gap', name: 'g', input: 'bn' },
    ],
    outputs: { embedding: 'g', logits: 'g', backbone: [] },
  };
  it('normalises with biased batch statistics, updates moving stats in place, uses them at inference', () => {
    const params = initParams(tf, spec, new Rng(0));
    params.get('bn/gamma')!.assign(tf.tensor1d([2]));
    params.get('bn/beta')!.assign(tf.tensor1d([0.5]));
    const net = buildNet(tf, spec, params);
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]); // mean 2.5, biased variance 1.25
    const y = tf.tidy(() => Array.from(net.forward(x, { training: true, collect: true }).all!.get('bn')!.dataSync()));
    const s = 2 / Math.sqrt(1.25 + 1e-5);
    expect(
      maxAbsDiff(
        y,
        [1, 2, 3, 4].map((v) => (v - 2.5) * s + 0.5),
      ),
    ).toBeLessThan(1e-5);
    expect(params.get('bn/moving_mean')!.dataSync()[0]).toBeCloseTo(0.25, 6); // 0.9·0 + 0.1·2.5
    expect(params.get('bn/moving_variance')!.dataSync()[0]).toBeCloseTo(1.025, 6); // 0.9·1 + 0.1·1.25
    const yi = tf.tidy(() => Array.from(net.forward(x, { training: false, collect: true }).all!.get('bn')!.dataSync()));
    const si = 2 / Math.sqrt(1.025 + 1e-5);
    expect(
      maxAbsDiff(
        yi,
        [1, 2, 3, 4].map((v) => (v - 0.25) * si + 0.5),
      ),
    ).toBeLessThan(1e-5);
    expect(params.get('bn/moving_mean')!.dataSync()[0]).toBeCloseTo(0.25, 6); // inference does not update
    x.dispose();
    disposeParams(params);
  });
});

describe('batchNormTraining gradient', () => {
  it('equals autodiff through tf.moments (x, γ, β), for NHWC and [N, C] inputs', () => {
    for (const shape of [
      [3, 4, 5, 6],
      [7, 6],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(randn(31, n, 2), shape);
      const g = tf.tensor1d(randn(32, 6));
      const be = tf.tensor1d(randn(33, 6));
      const c = tf.tensor(randn(34, n), shape);
      const mm = tf.variable(tf.zeros([6]), false);
      const mv = tf.variable(tf.ones([6]), false);
      const ours = tf.tidy(() =>
        tf
          .grads((a: Tensor, b: Tensor, d: Tensor) =>
            tf.sum(tf.mul(batchNormTraining(tf, a, { gamma: b, beta: d, movingMean: mm, movingVariance: mv, momentum: 0.9, epsilon: 1e-5 }), c)),
          )([x, g, be])
          .map((t) => t.dataSync()),
      );
      const ref = tf.tidy(() =>
        tf
          .grads((a: Tensor, b: Tensor, d: Tensor) => {
            const { mean, variance } = tf.moments(
              a,
              shape.slice(0, -1).map((_, i) => i),
            );
            return tf.sum(tf.mul(tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), b), d), c));
          })([x, g, be])
          .map((t) => t.dataSync()),
      );
      ours.forEach((o, i) => expect(maxAbsDiff(o, ref[i]!)).toBeLessThan(2e-4));
      tf.dispose([x, g, be, c, mm, mv]);
    }
  });
});

describe('forward of interpretable-tiny', () => {
  it('embedding = GAP of the masked maps with exactly k non-zeros per channel; logits = FC(τ ⊙ f) with a feature mask', () => {
    const spec = presetSpec('interpretable-tiny', { numClasses: 5 });
    const params = initParams(tf, spec, new Rng(1));
    const net = buildNet(tf, spec, params);
    const x = tf.tensor4d(randn(11, 2 * 48 * 48 * 3, 0.5), [2, 48, 48, 3]);
    const tau = tf.tensor1d(Array.from({ length: 40 }, (_, i) => (i % 3 ? 1 : 0)));
    tf.tidy(() => {
      const out = net.forward(x, { training: false, featureMask: tau });
      const [b, h, w, k] = out.maps!.shape;
      expect([b, h, w, k]).toEqual([2, 12, 12, 40]);
      const maps = out.maps!.dataSync();
      const emb = out.embedding.dataSync();
      for (let n = 0; n < b; n++) {
        for (let c = 0; c < k; c++) {
          let s = 0;
          let nz = 0;
          for (let p = 0; p < h * w; p++) {
            const v = maps[(n * h * w + p) * k + c]!;
            s += v;
            if (v !== 0) nz++;
          }
          expect(nz).toBe(12);
          expect(Math.abs(emb[n * k + c]! - s / (h * w))).toBeLessThan(1e-6);
        }
      }
      const ref = tf.add(tf.matMul(tf.mul(out.embedding, tau), params.get('fc/kernel')!), params.get('fc/bias')!);
      expect(maxAbsDiff(out.logits.dataSync(), ref.dataSync())).toBeLessThan(1e-6);
    });
    tf.dispose([x, tau]);
    disposeParams(params);
  });
});
