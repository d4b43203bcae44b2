/** Sum/Mean fast path (leading axes) and fallback (other axes) against the cpu backend. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '@interpret-fr/core';
import { leadingAxes, registerWasmTrainingKernels } from './index.ts';

function randn(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() + 0.3);
}

function on(backend: string, f: () => tf.Tensor): { shape: number[]; data: Float32Array } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const t = f();
    return { shape: t.shape, data: t.dataSync() as Float32Array };
  });
}

describe('wasm Sum/Mean over leading axes', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it('recognises leading-axis prefixes only', () => {
    expect(leadingAxes([2, 3, 4, 5], [0, 1, 2])).toBe(3);
    expect(leadingAxes([2, 3, 4, 5], [2, 0, 1])).toBe(3);
    expect(leadingAxes([2, 3], 0)).toBe(1);
    expect(leadingAxes([2, 3, 4, 5], [1, 2])).toBe(-1);
    expect(leadingAxes([2, 3, 4, 5], [0, 1, 2, 3])).toBe(-1);
    expect(leadingAxes([2, 3, 4, 5], -1)).toBe(-1);
  });

  const cases: [string, number[], number | number[], boolean][] = [
    ['NHW of [3,5,7,6]', [3, 5, 7, 6], [0, 1, 2], false],
    ['NHW keepDims', [2, 4, 3, 5], [0, 1, 2], true],
    ['axis 0 of [9,4]', [9, 4], 0, false],
    ['NH of [2,3,4,5]', [2, 3, 4, 5], [0, 1], false],
    ['fallback: HW of [2,3,4,5]', [2, 3, 4, 5], [1, 2], false],
    ['fallback: last axis', [4, 6], -1, true],
    ['fallback: all axes', [3, 4], [0, 1], false],
  ];
  it.each(cases)('%s', (_, shape, axis, keepDims) => {
    const d = randn(
      shape.reduce((a, b) => a * b, 1),
      5,
    );
    for (const op of ['sum', 'mean'] as const) {
      // biome-ignore-start lint/performance/noDynamicNamespaceImportAccess: a test picks the op by name
      const ref = on('cpu', () => tf[op](tf.tensor(d, shape), axis, keepDims));
      const got = on('wasm', () => tf[op](tf.tensor(d, shape), axis, keepDims));
      // biome-ignore-end lint/performance/noDynamicNamespaceImportAccess: a test picks the op by name
      expect(got.shape).toEqual(ref.shape);
      const scale = Math.max(...Array.from(ref.data, Math.abs));
      Array.from(got.data).forEach((v, i) => expect(Math.abs(v - ref.data[i]!)).toBeLessThanOrEqual(1e-5 * scale));
    }
  });

  it('a large NHW mean matches a float64 reference', () => {
    const shape = [4, 24, 24, 8];
    const d = randn(4 * 24 * 24 * 8, 9);
    const got = on('wasm', () => tf.mean(tf.tensor(d, shape), [0, 1, 2])).data;
    for (let c = 0; c < 8; c++) {
      let s = 0;
      for (let i = c; i < d.length; i += 8) s += d[i]!;
      expect(got[c]).toBeCloseTo(s / (d.length / 8), 6);
    }
  });
});
