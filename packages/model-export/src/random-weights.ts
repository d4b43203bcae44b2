/**
 * Deterministic random weights and inputs for tests, fixtures and benchmarks. Only uniform draws
 * of the core {@link Rng} and `Math.sqrt` are used (both exact in IEEE arithmetic), so the values
 * are bit-identical on every platform and the fixture's bytes never drift.
 *
 * @module
 */
import type { ModelSpec } from '@interpret-fr/core';
import { paramInfos, Rng } from '@interpret-fr/core';

/**
 * Random parameters for `spec`: kernels U(±√(3/fan_in)) (variance 1/fan_in, so activations keep
 * their scale through 14 layers), biases and β U(±0.1), γ U(0.7, 1.3), moving mean U(±0.2),
 * moving variance U(0.5, 2) (non-trivial BN statistics, so a wrong BN fold shows).
 */
export function randomWeights(spec: ModelSpec, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const w = new Map<string, Float32Array>();
  for (const p of paramInfos(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const fanIn = p.shape.length > 1 ? n / p.shape[p.shape.length - 1]! : 1;
    const a = Math.sqrt(3 / fanIn);
    const kind = p.name.slice(p.name.lastIndexOf('/') + 1);
    const [lo, hi] = kind === 'kernel' ? [-a, a] : kind === 'gamma' ? [0.7, 1.3] : kind === 'moving_variance' ? [0.5, 2] : kind === 'moving_mean' ? [-0.2, 0.2] : [-0.1, 0.1];
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) d[i] = rng.uniform(lo, hi);
    w.set(p.name, d);
  }
  return w;
}

/** `n` deterministic NHWC images of values in [-1, 1]. */
export function randomImages(n: number, size: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size * size * 3 }, () => rng.uniform(-1, 1)));
}

/** NHWC images (3 channels) → one NCHW batch. */
export function toNchw(images: Float32Array[], size: number): Float32Array {
  const hw = size * size;
  const out = new Float32Array(images.length * 3 * hw);
  images.forEach((im, b) => {
    for (let p = 0; p < hw; p++) for (let c = 0; c < 3; c++) out[(b * 3 + c) * hw + p] = im[p * 3 + c]!;
  });
  return out;
}
