import { describe, expect, it } from 'vitest';
import { KIND, runClaims, W } from './pair-dots-shared.ts';
import { simdKernels, type SimdKernels } from './simd.ts';

/** A job of `n` pairs in chunks of `chunk`, as the pool starts one (control words only). */
function job(kind: number, n: number, chunk: number, tile = 8, block = 100): Int32Array {
  const ctrl = new Int32Array(new SharedArrayBuffer(W.SIZE * 4));
  Atomics.store(ctrl, W.KIND, kind);
  Atomics.store(ctrl, W.TILE, tile);
  Atomics.store(ctrl, W.BLOCK, block);
  Atomics.store(ctrl, W.N, n);
  Atomics.store(ctrl, W.CHUNK, chunk);
  Atomics.store(ctrl, W.END, Math.ceil(n / chunk));
  return ctrl;
}

describe('pair-dots protocol (runClaims)', () => {
  const k = simdKernels();
  const d = 16;
  const nT = 70;
  const F = Float32Array.from({ length: nT * d }, (_, i) => Math.sin(i * 0.37));
  const n = 1000;
  const pa = Int32Array.from({ length: n }, (_, p) => (p * 31) % nT);
  const pb = Int32Array.from({ length: n }, (_, p) => (p * 17 + 5) % nT);

  it.skipIf(!k)('a TILED job in one thread: every range tiled and scored, the same bits as the kernel in index order', () => {
    const want = new Float32Array(n);
    k!.pairDots(F, d, pa, pb, want);
    const out = new Float32Array(n).fill(Number.NaN);
    const ctrl = job(KIND.TILED, n, 300);
    const ran = runClaims(ctrl, k!, () => ({ F, ia: pa, ib: pb, out, d }));
    expect(ran).toBe(4);
    expect(Atomics.load(ctrl, W.DONE)).toBe(4);
    expect(Buffer.from(out.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });

  it('a chunk that throws sets FAILED, still counts as done, and the error reaches the caller', () => {
    const failing = {
      pairDots: () => {
        throw new Error('kernel failed');
      },
    } as unknown as SimdKernels;
    for (const kind of [KIND.DOTS, KIND.TILED]) {
      const ctrl = job(kind, n, 300);
      expect(() => runClaims(ctrl, failing, () => ({ F, ia: pa, ib: pb, out: new Float32Array(n), d }))).toThrow('kernel failed');
      expect(Atomics.load(ctrl, W.FAILED)).toBe(1);
      expect(Atomics.load(ctrl, W.DONE)).toBe(1);
      expect(Atomics.load(ctrl, W.NEXT)).toBe(1);
    }
  });
});
