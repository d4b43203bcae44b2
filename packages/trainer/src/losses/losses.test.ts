import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { Rng } from '@interpret-fr/core';
import type { Tf } from '../backend.ts';
import { accuracy, crossEntropy } from './cross-entropy.ts';
import { gaussian3x3, sadLoss } from './sad.ts';
import { weightDiversityLoss } from './weight-diversity.ts';
import { fadLoss } from './fad.ts';
import { naiveCrossEntropy, naiveFad, naiveSad, naiveWeightDiversity } from '../../test/naive-losses.ts';
import { cpuTf, randn } from '../../test/helpers.ts';

let tf: Tf;
beforeAll(async () => {
  tf = await cpuTf();
});

/** Sparse random maps like the top-k-masked k5: each value kept with probability `p`. */
function sparseMaps(seed: number, n: number, p: number): Float32Array {
  const r = new Rng(seed + 1000);
  return randn(seed, n).map((v) => (r.float() < p ? v : 0));
}

describe('crossEntropy (method.md §4.4)', () => {
  it('matches the naive loop reference and counts accuracy', () => {
    const [b, c] = [5, 7];
    const logits = randn(1, b * c, 3);
    const labels = Int32Array.from([0, 6, 3, 3, 1]);
    const got = tf.tidy(() => crossEntropy(tf, tf.tensor2d(logits, [b, c]), tf.tensor1d(labels, 'int32')).dataSync()[0]!);
    expect(Math.abs(got - naiveCrossEntropy(logits, labels, b, c))).toBeLessThan(1e-5);
    const argmax = Array.from({ length: b }, (_, i) => {
      const row = Array.from(logits.subarray(i * c, (i + 1) * c));
      return row.indexOf(Math.max(...row));
    });
    const acc = tf.tidy(() => accuracy(tf, tf.tensor2d(logits, [b, c]), tf.tensor1d(labels, 'int32')).dataSync()[0]!);
    expect(acc).toBeCloseTo(argmax.filter((a, i) => a === labels[i]).length / b, 6);
  });
});

