/**
 * IJB-A over several cores: splits are independent, and so are the two halves of a split (verification; search
 * with its refinement), so each half runs in one of `threads` worker threads, each with its own single-threaded
 * native GEMM (or the wasm SIMD kernel), the features shared through SharedArrayBuffers. Every half is computed
 * by the same code as in {@link evaluateIjbaSplitAsync}, and the reported metrics are kernel-independent to the
 * bit (scores/refine.ts), so the report is the same whatever `threads` is.
 * Halves are handed out one at a time: a free worker takes the largest waiting half of the kind it prefers
 * (even workers verification, odd ones search), else the largest of the other kind. So each thread mostly runs
 * one half's code: V8 compiles and warms up that code in one isolate instead of in every worker (on 2 cores,
 * ≈ 0.85 CPU-s of a 10-split run went to V8's optimising compiler when each worker ran whole splits).
 * With the native kernel on node 20, starting a pool turns on V8's `--harmony-rab-gsab-transfer` for the worker
 * threads started after it (process-wide; it only adds `ArrayBuffer.prototype.transfer`, built into later nodes),
 * with which each worker frees onnxruntime-node's output copies at once (native-gemm.ts `dropOutputCopy`).
 * Results come back in split order. When a split fails, the error of the first failing split (in split order)
 * is thrown, with its class and fields, as the in-process evaluation would throw it (within a split, a
 * verification error before a search error).
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { enableBufferTransfer, nativeGemm } from '../scores/native-gemm.ts';
import { featureMemoryOf, sharedFeatureBuffer, unitRows } from '../scores/simd.ts';
import { allocIjbaMetadata, type IjbaMetadata } from './ijba-csv.ts';
import {
  evaluateIjbaSplit,
  evaluateIjbaSplitAsync,
  joinIjbaParts,
  numericIds,
  summarizeIjba,
  type FeatureTable,
  type IjbaOptions,
  type IjbaPart,
  type IjbaPartResult,
  type IjbaSplitData,
  type IjbaSplitResult,
  type IjbaSummary,
} from './ijba.ts';
import { reviveError, type IjbaWorkerData, type IjbaWorkerFeatures, type IjbaWorkerJob, type IjbaWorkerReply } from './ijba-parallel-protocol.ts';

/** Options of {@link evaluateIjbaParallel}. */
export interface IjbaParallelOptions {
  /** Worker threads (default: the cores); 1 (or a single split) evaluates in this thread with all cores on the GEMM. */
  threads?: number;
  /** native: onnxruntime-node's MLAS (the wasm SIMD kernel where it cannot load); wasm: the wasm SIMD kernel. Default native. */
  gemm?: 'native' | 'wasm';
  /**
   * Whether the workers may overwrite the features with their L2-normalised rows when the features already fill a
   * SharedArrayBuffer (e.g. from `readFeatures`), instead of normalising them into a second shared buffer: 4·n·dim
   * bytes less to allocate and fault in (IJB-A at the real size: 32 MB, ≈ 8k page faults). Default false: the
   * caller's memory is left as it is. Features the pool copies into shared memory itself are always normalised in
   * place (the copy is the pool's own).
   */
  overwriteFeatures?: boolean;
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

/**
 * The columns a split's scoring reads (ids, subjects, media, visibility, file and lines for errors): FILE
 * strings, boxes, landmarks and attributes stay in this thread (less to clone, and no strings for the
 * workers' garbage collector to mark).
 */
function forScoring(m: IjbaMetadata): IjbaMetadata {
  const none = new Float32Array(0);
  return { ...m, filename: [], frame: new Float64Array(0), bbox: none, landmarks: none, yaw: none, attributes: none };
}

/**
 * The work of a split's halves for scheduling, in cosines: per comparison, the product of its two templates'
 * sizes (verification); probe × gallery sightings (search). An estimate (subsets and repeated sightings ignored).
 */
export function partWork(s: IjbaSplitData): Record<IjbaPart, number> {
  const size = new Map<number, number>();
  const t = s.verifyMetadata.templateId;
  for (let r = 0; r < s.verifyMetadata.n; r++) size.set(t[r]!, (size.get(t[r]!) ?? 0) + 1);
  let verify = 0;
  for (let p = 0; p < s.comparisons.a.length; p++) verify += (size.get(s.comparisons.a[p]!) ?? 0) * (size.get(s.comparisons.b[p]!) ?? 0);
  return { verify, search: s.probe.n * s.gallery.n };
}

/** The kind of half worker `i` prefers. */
const preferredPart = (i: number): IjbaPart => (i % 2 === 0 ? 'verify' : 'search');

/**
 * Which waiting job worker `i` takes: the largest of the kind it prefers, else the largest of the other kind
 * (−1 when none waits).
 */
export function pickJob(queue: readonly { work: number; part: IjbaPart }[], i: number): number {
  const prefer = preferredPart(i);
  let best = -1;
  for (let q = 0; q < queue.length; q++) {
    if (best < 0) {
      best = q;
      continue;
    }
    const e = queue[q]!;
    const b = queue[best]!;
    if ((e.part === prefer) !== (b.part === prefer) ? e.part === prefer : e.work > b.work) best = q;
  }
  return best;
}

/** A copy of `a` (rows of `dim`) in shared memory (a shared WebAssembly.Memory where possible: see sharedFeatureBuffer). */
function sharedCopy(a: Float32Array, dim: number): SharedArrayBuffer {
  const b = sharedFeatureBuffer(a.byteLength, 4 * dim);
  new Float32Array(b, 0, a.length).set(a);
  return b;
}

/**
 * A pool that evaluates IJB-A splits as they are submitted (so that reading and parsing the next split
 * overlaps the evaluation of the previous ones): `threads` workers (started at once), or this thread
 * when `threads` is 1. {@link IjbaPool.submit} resolves to what {@link evaluateIjbaSplitAsync} gives
 * for that split, or rejects with the same error (class and fields).
 */
export interface IjbaPool {
  submit(split: IjbaSplitData): Promise<IjbaSplitResult>;
  /** Stops the workers (pending submissions reject). */
  close(): Promise<void>;
  /** Worker threads (0: this thread). */
  threads: number;
  /** The GEMM kernel's name, once known (after the first result). */
  kernel(): string;
}

/**
 * Starts an {@link IjbaPool} over `table` (its features are copied once into shared memory). `table` may be
 * a promise: the workers start at once (their start-up, module loading and native kernel overlap the
 * reading of the features) and get the features when it resolves; if it rejects, every submission
 * rejects with its error.
 */
export function ijbaPool(table: FeatureTable | Promise<FeatureTable>, opts: IjbaOptions = {}, par: Omit<IjbaParallelOptions, 'onSplit'> = {}): IjbaPool {
  const gemmName = par.gemm ?? 'native';
  const n = Math.max(1, par.threads ?? availableParallelism());
  const tableReady = Promise.resolve(table);
  if (n === 1) {
    const gemm = gemmName === 'native' ? nativeGemm() : Promise.resolve(null);
    const ready = tableReady.then((t) => ({ t, unit: unitRows(t.features.data, t.features.n, t.features.dim) }));
    ready.catch(() => {}); // observed by each submission
    let chain: Promise<unknown> = Promise.resolve();
    let kernel = '';
    return {
      threads: 0,
      kernel: () => kernel,
      submit(split) {
        // One split at a time, in submission order.
        const r = chain.then(async () => {
          const { t, unit } = await ready;
          const g = await gemm;
          kernel = g ? g.name : 'wasm-simd';
          return g ? evaluateIjbaSplitAsync(split, t, g, opts, unit) : evaluateIjbaSplit(split, t, opts, unit);
        });
        chain = r.catch(() => {});
        return r;
      },
      close: async () => {},
    };
  }
  const data: IjbaWorkerData = { opts, gemm: gemmName };
  // The workers' native GEMM frees each of onnxruntime-node's output copies at once (native-gemm.ts dropOutputCopy).
  if (gemmName === 'native') enableBufferTransfer();
  let kernel = '';
  let seq = 0;
  let closed = false;
  /** The features' error, or a worker's start-up failure or exit: every later submission rejects with it. */
  let fatal: Error | null = null;
  const pending = new Map<number, { resolve: (r: IjbaPartResult) => void; reject: (e: Error) => void }>();
  /** Halves not yet sent, with their estimated work (see {@link pickJob}: the smallest come last, a shorter tail). */
  const queue: { job: IjbaWorkerJob; work: number; part: IjbaPart }[] = [];
  /** Indices of the workers waiting for a job. */
  const idle: number[] = [];
  const failAll = (e: Error): void => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    queue.length = 0;
  };
  const pump = (): void => {
    while (idle.length && queue.length) {
      const i = idle.pop()!;
      workers[i]!.postMessage(queue.splice(pickJob(queue, i), 1)[0]!.job);
    }
  };
  const workers: Worker[] = [];
  const exited: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(new URL('./ijba-worker.mjs', import.meta.url), { workerData: data });
    workers.push(w);
    w.on('message', (m: IjbaWorkerReply) => {
      if (m.type === 'ready') {
        kernel ||= m.kernel;
        return;
      }
      if (m.k < 0) {
        fatal ??= reviveError(m.type === 'failed' ? m.error : { name: 'Error', message: 'IJB-A worker: start-up failed', props: {} });
        failAll(fatal);
        return;
      }
      const p = pending.get(m.k);
      pending.delete(m.k);
      if (m.type === 'result') p?.resolve(m.result as IjbaPartResult);
      else p?.reject(reviveError(m.error));
      idle.push(i);
      pump();
    });
    // Idle from the start: its first split is sent at once and waits in the worker for its start-up (the main thread,
    // busy parsing the splits, would otherwise hand it over only some time after the worker says it is ready).
    idle.push(i);
    w.on('error', (e) => {
      fatal ??= e;
      failAll(e);
    });
    w.on('exit', (code) => {
      exited[i] = true;
      if (closed) return;
      fatal ??= new Error(`IJB-A worker ${i} exited (code ${code}) with ${pending.size} split(s) unfinished`);
      failAll(fatal);
    });
  }
  tableReady.then(
    (t) => {
      if (closed) return;
      const f = t.features;
      // The ids as numbers when they are (IJB-A's SIGHTING_IDs): no strings to clone and map in every worker.
      const num = numericIds(t);
      let ids: string[] | null = null;
      if (!num) {
        ids = new Array<string>(f.n);
        for (const [id, r] of t.index) ids[r] = id;
      }
      const raw = f.data.subarray(0, f.n * f.dim);
      // Features already in shared memory (readFeatures) are not copied again. The workers L2-normalise them
      // into one shared buffer, each a share of the rows, and start once every share is done (`done`): in place
      // when the buffer is the pool's own copy or the caller allows it (`overwriteFeatures`).
      // (A shared feature memory's buffer is whole pages: the features are its start.)
      const inShared = raw.buffer instanceof SharedArrayBuffer && raw.byteOffset === 0 && (raw.byteLength === raw.buffer.byteLength || featureMemoryOf(raw.buffer) !== undefined);
      const shared = inShared ? (raw.buffer as SharedArrayBuffer) : sharedCopy(raw, f.dim);
      const unit = !inShared || par.overwriteFeatures === true ? shared : sharedFeatureBuffer(f.n * f.dim * 4, 4 * f.dim);
      // The normalised rows' WebAssembly.Memory, if they are in one: the workers' indexed kernel reads them in place.
      const memory = featureMemoryOf(unit) ?? null;
      const done = new SharedArrayBuffer(8);
      workers.forEach((w, i) => {
        const rows: [number, number] = [Math.floor((f.n * i) / n), Math.floor((f.n * (i + 1)) / n)];
        const features: IjbaWorkerFeatures = { raw: shared, length: raw.length, unit, memory, rows, n: f.n, dim: f.dim, numericIds: num, ids, done, workers: n };
        w.postMessage({ type: 'features', features } satisfies IjbaWorkerJob);
      });
    },
    (e: Error) => {
      fatal = e;
      failAll(e);
    },
  );
  return {
    threads: n,
    kernel: () => kernel,
    submit(split) {
      if (closed) return Promise.reject(new Error('ijbaPool: submit after close'));
      if (fatal) return Promise.reject(fatal);
      const work = partWork(split);
      const half = (part: IjbaPart, d: IjbaSplitData): Promise<IjbaPartResult> => {
        const k = seq++;
        const r = new Promise<IjbaPartResult>((resolve, reject) => pending.set(k, { resolve, reject }));
        queue.push({ job: { type: 'split', k, split: d, part }, work: work[part], part });
        return r;
      };
      // Each half gets the files it reads (verifySteps / searchSteps); the other half's go as empty tables.
      const none = (m: IjbaMetadata): IjbaMetadata => allocIjbaMetadata(m.file, new Int32Array(0));
      const c = split.comparisons;
      const v = half('verify', { ...split, verifyMetadata: forScoring(split.verifyMetadata), probe: none(split.probe), gallery: none(split.gallery) });
      const s = half('search', {
        ...split,
        verifyMetadata: none(split.verifyMetadata),
        comparisons: { file: c.file, a: new Int32Array(0), b: new Int32Array(0), line: new Int32Array(0) },
        probe: forScoring(split.probe),
        gallery: forScoring(split.gallery),
      });
      pump();
      // Verification's error first, as in one thread.
      return Promise.allSettled([v, s]).then(([a, b]) => {
        if (a.status === 'rejected') throw a.reason;
        if (b.status === 'rejected') throw b.reason;
        return joinIjbaParts(a.value as IjbaPartResult & { part: 'verify' }, b.value as IjbaPartResult & { part: 'search' });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      failAll(new Error('ijbaPool: closed'));
      // Each worker releases its sessions after the split in flight and ends; terminate() only as a last resort.
      // (A worker that has already exited, e.g. after a start-up failure, is not waited for.)
      await Promise.all(
        workers.map(async (w, i) => {
          if (exited[i]) return;
          const gone = new Promise((res) => w.once('exit', res));
          w.postMessage({ type: 'close' } satisfies IjbaWorkerJob);
          const timer = setTimeout(() => void w.terminate(), 10_000);
          await gone;
          clearTimeout(timer);
        }),
      );
    },
  };
}

/**
 * Awaits split results in split order; on failure throws the error of the first failing split (in
 * split order), as the sequential evaluation would, after every earlier split has finished.
 */
export async function settleInOrder(results: readonly Promise<IjbaSplitResult>[]): Promise<IjbaSplitResult[]> {
  const settled = await Promise.allSettled(results);
  const bad = settled.find((r) => r.status === 'rejected');
  if (bad) throw bad.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<IjbaSplitResult>).value);
}

/** {@link evaluateIjba} with the splits spread over worker threads (Node). Same report, to the bit. */
export async function evaluateIjbaParallel(
  splits: readonly IjbaSplitData[],
  table: FeatureTable,
  opts: IjbaOptions = {},
  par: IjbaParallelOptions = {},
): Promise<IjbaParallelResult> {
  const pool = ijbaPool(table, opts, { ...par, threads: Math.min(par.threads ?? availableParallelism(), Math.max(1, splits.length)) });
  try {
    let done = 0;
    const perSplit = await settleInOrder(
      splits.map((s) =>
        pool.submit(s).then((r) => {
          par.onSplit?.(s.split, ++done, splits.length);
          return r;
        }),
      ),
    );
    return { ...summarizeIjba(perSplit, opts), threads: pool.threads, kernel: pool.kernel() };
  } finally {
    await pool.close();
  }
}
