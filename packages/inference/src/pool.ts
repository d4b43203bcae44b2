/**
 * A `worker_threads` pool of onnxruntime-node sessions, so a server can embed concurrently: ORT's `run`
 * occupies a thread for the whole forward pass, and one session serialises calls.
 *
 * Each worker owns one session. Calls are split into chunks of ≤ `maxBatch` images served FIFO by the
 * idle workers (a big call uses every worker). Pixels are preprocessed on the calling thread straight
 * into a fresh `Float32Array` that is *transferred* to the worker; outputs are transferred back. An
 * `ImageBatch` is copied once per chunk (transferring it would detach the caller's buffer).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkPixels, l2NormalizeRows, preprocess } from '@interpret-fr/core';
import type { Embeddings, HashParts, ResponseMaps } from '@interpret-fr/core';
import { ModelError, resolveModelInfo } from './model-info.ts';
import type { ModelInfo, ModelOverride } from './model-info.ts';
import type { OrtSessionLike, OrtSessionOptionsLike, OrtValueMetadataLike } from './ort-types.ts';
import { InputError, checkBatch, isImageBatch, nhwcToNchw } from './input.ts';
import type { RecognizerInput } from './input.ts';
import { findPeaks } from '@interpret-fr/core';
import type { PeakConvention } from '@interpret-fr/core';
import { cosineSimilarity } from './similarity.ts';
import { cudaUnavailableReason } from './providers.ts';
import type { InferenceEvent, NodeProvider } from './providers.ts';
import { inspectModel } from './recognizer.ts';
import type { Recognizer } from './recognizer.ts';
import { nodeSha256Parts } from './node-hash.ts';

/** Options of {@link createRecognizerPool}. */
export interface PoolOptions extends ModelOverride {
  /** Check the model's integrity seal before loading (default true; see `RecognizerOptions.verify`). */
  verify?: boolean;
  /** Hash of the integrity check (default `node:crypto` SHA-256). */
  hashParts?: HashParts;
  /** Worker count (default: available cores, at least 1). */
  workers?: number;
  /** Most calls accepted and not yet settled; the next call rejects with {@link PoolQueueFullError} (default 64). */
  queueLimit?: number;
  /** Largest batch per `session.run` (default 32). */
  maxBatch?: number;
  /** `['cpu']` (default) or `['cuda']` (falls back to CPU with a `provider-fallback` event). */
  executionProviders?: NodeProvider[];
  /** Per-worker session options; `intraOpNumThreads` defaults to max(1, floor(cores / workers)). */
  sessionOptions?: OrtSessionOptionsLike;
  peakConvention?: PeakConvention;
  onEvent?: (e: InferenceEvent | { type: 'worker-exit'; worker: number; reason: string }) => void;
}

/** The pool's queue is full; retry later, or raise `queueLimit`. */
export class PoolQueueFullError extends Error {
  constructor(
    readonly pending: number,
    readonly limit: number,
  ) {
    super(`recognizer pool queue is full: ${pending} calls pending, queueLimit ${limit}; retry later or raise queueLimit`);
    this.name = 'PoolQueueFullError';
  }
}

/** Concurrent recognizer over worker threads (same methods as a Recognizer). */
export interface RecognizerPool extends Omit<Recognizer, 'session'> {
  /** Worker threads, each with its own session. */
  readonly workers: number;
  /** Calls accepted and not yet settled. */
  readonly pending: number;
}

interface Task {
  id: number;
  data: Float32Array;
  dims: number[];
  fetch: string[];
  resolve: (out: Record<string, { data: Float32Array; dims: number[] }>) => void;
  reject: (e: Error) => void;
}
interface Slot {
  worker: Worker;
  index: number;
  task: Task | null;
}
interface Ready {
  inputNames: string[];
  outputNames: string[];
  inputMetadata?: OrtValueMetadataLike[];
  outputMetadata?: OrtValueMetadataLike[];
  providers: NodeProvider[];
  fallback: string | null;
}

/**
 * Starts `workers` threads, each loading the model, and checks the model signature once.
 *
 * @example
 * const pool = await createRecognizerPool('model.onnx', { workers: 2, queueLimit: 100 });
 * const e = await pool.embed(images, { normalize: true });
 * await pool.dispose();
 */
