/**
 * Test helpers shared by the loss and network tests: the cpu backend, seeded random arrays and
 * element-wise comparison. Not exported by the package.
 *
 * @module
 */
import { Rng } from '@interpret-fr/core';
import { loadBackend } from '../src/backend.ts';
import type { Tf } from '../src/backend.ts';

/** The cpu backend (with gradients registered). */
export async function cpuTf(): Promise<Tf> {
  return (await loadBackend('cpu')).tf;
}

/** n normal deviates (σ = `scale`) from a seeded Rng. */
export function randn(seed: number, n: number, scale = 1): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => scale * r.normal());
}

/** Largest |a − b| over two arrays of equal length (throws on length mismatch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
