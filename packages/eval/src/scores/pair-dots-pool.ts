/**
 * Pooled-template pair scores (IJB-B/C 1:1, `media-pool` / `mean-feature`) on several threads: the
 * main thread and `workers` worker threads run the same wasm SIMD `pairDots` kernel as
 * {@link scoreTemplatePairs} on chunks of one block of pairs (SharedArrayBuffers, Atomics; protocol in
 * pair-dots-shared.ts), so the scores are bit-identical to the single-thread path. Synchronous: the
 * main thread works too and blocks (`Atomics.wait`) only for chunks a worker is still finishing; a
 * worker that is still starting simply joins later. Node only (worker_threads).
 *
 * @example
 * const pool = createPairDotsPool(); // availableParallelism() − 1 workers
 * try { evaluateIjbc11(meta, pairs, table, { pairDots: pool }); } finally { await pool.close(); }
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import { KIND, type PairDotsBuffers, runClaims, W } from './pair-dots-shared.ts';
import { float32Key, partitionFloat32, sortFloat32 } from '../metrics/radix-sort.ts';
import { simdKernels } from './simd.ts';
import { markEmptyPairs, pairTile, type PreparedTemplates, scoreTemplatePairs, simdPairs } from './template-scores.ts';

/** Template pairs scored on several threads; see {@link createPairDotsPool}. */
export interface PairDotsPool {
  /** Worker threads (besides the calling thread); 0 when the pool runs on the calling thread only. */
  readonly workers: number;
  /**
   * {@link scoreTemplatePairs}(P, P, pa, pb), bit-identical, on every thread. Pooled scores of more than 50,000 pairs:
   * a range of the list per thread, each tiled and scored there, `block` pairs per kernel call (default 2^20; pair
   * arrays in shared memory are read in place). Otherwise the dot products of each block of `block` pairs are shared
   * out (one barrier per block).
   */
  scorePairs(P: PreparedTemplates, pa: Int32Array, pb: Int32Array, block?: number): Float32Array;
  /**
   * Sorts `a` in place, ascending, exactly as radix-sort.ts `sortFloat32` does: from 2^20 values, split at a sampled
   * median into two parts (a copy in shared memory) sorted on two threads (verificationMetrics' `sortFloat32` option).
   */
  sortFloat32(a: Float32Array): void;
  /** Workers started and waiting for work, and chunks the workers have computed so far. */
  stats(): { readyWorkers: number; workerChunks: number };
  /** Stops the workers. */
  close(): Promise<void>;
}

/** Pairs per chunk claimed by one thread. */
const CHUNK = 4096;

/**
 * A pool of `workers` threads (default `availableParallelism() − 1`). With 0 workers, or without
 * WebAssembly SIMD, `scorePairs` is {@link scoreTemplatePairs}.
 */
