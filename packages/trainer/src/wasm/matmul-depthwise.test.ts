/** BatchMatMul (transposes, batches, broadcasting) and depthwise gradients on wasm vs cpu. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '@interpret-fr/core';
import { registerWasmTrainingKernels } from './index.ts';

const rng = new Rng(3);
const randn = (shape: number[]): [Float32Array, number[]] => [Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape];

function run(backend: string, name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: Record<string, unknown>): { shape: number[]; data: Float32Array } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, [d, s]] of Object.entries(inputs)) ins[k] = tf.tensor(d, s);
    const out = tf.engine().runKernel(name, ins as never, attrs as never) as tf.Tensor;
    return { shape: out.shape, data: out.dataSync() as Float32Array };
  });
}

function expectClose(name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: Record<string, unknown>): void {
  const ref = run('cpu', name, inputs, attrs);
  const got = run('wasm', name, inputs, attrs);
  expect(got.shape).toEqual(ref.shape);
  let d = 0;
  let m = 0;
  ref.data.forEach((v, i) => {
    d = Math.max(d, Math.abs(v - got.data[i]!));
    m = Math.max(m, Math.abs(v));
  });
  expect(d).toBeLessThanOrEqual(1e-5 * m);
}

describe('wasm BatchMatMul and depthwise gradients vs cpu', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  const mm: [string, number[], number[], boolean, boolean][] = [
    ['NN 2-D', [5, 7], [7, 3], false, false],
    ['TN 2-D', [7, 5], [7, 3], true, false],
    ['NT 2-D', [5, 7], [3, 7], false, true],
    ['TT 2-D', [7, 5], [3, 7], true, true],
    ['batched TN (SAD Gram)', [3, 9, 4], [3, 9, 4], true, false],
    ['batched NT', [2, 4, 6], [2, 5, 6], false, true],
    ['batch broadcast of b', [2, 3, 4, 5], [5, 6], false, false],
    ['batch broadcast of a', [4, 5], [3, 5, 2], false, false],
    ['rank-4 batches', [2, 3, 4, 5], [2, 3, 5, 2], false, false],
    ['batched TN, XNNPACK rows', [3, 9, 6], [3, 9, 5], true, false],
    ['batch folded into rows', [2, 6, 5], [5, 3], false, false],
    ['broadcast a, XNNPACK rows', [7, 5], [3, 5, 2], false, false],
    ['ones-row column sum (BN)', [1, 50], [50, 6], false, false],
  ];
  it.each(mm)('BatchMatMul %s', (_, sa, sb, ta, tb) => {
    expectClose('BatchMatMul', { a: randn(sa), b: randn(sb) }, { transposeA: ta, transposeB: tb });
  });

  it('Identity and same-dtype Cast share data (no copy), other casts convert', () => {
    tf.setBackend('wasm');
    const x = tf.tensor([1.5, -2.25, 3], [3]);
    const ids = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const before = ids();
    const y = tf.clone(x);
    const z = tf.cast(x, 'float32');
    expect(ids()).toBe(before);
    expect(Array.from(y.dataSync())).toEqual([1.5, -2.25, 3]);
    expect(Array.from(z.dataSync())).toEqual([1.5, -2.25, 3]);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2.25, 3]);
    const i = tf.cast(y, 'int32');
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([y, z, i]);
  });

  it('OneHot writes the requested dtype (the stock kernel wrote int32 bits into float32)', () => {
    for (const dtype of ['float32', 'int32'] as const) {
      tf.setBackend('wasm');
      const got = tf.tidy(() => tf.oneHot(tf.tensor1d([2, 0, 5, -1], 'int32'), 4, 3, -1, dtype).arraySync());
      tf.setBackend('cpu');
      const want = tf.tidy(() => tf.oneHot(tf.tensor1d([2, 0, 5, -1], 'int32'), 4, 3, -1, dtype).arraySync());
      expect(got).toEqual(want);
      expect(want).toEqual([
        [-1, -1, 3, -1],
        [3, -1, -1, -1],
        [-1, -1, -1, -1],
        [-1, -1, -1, -1],
      ]);
    }
  });

  const dw: [string, number[], number[], number, 'same' | 'valid', number][] = [
    ['3×3 s1 same m1 (SAD blur)', [2, 6, 7, 5], [3, 3, 5, 1], 1, 'same', 1],
    ['3×3 s1 valid m1', [1, 6, 6, 3], [3, 3, 3, 1], 1, 'valid', 1],
    ['3×3 s2 same m1', [2, 7, 8, 4], [3, 3, 4, 1], 2, 'same', 1],
    ['3×3 s1 same m2', [1, 5, 5, 3], [3, 3, 3, 2], 1, 'same', 1],
  ];
  it.each(dw)('DepthwiseConv2dNativeBackpropInput %s', (_, xs, fs, s, pad, d) => {
    const probe = tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], fs as [number, number, number, number], s, d, pad, undefined, true);
    expectClose('DepthwiseConv2dNativeBackpropInput', { dy: randn(probe.outShape), filter: randn(fs) }, { strides: s, dilations: d, pad, inputShape: xs });
  });
  it("depthwise gradients reject dilation > 1 (as tfjs' gradient does)", () => {
    tf.setBackend('wasm');
    const dy = tf.zeros([1, 8, 8, 2]);
    const f = tf.zeros([3, 3, 2, 1]);
    expect(() =>
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { strides: 1, dilations: 2, pad: 'same', inputShape: [1, 8, 8, 2] } as never),
    ).toThrow(/dilation must be 1/);
    tf.dispose([dy, f]);
  });
  it.each(dw)('DepthwiseConv2dNativeBackpropFilter %s', (_, xs, fs, s, pad, d) => {
    const probe = tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], fs as [number, number, number, number], s, d, pad, undefined, true);
    expectClose('DepthwiseConv2dNativeBackpropFilter', { x: randn(xs), dy: randn(probe.outShape) }, { strides: s, dilations: d, pad, filterShape: fs });
  });
});
