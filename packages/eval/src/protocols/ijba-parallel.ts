/**
 * IJB-A over several cores: splits are independent, so each runs whole (verification, search,
 * refinement, metrics) in one of `threads` worker threads, each with its own single-threaded native
 * GEMM (or the wasm SIMD kernel), the features shared through SharedArrayBuffers. Every split is
 * computed by the same code as {@link evaluateIjbaSplitAsync}, and the reported metrics are
 * kernel-independent to the bit (scores/refine.ts), so the report is the same whatever `threads` is.
 * Splits are handed out one at a time (the next to whichever worker is free); results come back in
 * split order. When a split fails, the error of the first failing split (in split order) is thrown,
 * with its class and fields, as the in-process evaluation would throw it.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { l2NormalizeRows } from '@interpret-fr/core';
import { nativeGemm } from '../scores/native-gemm.ts';
import { evaluateIjba, evaluateIjbaAsync, summarizeIjba, type FeatureTable, type IjbaOptions, type IjbaSplitData, type IjbaSplitResult, type IjbaSummary } from './ijba.ts';
import { reviveError, type IjbaWorkerData, type IjbaWorkerReply } from './ijba-parallel-protocol.ts';

/** Options of {@link evaluateIjbaParallel}. */
export interface IjbaParallelOptions {
  /** Worker threads (default: the cores); 1 (or a single split) evaluates in this thread with all cores on the GEMM. */
  threads?: number;
  /** native: onnxruntime-node's MLAS (the wasm SIMD kernel where it cannot load); wasm: the wasm SIMD kernel. Default native. */
  gemm?: 'native' | 'wasm';
  /** Called once per finished split (in completion order), for progress. */
  onSplit?: (split: number, done: number, total: number) => void;
}

/** What {@link evaluateIjbaParallel} returns: the report's summary and per-split results, and how it ran. */
export interface IjbaParallelResult {
  summary: IjbaSummary;
  perSplit: IjbaSplitResult[];
  /** Worker threads used (0: in this thread) and the kernel's name. */
  threads: number;
  kernel: string;
}

function sharedCopy(a: Float32Array): SharedArrayBuffer {
  const b = new SharedArrayBuffer(a.byteLength);
  new Float32Array(b).set(a);
  return b;
}

/** {@link evaluateIjba} with the splits spread over worker threads (Node). Same report, to the bit. */
export async function evaluateIjbaParallel(
  splits: readonly IjbaSplitData[],
  table: FeatureTable,
  opts: IjbaOptions = {},
  par: IjbaParallelOptions = {},
): Promise<IjbaParallelResult> {
  const gemmName = par.gemm ?? 'native';
  const n = Math.max(1, Math.min(par.threads ?? availableParallelism(), splits.length));
  if (n === 1) {
    const gemm = gemmName === 'native' ? await nativeGemm() : null;
    const r = gemm ? await evaluateIjbaAsync(splits, table, gemm, opts) : evaluateIjba(splits, table, opts);
    r.perSplit.forEach((s, i) => par.onSplit?.(s.split, i + 1, splits.length));
    return { ...r, threads: 0, kernel: gemm ? gemm.name : 'wasm-simd' };
  }
  const f = table.features;
  const ids = new Array<string>(f.n);
  for (const [id, r] of table.index) ids[r] = id;
  const data: IjbaWorkerData = {
    raw: sharedCopy(f.data.subarray(0, f.n * f.dim)),
    unit: sharedCopy(l2NormalizeRows(f.data, f.n, f.dim)),
    n: f.n,
    dim: f.dim,
    ids,
    opts,
    gemm: gemmName,
  };
  const results = new Array<IjbaSplitResult | undefined>(splits.length);
  const errors = new Array<Error | undefined>(splits.length);
  const workers: Worker[] = [];
  let kernel = '';
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const give = (w: Worker): void => {
        if (next < splits.length) {
          const k = next++;
          w.postMessage({ k, split: splits[k] });
        }
      };
      for (let i = 0; i < n; i++) {
        const w = new Worker(new URL('./ijba-worker.mjs', import.meta.url), { workerData: data });
        workers.push(w);
        w.on('message', (m: IjbaWorkerReply) => {
          if (m.type === 'ready') {
            kernel ||= m.kernel;
            give(w);
            return;
          }
          if (m.k < 0) {
            reject(reviveError(m.type === 'failed' ? m.error : { name: 'Error', message: 'worker failed', props: {} }));
            return;
          }
          if (m.type === 'result') results[m.k] = m.result;
          else errors[m.k] = reviveError(m.error);
          done++;
          par.onSplit?.(splits[m.k]!.split, done, splits.length);
          if (done === splits.length) resolve();
          else give(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (done < splits.length) reject(new Error(`IJB-A worker ${i} exited (code ${code}) with ${splits.length - done} split(s) unfinished`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const bad = errors.find((e) => e !== undefined);
  if (bad) throw bad;
  const perSplit = results as IjbaSplitResult[];
  return { ...summarizeIjba(perSplit, opts), threads: n, kernel };
}