export function createPairDotsPool(opts: { workers?: number } = {}): PairDotsPool {
  const nWorkers = Math.max(0, opts.workers ?? availableParallelism() - 1);
  const kernels = simdKernels();
  if (nWorkers === 0 || !kernels)
    return {
      workers: 0,
      scorePairs: (P, pa, pb, block) => scoreTemplatePairs(P, P, pa, pb, { block }),
      sortFloat32: (a) => void sortFloat32(a),
      stats: () => ({ readyWorkers: 0, workerChunks: 0 }),
      close: async () => {},
    };
  const ctrl = new Int32Array(new SharedArrayBuffer(W.SIZE * 4));
  const ports = Array.from({ length: nWorkers }, () => new MessageChannel());
  const workers = ports.map(
    (ch) => new Worker(new URL('./pair-dots-worker.mjs', import.meta.url), { workerData: { control: ctrl.buffer, port: ch.port2 }, transferList: [ch.port2] }),
  );
  for (const w of workers) {
    w.unref();
    w.on('error', () => {}); // a worker that fails to start never claims a chunk; one that fails a chunk sets FAILED
  }
  let bufs: PairDotsBuffers | null = null;
  let source: Float32Array | null = null; // the features copied into bufs.F
  /** bufs.ia / ib / out are the pool's own (block buffers), not a tiled job's arrays (which the pool never writes). */
  let own = false;
  let version = 0;
  let closed = false;
  const post = (b: PairDotsBuffers): void => {
    version++;
    for (const ch of ports) ch.port1.postMessage({ version, F: b.F.buffer, ia: b.ia.buffer, ib: b.ib.buffer, out: b.out.buffer, d: b.d });
    Atomics.store(ctrl, W.BUFFERS, version);
  };
  const sharedF = (F: Float32Array): Float32Array => {
    if (source === F && bufs) return bufs.F;
    const sF = new Float32Array(new SharedArrayBuffer(F.byteLength));
    sF.set(F);
    return sF;
  };
  const publish = (F: Float32Array, d: number, n: number): PairDotsBuffers => {
    // The block buffers are reused only when they are the pool's own (not a tiled or sort job's arrays).
    const have = own && bufs ? bufs.ia.length : 0;
    if (bufs && own && source === F && bufs.d === d && have >= n) return bufs;
    const cap = Math.max(n, have, 1 << 16);
    const sF = sharedF(F);
    const grow = have < n;
    const ia = grow ? new Int32Array(new SharedArrayBuffer(cap * 4)) : bufs!.ia;
    const ib = grow ? new Int32Array(new SharedArrayBuffer(cap * 4)) : bufs!.ib;
    const out = grow ? new Float32Array(new SharedArrayBuffer(cap * 4)) : bufs!.out;
    bufs = { F: sF, ia, ib, out, d };
    source = F;
    own = true;
    post(bufs);
    return bufs;
  };
  /** Waits until every chunk up to `end` is done (the calling thread has run out of chunks to claim). */
  const finish = (end: number): boolean => {
    for (let done = Atomics.load(ctrl, W.DONE); done < end; done = Atomics.load(ctrl, W.DONE)) Atomics.wait(ctrl, W.DONE, done, 100);
    return Atomics.load(ctrl, W.FAILED) === 0;
  };
  /** Starts a job of `n` items in chunks of `chunk` (KIND, TILE, BLOCK set by the caller) and returns its end. */
  const start = (n: number, chunk: number): number => {
    const base = Atomics.load(ctrl, W.END);
    Atomics.store(ctrl, W.N, n);
    Atomics.store(ctrl, W.CHUNK, chunk);
    Atomics.store(ctrl, W.BASE, base);
    const end = base + Math.ceil(n / chunk);
    Atomics.store(ctrl, W.END, end);
    Atomics.add(ctrl, W.GEN, 1);
    Atomics.notify(ctrl, W.GEN);
    return end;
  };
  const asShared = (a: Int32Array): Int32Array => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const s = new Int32Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  /**
   * All of P's pairs (pa, pb) at once: one range of the list per thread (a chunk each, claimed as in a dots job),
   * each thread tiling its range and computing it (tiles.ts scoreTiledRange). Pair arrays in shared memory are used
   * as they are (else copied there); the scores come back in a new shared array.
   */
  const tiledJob = (P: PreparedTemplates, pa: Int32Array, pb: Int32Array, tile: number, block: number): Float32Array => {
    const n = pa.length;
    const out = new Float32Array(new SharedArrayBuffer(n * 4));
    bufs = { F: sharedF(P.data), ia: asShared(pa), ib: asShared(pb), out, d: P.dim };
    source = P.data;
    own = false;
    post(bufs);
    Atomics.store(ctrl, W.KIND, KIND.TILED);
    Atomics.store(ctrl, W.TILE, tile);
    Atomics.store(ctrl, W.BLOCK, block);
    const end = start(n, Math.ceil(n / (nWorkers + 1)));
    const b = bufs;
    runClaims(ctrl, kernels, () => b);
    if (!finish(end)) {
      // A worker's range threw: score everything here, and from now on without the workers.
      closed = true;
      return scoreTemplatePairs(P, P, pa, pb, { block });
    }
    markEmptyPairs(P.templates, pa, pb, out);
    return out;
  };
  /**
   * sortFloat32 of `a` on two threads: `a` split at a pivot (the median key of 1,023 evenly spaced values) into the
   * values below and the others (a copy in shared memory), each part sorted on a thread (a SORT job), copied back.
   * False (nothing done) when the split is too uneven to be worth it (e.g. mostly one value).
   */
  const sortSplit = (a: Float32Array): boolean => {
    const n = a.length;
    const bits = new Int32Array(a.buffer, a.byteOffset, n);
    const sample = Int32Array.from({ length: 1023 }, (_, i) => float32Key(bits[Math.floor(((i + 0.5) * n) / 1023)]!)).sort();
    const pivot = sample[511]!;
    const s = new Float32Array(new SharedArrayBuffer(n * 4));
    const split = partitionFloat32(a, pivot, s);
    if (split < n / 8 || split > n - n / 8) return false;
    const none = new Int32Array(0);
    bufs = { F: bufs?.F ?? new Float32Array(new SharedArrayBuffer(0)), ia: none, ib: none, out: s, d: bufs?.d ?? 0 };
    own = false;
    post(bufs);
    Atomics.store(ctrl, W.KIND, KIND.SORT);
    Atomics.store(ctrl, W.SPLIT, split);
    const end = start(n, Math.ceil(n / 2));
    const b = bufs;
    runClaims(ctrl, kernels, () => b);
    if (!finish(end)) {
      // A worker's part threw: sort here, and from now on without the workers.
      closed = true;
      return false;
    }
    a.set(s);
    return true;
  };
  /** out[q] = ⟨F row ia[q], F row ib[q]⟩ on every thread. */
  const pairDots = (F: Float32Array, d: number, ia: Int32Array, ib: Int32Array, out: Float32Array): void => {
    const n = ia.length;
    const b = publish(F, d, n);
    b.ia.set(ia);
    b.ib.set(ib);
    Atomics.store(ctrl, W.KIND, KIND.DOTS);
    const end = start(n, CHUNK);
    runClaims(ctrl, kernels, () => b);
    if (!finish(end)) {
      // A worker's chunk threw: compute the job here, and from now on without the workers.
      closed = true;
      kernels.pairDots(F, d, ia, ib, out);
      return;
    }
    out.set(b.out.subarray(0, n));
  };
  return {
    workers: nWorkers,
    scorePairs: (P, pa, pb, block = 1 << 20) => {
      // Pooled scores of many pairs (scoreTemplatePairs' tiled SIMD path): a range of the list per thread, no
      // barrier until the end. Otherwise one barrier per block of pairs (in scoreTemplatePairs' order).
      const tile = simdPairs(P, P, pa.length) ? pairTile(P.dim, pa.length) : 0;
      if (!closed && tile && pa.length === pb.length) return tiledJob(P, pa, pb, tile, block);
      return scoreTemplatePairs(P, P, pa, pb, closed ? { block } : { pairDots, block });
    },
    sortFloat32: (a) => {
      if (closed || a.length < 1 << 20 || !sortSplit(a)) sortFloat32(a);
    },
    stats: () => ({ readyWorkers: Atomics.load(ctrl, W.READY), workerChunks: Atomics.load(ctrl, W.WORKER_CHUNKS) }),
    async close() {
      if (closed) return;
      closed = true;
      Atomics.store(ctrl, W.STOP, 1);
      Atomics.add(ctrl, W.GEN, 1);
      Atomics.notify(ctrl, W.GEN);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