export async function createRecognizerPool(model: string | Uint8Array, options: PoolOptions = {}): Promise<RecognizerPool> {
  const where = typeof model === 'string' ? model : `model bytes (${model.length} B)`;
  let bytes: Uint8Array;
  try {
    bytes = typeof model === 'string' ? await readFile(model) : model;
  } catch (e) {
    throw new ModelError(`${where}: cannot read the model file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const onnx = await inspectModel(bytes, where, { ...options, hashParts: options.hashParts ?? nodeSha256Parts });
  const nWorkers = options.workers ?? Math.max(1, availableParallelism());
  if (!Number.isInteger(nWorkers) || nWorkers < 1) throw new RangeError(`createRecognizerPool: workers must be a positive integer, got ${nWorkers}`);
  const queueLimit = options.queueLimit ?? 64;
  if (!Number.isInteger(queueLimit) || queueLimit < 1) throw new RangeError(`createRecognizerPool: queueLimit must be a positive integer, got ${queueLimit}`);
  let providers: NodeProvider[] = options.executionProviders?.length ? [...options.executionProviders] : ['cpu'];
  if (providers.includes('cuda')) {
    const reason = cudaUnavailableReason();
    if (reason) {
      options.onEvent?.({ type: 'provider-fallback', requested: providers, used: ['cpu'], reason, where });
      providers = ['cpu'];
    } else if (!providers.includes('cpu')) providers.push('cpu');
  }
  const sessionOptions = { intraOpNumThreads: Math.max(1, Math.floor(availableParallelism() / nWorkers)), ...options.sessionOptions };

  const slots: Slot[] = [];
  const readies = [];
  for (let i = 0; i < nWorkers; i++) {
    const worker = new Worker(new URL('./pool-worker.mjs', import.meta.url), { workerData: { bytes, providers, sessionOptions } });
    slots.push({ worker, index: i, task: null });
    readies.push(
      new Promise<Ready>((resolve, reject) => {
        worker.once('message', (m: { type: string; message?: string } & Ready) =>
          m.type === 'ready' ? resolve(m) : reject(new ModelError(`${where}: worker ${i} could not load the model: ${m.message}`)),
        );
        worker.once('error', reject);
      }),
    );
  }
  let ready: Ready[];
  try {
    ready = await Promise.all(readies);
  } catch (e) {
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw e;
  }
  const r0 = ready[0]!;
  const fb = ready.find((r) => r.fallback);
  if (fb) options.onEvent?.({ type: 'provider-fallback', requested: providers, used: ['cpu'], reason: fb.fallback!, where });
  else options.onEvent?.({ type: 'session', providers: r0.providers, where });
  const stub: OrtSessionLike = {
    ...r0,
    run: () => Promise.reject(new Error('not callable')),
    release: () => Promise.resolve(),
  };
  let info: ModelInfo;
  try {
    info = resolveModelInfo(stub, onnx, options, where);
  } catch (e) {
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw e;
  }

  const S = info.preprocess.size;
  const per = 3 * S * S;
  const maxBatch = info.fixedBatch ?? options.maxBatch ?? 32;
  const queue: Task[] = [];
  let nextId = 1;
  let pending = 0;
  let disposed = false;
  const live = new Set(slots);

  function dispatch(): void {
    for (const s of live) {
      if (s.task || queue.length === 0) continue;
      const t = queue.shift()!;
      s.task = t;
      s.worker.postMessage({ id: t.id, inputName: info.inputName, data: t.data, dims: t.dims, fetch: t.fetch }, [t.data.buffer as ArrayBuffer]);
    }
  }
  for (const s of slots) {
    s.worker.on('message', (m: { id: number; error?: string; outputs?: Record<string, { data: Float32Array; dims: number[] }> }) => {
      const t = s.task;
      if (!t || m.id !== t.id) return;
      s.task = null;
      if (m.error !== undefined) t.reject(new Error(`worker ${s.index}: ${m.error}`));
      else t.resolve(m.outputs!);
      dispatch();
    });
    const gone = (reason: string) => {
      if (!live.delete(s)) return;
      s.task?.reject(new Error(`worker ${s.index} stopped (${reason}) while running a batch`));
      s.task = null;
      if (!disposed) options.onEvent?.({ type: 'worker-exit', worker: s.index, reason });
      if (live.size === 0) for (const t of queue.splice(0)) t.reject(new Error(`recognizer pool: no worker left (${reason})`));
    };
    s.worker.on('error', (e) => gone(e.message));
    s.worker.on('exit', (code) => gone(`exit code ${code}`));
  }

  function chunk(images: RecognizerInput, from: number, count: number): Float32Array {
    const rows = info.fixedBatch ?? count;
    const out = new Float32Array(rows * per);
    if (isImageBatch(images)) {
      if (images.layout === 'NCHW') out.set(images.data.subarray(from * per, (from + count) * per));
      else nhwcToNchw(images, from, count, out);
    } else for (let i = 0; i < count; i++) preprocess(images[from + i]!, out, { layout: 'NCHW', size: S, fit: 'center-square', normalization: info.preprocess, offset: i * per });
    return out;
  }

  async function runAll(images: RecognizerInput, fetch: string[]): Promise<{ n: number; out: Float32Array[]; dims: number[][] }> {
    if (disposed) throw new Error('recognizer pool: used after dispose()');
    if (isImageBatch(images)) checkBatch(images, S);
    else if (Array.isArray(images)) images.forEach((p, i) => checkPixels(p, `image ${i}`));
    else throw new InputError('recognizer pool: images must be an array of Pixels or an ImageBatch');
    if (pending >= queueLimit) throw new PoolQueueFullError(pending, queueLimit);
    if (live.size === 0) throw new Error('recognizer pool: no worker left');
    pending++;
    try {
      const n = isImageBatch(images) ? images.n : images.length;
      const jobs: Promise<Record<string, { data: Float32Array; dims: number[] }>>[] = [];
      const counts: number[] = [];
      for (let from = 0; from < n; from += maxBatch) {
        const count = Math.min(maxBatch, n - from);
        const data = chunk(images, from, count);
        counts.push(count);
        jobs.push(new Promise((resolve, reject) => queue.push({ id: nextId++, data, dims: [data.length / per, 3, S, S], fetch, resolve, reject })));
      }
      dispatch();
      const results = await Promise.all(jobs);
      const dims = fetch.map((name) => results[0]?.[name]?.dims ?? []);
      const out = fetch.map((name) => {
        const parts = results.map((r, k) => {
          const o = r[name]!;
          const rowLen = o.data.length / o.dims[0]!;
          return o.dims[0] === counts[k] ? o.data : o.data.subarray(0, rowLen * counts[k]!);
        });
        if (parts.length === 1) return parts[0]!;
        const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
        let o = 0;
        for (const p of parts) {
          all.set(p, o);
          o += p.length;
        }
        return all;
      });
      return { n, out, dims };
    } finally {
      pending--;
    }
  }

  async function responseMaps(images: RecognizerInput): Promise<ResponseMaps> {
    if (info.mapsName === null) throw new ModelError(`${where} has no maps output (outputs: ${JSON.stringify(r0.outputNames)}); export it with maps`);
    const { n, out, dims } = await runAll(images, [info.mapsName]);
    const d = dims[0]!;
    if (n > 0 && (d.length !== 4 || (info.mapDims && (d[1] !== info.mapDims[0] || d[2] !== info.mapDims[1] || d[3] !== info.mapDims[2])))) {
      throw new ModelError(`output '${info.mapsName}' has dims [${d.join(', ')}], expected [N, ${info.mapDims?.join(', ')}]`);
    }
    return { data: n ? out[0]! : new Float32Array(0), n, channels: d[1] ?? 0, height: d[2] ?? 0, width: d[3] ?? 0 };
  }

  return {
    info,
    workers: nWorkers,
    get pending() {
      return pending;
    },
    get dim() {
      return info.dim;
    },
    inputSize: S,
    async embed(images, opts = {}) {
      const { n, out, dims } = await runAll(images, [info.embeddingName]);
      const d = dims[0]!;
      if (n > 0 && (d.length !== 2 || (info.dim > 0 && d[1] !== info.dim)))
        throw new ModelError(`output '${info.embeddingName}' has dims [${d.join(', ')}], expected [N, ${info.dim}]`);
      const e: Embeddings = { data: n ? out[0]! : new Float32Array(0), n, dim: info.dim || (d[1] ?? 0) };
      if (opts.normalize) l2NormalizeRows(e.data, e.n, e.dim, e.data);
      return e;
    },
    responseMaps,
    async peaks(images, opts = {}) {
      return findPeaks(await responseMaps(images), S, opts.convention ?? options.peakConvention ?? 'center');
    },
    similarity: cosineSimilarity,
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of queue.splice(0)) t.reject(new Error('recognizer pool disposed'));
      await Promise.all(
        [...live].map(async (s) => {
          const exited = new Promise((res) => s.worker.once('exit', res));
          s.worker.postMessage({ type: 'close' });
          const timer = setTimeout(() => void s.worker.terminate(), 5000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
