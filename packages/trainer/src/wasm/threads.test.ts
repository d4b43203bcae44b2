/**
 * The threaded wasm binary in Node (useThreadedWasm): it loads from the package folder, its
 * XNNPACK pool gets the requested 2 threads (the stock Node path is single-threaded), and the
 * training kernels give the cpu backend's results on it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { Rng } from '@interpret-fr/core';
import { registerWasmTrainingKernels, useThreadedWasm } from './index.ts';

describe('threaded wasm backend in Node', () => {
  beforeAll(async () => {
    if (!tf.getGradient('Conv2D')) await import('@tensorflow/tfjs');
    expect(useThreadedWasm({ threads: 2 })).toBe(2);
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('runs a 2-thread XNNPACK pool on shared memory', () => {
    expect(getThreadsCount()).toBe(2);
    const mem = (tf.backend() as unknown as { wasm: { wasmMemory: WebAssembly.Memory } }).wasm.wasmMemory;
    expect(mem.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('conv forward and both gradients match the cpu backend', () => {
    const rng = new Rng(4);
    const xd = Float32Array.from({ length: 2 * 12 * 12 * 8 }, () => rng.normal());
    const wd = Float32Array.from({ length: 3 * 3 * 8 * 16 }, () => rng.normal());
    const run = (be: string): Float32Array[] => {
      tf.setBackend(be);
      return tf.tidy(() => {
        const x = tf.tensor4d(xd, [2, 12, 12, 8]);
        const w = tf.tensor4d(wd, [3, 3, 8, 16]);
        const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')
            .square()
            .sum();
        const [gx, gw] = tf.grads(f)([x, w]);
        return [f(x, w), gx!, gw!].map((t) => t.dataSync() as Float32Array);
      });
    };
    const ref = run('cpu');
    const got = run('wasm');
    ref.forEach((r, i) => {
      const scale = Math.max(...Array.from(r, Math.abs));
      r.forEach((v, j) => expect(Math.abs(v - got[i]![j]!)).toBeLessThanOrEqual(1e-4 * scale));
    });
  });
});
