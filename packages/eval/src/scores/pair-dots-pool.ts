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
import { type PairDotsBuffers, runClaims, W } from './pair-dots-shared.ts';
import { simdKernels } from './simd.ts';
import { type PreparedTemplates, scoreTemplatePairs } from './template-scores.ts';

/** Template pairs scored on several threads; see {@link createPairDotsPool}. */
export interface PairDotsPool {
  /** Worker threads (besides the calling thread); 0 when the pool runs on the calling thread only. */
  readonly workers: number;
  /**
   * {@link scoreTemplatePairs}(P, P, pa, pb), bit-identical, with the dot products of pooled templates shared out,
   * `block` pairs at a time (default 2^20: one barrier per block; the shared buffers hold one block).
   */
  scorePairs(P: PreparedTemplates, pa: Int32Array, pb: Int32Array, block?: number): Float32Array;
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
  let version = 0;
  let closed = false;
  const publish = (F: Float32Array, d: number, n: number): PairDotsBuffers => {
    const cap = Math.max(n, bufs?.ia.length ?? 0, 1 << 16);
    if (bufs && source === F && bufs.d === d && bufs.ia.length >= n) return bufs;
    const sF = source === F && bufs ? bufs.F : new Float32Array(new SharedArrayBuffer(F.byteLength));
    if (sF !== bufs?.F) sF.set(F);
    const grow = !bufs || bufs.ia.length < n;
    const ia = grow ? new Int32Array(new SharedArrayBuffer(cap * 4)) : bufs!.ia;
    const ib = grow ? new Int32Array(new SharedArrayBuffer(cap * 4)) : bufs!.ib;
    const out = grow ? new Float32Array(new SharedArrayBuffer(cap * 4)) : bufs!.out;
    bufs = { F: sF, ia, ib, out, d };
    source = F;
    version++;
    for (const ch of ports) ch.port1.postMessage({ version, F: sF.buffer, ia: ia.buffer, ib: ib.buffer, out: out.buffer, d });
    Atomics.store(ctrl, W.BUFFERS, version);
    return bufs;
  };
  /** out[q] = ⟨F row ia[q], F row ib[q]⟩ on every thread. */
  const pairDots = (F: Float32Array, d: number, ia: Int32Array, ib: Int32Array, out: Float32Array): void => {
    const n = ia.length;
    const b = publish(F, d, n);
    b.ia.set(ia);
    b.ib.set(ib);
    const base = Atomics.load(ctrl, W.END);
    Atomics.store(ctrl, W.N, n);
    Atomics.store(ctrl, W.CHUNK, CHUNK);
    Atomics.store(ctrl, W.BASE, base);
    const end = base + Math.ceil(n / CHUNK);
    Atomics.store(ctrl, W.END, end);
    Atomics.add(ctrl, W.GEN, 1);
    Atomics.notify(ctrl, W.GEN);
    runClaims(ctrl, kernels, () => b);
    for (let done = Atomics.load(ctrl, W.DONE); done < end; done = Atomics.load(ctrl, W.DONE)) Atomics.wait(ctrl, W.DONE, done, 100);
    if (Atomics.load(ctrl, W.FAILED)) {
      // A worker's chunk threw: compute the job here, and from now on without the workers.
      closed = true;
      kernels.pairDots(F, d, ia, ib, out);
      return;
    }
    out.set(b.out.subarray(0, n));
  };
  return {
    workers: nWorkers,
    // One barrier per block of pairs (in scoreTemplatePairs' tile order).
    scorePairs: (P, pa, pb, block = 1 << 20) => scoreTemplatePairs(P, P, pa, pb, closed ? { block } : { pairDots, block }),
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
