/** Deterministic random weights for tests: conv/dense ~ N(0, σ), BN with non-trivial statistics. */
import type { ModelSpec } from '@interpret-fr/core';
import { paramInfos, Rng } from '@interpret-fr/core';

/**
 * He-like conv/dense scale (so activations neither vanish nor explode through 14 layers),
 * γ ∈ [0.7, 1.3], β, mean ~ N(0, 0.1), variance ∈ [0.5, 2].
 */
export function randomWeights(spec: ModelSpec, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const w = new Map<string, Float32Array>();
  for (const p of paramInfos(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const fanIn = p.shape.length > 1 ? n / p.shape[p.shape.length - 1]! : 1;
    const d = new Float32Array(n);
    const kind = p.name.slice(p.name.lastIndexOf('/') + 1);
    for (let i = 0; i < n; i++) {
      d[i] = kind === 'kernel' ? rng.normal() * Math.sqrt(1 / fanIn)
        : kind === 'gamma' ? rng.uniform(0.7, 1.3)
        : kind === 'moving_variance' ? rng.uniform(0.5, 2)
        : rng.normal() * 0.1;
    }
    w.set(p.name, d);
  }
  return w;
}

/** Deterministic inputs in [-1, 1], NHWC per image. */
export function randomImages(n: number, size: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size * size * 3 }, () => rng.uniform(-1, 1)));
}

/** NHWC images → one NCHW batch. */
export function toNchw(images: Float32Array[], size: number): Float32Array {
  const hw = size * size;
  const out = new Float32Array(images.length * 3 * hw);
  images.forEach((im, b) => {
    for (let p = 0; p < hw; p++) for (let c = 0; c < 3; c++) out[(b * 3 + c) * hw + p] = im[p * 3 + c]!;
  });
  return out;
}
