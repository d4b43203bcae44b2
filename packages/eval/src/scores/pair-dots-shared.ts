/**
 * The protocol shared by the pair-dots pool (pair-dots-pool.ts, main thread) and its workers
 * (pair-dots-worker-main.ts): control words in one SharedArrayBuffer and the chunk-claiming loop
 * every thread runs. No package imports (the worker loads this file without the monorepo's
 * resolution conditions).
 *
 * A job is `n` pairs cut into chunks of `CHUNK` pairs with global, ever-increasing chunk ids
 * `[BASE, END)`. A thread claims chunk `c` by compare-exchanging `NEXT` from `c` to `c + 1` only
 * while `c < END`, so a late thread can never claim past a job or claim a chunk twice; the main
 * thread publishes buffers (`BUFFERS`), `N`, `CHUNK`, `BASE`, then `END`, then bumps `GEN` and
 * wakes the workers; it waits until `DONE` (chunks finished, ever-increasing) reaches `END`. A chunk
 * that throws sets `FAILED` (and still counts as done): the main thread then recomputes the whole job.
 *
 * @module
 */
import type { SimdKernels } from './simd.ts';
import { sortFloat32 } from '../metrics/radix-sort.ts';
import { scoreTiledRange } from './tiles.ts';

/** Indices of the control words. */
export const W = {
  GEN: 0,
  NEXT: 1,
  END: 2,
  BASE: 3,
  DONE: 4,
  N: 5,
  CHUNK: 6,
  BUFFERS: 7,
  STOP: 8,
  READY: 9,
  FAILED: 10,
  WORKER_CHUNKS: 11,
  KIND: 12,
  TILE: 13,
  BLOCK: 14,
  SPLIT: 15,
  SIZE: 16,
} as const;

/**
 * What a job's chunks are (control word `KIND`): `DOTS`, out[p] = ⟨F row ia[p], F row ib[p]⟩ for the chunk's pairs;
 * `TILED`, the same for the chunk's range of the whole pair list, computed in tile order (`TILE`, `BLOCK` pairs per
 * kernel call: tiles.ts `scoreTiledRange`), each value written to its own index; `SORT`, two chunks, `out[0, SPLIT)`
 * and `out[SPLIT, N)`, each sorted in place (radix-sort.ts `sortFloat32`).
 */
export const KIND = { DOTS: 0, TILED: 1, SORT: 2 } as const;

/** Shared buffers of the current job (views over SharedArrayBuffers). */
export interface PairDotsBuffers {
  F: Float32Array;
  ia: Int32Array;
  ib: Int32Array;
  out: Float32Array;
  d: number;
}

/**
 * Claims and runs chunks of the current job until none is left: out[p] = ⟨F row ia[p], F row ib[p]⟩
 * with the wasm SIMD kernel (for a `TILED` job, over the chunk's range in tile order). `buffers()` returns the buffers of the current version (workers read
 * new ones from their port when the `BUFFERS` word changed). Returns the number of chunks it ran.
 */
export function runClaims(ctrl: Int32Array, kernels: SimdKernels, buffers: () => PairDotsBuffers): number {
  let ran = 0;
  for (;;) {
    const c = Atomics.load(ctrl, W.NEXT);
    if (c >= Atomics.load(ctrl, W.END)) return ran;
    if (Atomics.compareExchange(ctrl, W.NEXT, c, c + 1) !== c) continue;
    const b = buffers();
    const kind = Atomics.load(ctrl, W.KIND);
    const chunk = Atomics.load(ctrl, W.CHUNK);
    const n = Atomics.load(ctrl, W.N);
    const split = Atomics.load(ctrl, W.SPLIT);
    const first = c === Atomics.load(ctrl, W.BASE);
    const s = kind === KIND.SORT ? (first ? 0 : split) : (c - Atomics.load(ctrl, W.BASE)) * chunk;
    const e = kind === KIND.SORT ? (first ? split : n) : Math.min(n, s + chunk);
    try {
      if (kind === KIND.SORT) sortFloat32(b.out.subarray(s, e));
      else if (kind === KIND.TILED)
        scoreTiledRange((F, d, ia, ib, o) => kernels.pairDots(F, d, ia, ib, o), b.F, b.d, b.ia, b.ib, s, e, Atomics.load(ctrl, W.TILE), Atomics.load(ctrl, W.BLOCK), b.out);
      else kernels.pairDots(b.F, b.d, b.ia.subarray(s, e), b.ib.subarray(s, e), b.out.subarray(s, e));
    } catch (err) {
      Atomics.store(ctrl, W.FAILED, 1); // the main thread recomputes the job itself
      throw err;
    } finally {
      ran++;
      Atomics.add(ctrl, W.DONE, 1);
      Atomics.notify(ctrl, W.DONE);
    }
  }
}