describe('sadLoss (method.md §4.2)', () => {
  it('uses the original Gaussian constants for σ = 1.5', () => {
    const g = gaussian3x3(1.5);
    expect(g[4]).toBeCloseTo(0.147761, 6);
    expect(g[1]).toBeCloseTo(0.118318, 6);
    expect(g[0]).toBeCloseTo(0.0947416, 6);
    expect(g.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
  });

  it('matches the naive loop reference on sparse random maps', () => {
    const [b, h, w, k] = [3, 6, 5, 4];
    const m = sparseMaps(2, b * h * w * k, 0.3);
    const got = tf.tidy(() => sadLoss(tf, tf.tensor4d(m, [b, h, w, k])).dataSync()[0]!);
    expect(Math.abs(got - naiveSad(m, b, h, w, k, gaussian3x3(1.5)))).toBeLessThan(1e-5);
  });

  it('is 0 for filters with disjoint supports far apart and 1 for identical maps', () => {
    const [h, w, k] = [8, 8, 3];
    const m = new Float32Array(h * w * k);
    const put = (y: number, x: number, c: number, v: number): void => void (m[(y * w + x) * k + c] = v);
    put(0, 0, 0, 1.5);
    put(1, 0, 0, -2);
    put(0, 7, 1, 3);
    put(7, 3, 2, -1);
    put(7, 4, 2, 0.5);
    expect(tf.tidy(() => sadLoss(tf, tf.tensor4d(m, [1, h, w, k])).dataSync()[0]!)).toBe(0);
    const same = new Float32Array(h * w * k);
    const base = randn(3, h * w);
    for (let p = 0; p < h * w; p++) for (let c = 0; c < k; c++) same[p * k + c] = base[p]! * (c + 1);
    expect(tf.tidy(() => sadLoss(tf, tf.tensor4d(same, [1, h, w, k])).dataSync()[0]!)).toBeCloseTo(1, 5);
  });

  it('is invariant to the order of the filters', () => {
    const [b, h, w, k] = [2, 5, 5, 5];
    const m = sparseMaps(4, b * h * w * k, 0.4);
    const perm = [3, 0, 4, 1, 2];
    const pm = new Float32Array(m.length);
    for (let i = 0; i < m.length / k; i++) for (let c = 0; c < k; c++) pm[i * k + c] = m[i * k + perm[c]!]!;
    const [a, c] = tf.tidy(() => [sadLoss(tf, tf.tensor4d(m, [b, h, w, k])).dataSync()[0]!, sadLoss(tf, tf.tensor4d(pm, [b, h, w, k])).dataSync()[0]!]);
    expect(a).toBeGreaterThan(0.01);
    expect(Math.abs(a! - c!)).toBeLessThan(1e-6);
  });

  it('guards an all-zero channel: finite loss and gradient, equal to the naive reference that skips it', () => {
    const [b, h, w, k] = [2, 5, 5, 4];
    const m = sparseMaps(5, b * h * w * k, 0.5);
    for (let i = 0; i < m.length / k; i++) m[i * k + 2] = 0;
    const x = tf.tensor4d(m, [b, h, w, k]);
    const v = tf.tidy(() => sadLoss(tf, x).dataSync()[0]!);
    expect(Number.isFinite(v)).toBe(true);
    expect(Math.abs(v - naiveSad(m, b, h, w, k, gaussian3x3(1.5)))).toBeLessThan(1e-5);
    const g = tf.tidy(() =>
      tf
        .grad((t: Tensor) => sadLoss(tf, t as Tensor4D))(x)
        .dataSync(),
    );
    expect(g.every(Number.isFinite)).toBe(true);
    x.dispose();
  });

  it('passes a finite-difference gradient check', () => {
    const [b, h, w, k] = [2, 4, 4, 3];
    const m = randn(6, b * h * w * k);
    const f = (v: Float32Array): number => tf.tidy(() => sadLoss(tf, tf.tensor4d(v, [b, h, w, k])).dataSync()[0]!);
    const g = tf.tidy(() =>
      tf
        .grad((t: Tensor) => sadLoss(tf, t as Tensor4D))(tf.tensor4d(m, [b, h, w, k]))
        .dataSync(),
    );
    const eps = 1e-2;
    for (const i of [0, 7, 20, 33, 50, 77, 95]) {
      const p = m.slice();
      const q = m.slice();
      p[i]! += eps;
      q[i]! -= eps;
      const num = (f(p) - f(q)) / (2 * eps);
      expect(Math.abs(num - g[i]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(g[i]!));
    }
  });
});

describe('weightDiversityLoss (method.md §4.3)', () => {
  it('matches the naive loop reference', () => {
    const [kh, kw, cin, k] = [3, 3, 6, 4];
    const wv = randn(7, kh * kw * cin * k);
    const got = tf.tidy(() => weightDiversityLoss(tf, tf.tensor4d(wv, [kh, kw, cin, k])).dataSync()[0]!);
    expect(Math.abs(got - naiveWeightDiversity(wv, kh, kw, cin, k))).toBeLessThan(1e-5);
  });

  it('is 0 when the taps use disjoint input channels and 1 when all taps are parallel', () => {
    const [cin, k] = [9, 2];
    const wv = new Float32Array(9 * cin * k);
    for (let t = 0; t < 9; t++) for (let o = 0; o < k; o++) wv[(t * cin + t) * k + o] = 1 + t + o; // tap t reads channel t only
    expect(tf.tidy(() => weightDiversityLoss(tf, tf.tensor4d(wv, [3, 3, cin, k])).dataSync()[0]!)).toBe(0);
    const par = new Float32Array(9 * cin * k);
    for (let t = 0; t < 9; t++) for (let c = 0; c < cin; c++) for (let o = 0; o < k; o++) par[(t * cin + c) * k + o] = (c + 1) * (t % 2 ? -1 : 2);
    expect(tf.tidy(() => weightDiversityLoss(tf, tf.tensor4d(par, [3, 3, cin, k])).dataSync()[0]!)).toBeCloseTo(1, 5);
  });
});

describe('fadLoss (method.md §4.4)', () => {
  const [b, d, keep] = [4, 10, 7];
  const f = randn(8, b * d);
  const fo = randn(9, b * d);

  it('matches the naive reference and keeps exactly k dimensions (the least changed)', () => {
    const ref = naiveFad(f, fo, b, d, keep);
    const [loss, mask] = tf.tidy(() => {
      const r = fadLoss(tf, tf.tensor2d(f, [b, d]), tf.tensor2d(fo, [b, d]), keep);
      return [r.loss.dataSync()[0]!, r.mask.dataSync()];
    }) as [number, Float32Array];
    expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5);
    expect(mask.reduce((a, v) => a + v, 0)).toBe(keep);
    mask.forEach((v, j) => expect(v).toBe(ref.kept.has(j) ? 1 : 0));
  });

  it('keeps exactly k dimensions under ties', () => {
    const z = new Float32Array(b * d); // every δ = 0
    const mask = tf.tidy(() => fadLoss(tf, tf.tensor2d(z, [b, d]), tf.tensor2d(z, [b, d]), keep).mask.dataSync());
    expect(Array.from(mask).reduce((a, v) => a + v, 0)).toBe(keep);
  });

  it('has no gradient through the mask and the analytic gradient τ·sign(f − f̂)/B through δ', () => {
    const ref = naiveFad(f, fo, b, d, keep);
    const ft = tf.tensor2d(f, [b, d]);
    const fot = tf.tensor2d(fo, [b, d]);
    const c = tf.tensor1d(randn(10, d));
    const gMask = tf.tidy(() =>
      tf
        .grad((t: Tensor) => tf.sum(tf.mul(fadLoss(tf, t as Tensor2D, fot, keep).mask, c)))(ft)
        .dataSync(),
    );
    expect(Array.from(gMask).every((v) => v === 0)).toBe(true);
    const g = tf.tidy(() =>
      tf
        .grad((t: Tensor) => fadLoss(tf, t as Tensor2D, fot, keep).loss)(ft)
        .dataSync(),
    );
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < d; j++) {
        const want = ref.kept.has(j) ? Math.sign(f[i * d + j]! - fo[i * d + j]!) / b : 0;
        expect(Math.abs(g[i * d + j]! - want)).toBeLessThan(1e-6);
      }
    }
    tf.dispose([ft, fot, c]);
  });

  it('passes a finite-difference gradient check in both inputs', () => {
    const loss = (a: Float32Array, o: Float32Array): number => tf.tidy(() => fadLoss(tf, tf.tensor2d(a, [b, d]), tf.tensor2d(o, [b, d]), keep).loss.dataSync()[0]!);
    const [gf, go] = tf.tidy(() => {
      const gs = tf.grads((a: Tensor, o: Tensor) => fadLoss(tf, a as Tensor2D, o as Tensor2D, keep).loss)([tf.tensor2d(f, [b, d]), tf.tensor2d(fo, [b, d])]);
      return gs.map((t) => t.dataSync());
    }) as [Float32Array, Float32Array];
    const eps = 1e-3;
    for (const i of [0, 5, 13, 22, 39]) {
      for (const [which, g] of [
        [0, gf],
        [1, go],
      ] as const) {
        const p = (which === 0 ? f : fo).slice();
        const q = p.slice();
        p[i]! += eps;
        q[i]! -= eps;
        const num = which === 0 ? (loss(p, fo) - loss(q, fo)) / (2 * eps) : (loss(f, p) - loss(f, q)) / (2 * eps);
        expect(Math.abs(num - g[i]!)).toBeLessThan(5e-3);
      }
    }
  });
});
