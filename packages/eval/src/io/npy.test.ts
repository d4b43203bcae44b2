import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { firstNonFinite } from './npy.ts';

/** The plain scan firstNonFinite must agree with. */
function naive(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

describe('firstNonFinite', () => {
  it('finds the first NaN / ±Infinity wherever it is (chunk edges, the tail, several of them), and −1 when all are finite', () => {
    const rng = new Rng(3);
    const bad = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const n of [0, 1, 3, 4, 5, 1023, 1024, 1025, 2049, 5000]) {
      const a = Float32Array.from({ length: n }, () => rng.normal() * 1e30);
      expect(firstNonFinite(a), `n=${n}, all finite`).toBe(-1);
      const spots = [0, n - 1, 1023, 1024, 2048, rng.int(Math.max(1, n))].filter((p) => p >= 0 && p < n);
      for (const p of spots)
        for (const v of bad) {
          const b = a.slice();
          b[p] = v;
          if (p + 7 < n) b[p + 7] = bad[rng.int(3)]!; // a later one must not win
          expect(firstNonFinite(b), `n=${n}, ${v} at ${p}`).toBe(naive(b));
          expect(firstNonFinite(Array.from(b)), 'plain arrays too').toBe(p);
        }
    }
    // ±0 and the largest finite float32 are finite; −0 · 0 sums stay zero.
    expect(firstNonFinite(Float32Array.from([-0, 0, 3.4028234663852886e38, -3.4028234663852886e38]))).toBe(-1);
  });
});
