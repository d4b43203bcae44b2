/**
 * The wasm training kernels against the cpu backend on random inputs: strides 1 and 2, SAME and
 * VALID (and explicit) padding, odd sizes, 1×1/2×2/3×3/5×5 kernels, several channel counts and
 * batch sizes. Tolerance: max |wasm − cpu| ≤ 1e-4 · max |cpu|.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '@interpret-fr/core';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig, phaseAxis, registerWasmTrainingKernels, setFilterGradChunk } from './index.ts';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  n: number;
  h: number;
  w: number;
  c: number;
  f: number;
  k: [number, number];
  s: [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { n: 2, h: 8, w: 8, c: 3, f: 4, k: [3, 3], s: [1, 1], pad: 'same' },
  { n: 1, h: 7, w: 9, c: 5, f: 6, k: [3, 3], s: [1, 1], pad: 'valid' },
  { n: 3, h: 8, w: 8, c: 4, f: 8, k: [3, 3], s: [2, 2], pad: 'same' },
  { n: 2, h: 9, w: 7, c: 2, f: 3, k: [3, 3], s: [2, 2], pad: 'same' },
  { n: 2, h: 9, w: 8, c: 3, f: 5, k: [3, 3], s: [2, 2], pad: 'valid' },
  { n: 1, h: 10, w: 11, c: 1, f: 2, k: [3, 3], s: [2, 2], pad: 'valid' },
  { n: 2, h: 6, w: 6, c: 8, f: 3, k: [1, 1], s: [1, 1], pad: 'same' },
  { n: 2, h: 7, w: 6, c: 3, f: 4, k: [1, 1], s: [2, 2], pad: 'valid' },
  { n: 1, h: 9, w: 9, c: 2, f: 3, k: [5, 5], s: [2, 2], pad: 'same' },
  { n: 2, h: 6, w: 7, c: 3, f: 2, k: [2, 2], s: [2, 2], pad: 'same' },
  { n: 2, h: 8, w: 9, c: 3, f: 4, k: [3, 2], s: [1, 2], pad: 'same' },
  {
    n: 1,
    h: 9,
    w: 8,
    c: 2,
    f: 3,
    k: [3, 3],
    s: [2, 2],
    pad: [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ],
  },
  { n: 4, h: 12, w: 12, c: 16, f: 24, k: [3, 3], s: [1, 1], pad: 'same' },
  { n: 4, h: 12, w: 12, c: 16, f: 24, k: [3, 3], s: [2, 2], pad: 'same' },
];

function randn(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

function outSize(c: Case): [number, number] {
  const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.c], [c.k[0], c.k[1], c.c, c.f], c.s, 1, c.pad, undefined);
  return [info.outHeight, info.outWidth];
}

function run(backend: string, name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: Record<string, unknown>): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, [d, s]] of Object.entries(inputs)) ins[k] = tf.tensor(d, s);
    const out = tf.engine().runKernel(name, ins as never, attrs as never) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-30);
}

const name = (c: Case): string => `n${c.n} ${c.h}×${c.w} ${c.c}→${c.f} k${c.k.join('×')} s${c.s.join('×')} ${typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad)}`;

describe('wasm conv gradient kernels vs cpu', () => {
  beforeAll(async () => {
    if (!tf.getGradient('Conv2D')) await import('@tensorflow/tfjs'); // registers gradient functions
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.setBackend('cpu');
  });

  it('registers our kernels for wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2DBackpropFilterConfig.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2DBackpropInputConfig.kernelFunc);
  });

  it.each(
    CASES.flatMap(
      (c) =>
        [
          [name(c), c, 2048],
          [`${name(c)} (chunks of 1–3 rows)`, c, 20],
        ] as const,
    ),
  )('Conv2DBackpropFilter %s', (_, c, chunk) => {
    setFilterGradChunk(chunk);
    const rng = new Rng(7);
    const [ho, wo] = outSize(c);
    const x: [Float32Array, number[]] = [randn(rng, c.n * c.h * c.w * c.c), [c.n, c.h, c.w, c.c]];
    const dy: [Float32Array, number[]] = [randn(rng, c.n * ho * wo * c.f), [c.n, ho, wo, c.f]];
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [c.k[0], c.k[1], c.c, c.f] };
    const ref = run('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
    const got = run('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
    setFilterGradChunk(2048);
    expect(relErr(got, ref)).toBeLessThan(1e-4);
  });

  it.each(CASES.map((c) => [name(c), c] as const))('Conv2DBackpropInput %s', (_, c) => {
    const rng = new Rng(11);
    const [ho, wo] = outSize(c);
    const dy: [Float32Array, number[]] = [randn(rng, c.n * ho * wo * c.f), [c.n, ho, wo, c.f]];
    const filter: [Float32Array, number[]] = [randn(rng, c.k[0] * c.k[1] * c.c * c.f), [c.k[0], c.k[1], c.c, c.f]];
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [c.n, c.h, c.w, c.c] };
    const ref = run('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
    const got = run('wasm', 'Conv2DBackpropInput', { dy, filter }, attrs);
    expect(relErr(got, ref)).toBeLessThan(1e-4);
  });

  it('phase decomposition: 3×3 stride 2 SAME on 96 → 48 (pad 0 before, 1 after)', () => {
    // phase 0 gets taps k = 0, 2 (flipped: 2, 0) with one row of padding before; phase 1 gets k = 1.
    expect(phaseAxis(96, 48, 3, 2, 0, 0)).toEqual({ k0: 0, taps: 2, padBefore: 1, padAfter: 0, count: 48 });
    expect(phaseAxis(96, 48, 3, 2, 0, 1)).toEqual({ k0: 1, taps: 1, padBefore: 0, padAfter: 0, count: 48 });
    // 1×1 stride 2: odd rows receive no gradient
    expect(phaseAxis(7, 4, 1, 2, 0, 1).taps).toBe(0);
  });

  it('leaves no wasm tensor behind', () => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const bytesBefore = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    tf.tidy(() => {
      const x = tf.randomNormal([2, 9, 9, 3]);
      const w = tf.randomNormal([3, 3, 3, 4]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')
          .square()
          .sum(),
      );
      g([x, w]).forEach((t) => t.dataSync());
    });
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(bytesBefore);
  });
});
