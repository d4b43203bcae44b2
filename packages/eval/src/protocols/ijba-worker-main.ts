/**
 * One worker of {@link evaluateIjbaParallel} (ijba-parallel.ts): starts its own single-threaded native
 * GEMM at once, then takes the features (SharedArrayBuffers: the pool starts its workers before the
 * features are read, so that their start-up overlaps the reading), L2-normalises its share of the rows
 * into the shared buffer, and once every share is done (a shared count, waited on with Atomics) evaluates the
 * splits (or halves of splits) it is sent, one at a time, exactly as {@link evaluateIjbaSplitAsync} / {@link evaluateIjbaSplit} do in
 * the main thread.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AsyncGemm } from '../scores/gemm.ts';
import { nativeGemm } from '../scores/native-gemm.ts';
import { markUnitFinite, normalizeRowsChecked, registerFeatureMemory } from '../scores/simd.ts';
import { evaluateIjbaPartAsync, evaluateIjbaSplit, evaluateIjbaSplitAsync, numericFeatureTable, type FeatureTable, type IjbaOptions } from './ijba.ts';
import { errorMessage, type IjbaWorkerData, type IjbaWorkerJob, type IjbaWorkerReply } from './ijba-parallel-protocol.ts';

const wd = workerData as IjbaWorkerData;
const port = parentPort!;
const post = (m: IjbaWorkerReply): void => port.postMessage(m);
const opts: IjbaOptions = wd.opts;
const gemmReady: Promise<AsyncGemm | null> = wd.gemm === 'native' ? nativeGemm({ threads: 1 }) : Promise.resolve(null);
gemmReady.catch(() => {}); // reported by `started`
let gemm: AsyncGemm | null = null;
let table: FeatureTable | null = null;
let unit: Float32Array | null = null;
/** Given the shared start-up count and the number of workers, or null when the pool closes before sending the features. */
let gotFeatures: (f: [Int32Array, number] | null) => void = () => {};
const featuresIn = new Promise<[Int32Array, number] | null>((res) => {
  gotFeatures = res;
});
/** Thrown by `started` when another worker's share failed (that worker reports its error; this one stays idle). */
const peerFailed = new Error('IJB-A worker: another worker failed to start');
/** Thrown by `started` when the pool closed before the features came (their reading failed, or nothing was submitted). */
const closedEarly = new Error('IJB-A worker: closed before the features came');
/** Resolves once the kernel is up and every worker's share of the features is normalised; rejects if this worker's start-up failed. */
const started: Promise<void> = (async () => {
  const f = await featuresIn;
  if (!f) throw closedEarly;
  const [done, workers] = f;
  // Every share: wait on the shared count (−1: another worker failed, and reported it; this one stays idle).
  for (let v = Atomics.load(done, 0); v >= 0 && v < workers; v = Atomics.load(done, 0)) {
    const w = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync(done, 0, v);
    if (w.async) await w.value;
  }
  if (Atomics.load(done, 0) < 0) throw peerFailed;
  // Every share is in: no row holds a non-finite value, so the set scores need not scan for them.
  if (Atomics.load(done, 1) === 0) markUnitFinite(unit!);
  gemm = await gemmReady;
  post({ type: 'ready', kernel: gemm ? gemm.name : 'wasm-simd' });
})();
started.catch((e) => {
  if (e !== peerFailed && e !== closedEarly) post({ type: 'failed', k: -1, error: errorMessage(e) });
});
let current: Promise<void> = Promise.resolve();
port.on('message', (m: IjbaWorkerJob) => {
  if (m.type === 'features') {
    const f = m.features;
    const done = new Int32Array(f.done);
    try {
      // This worker's share of the rows, normalised into the shared buffer (the same bits as normalising all
      // rows at once: each row on its own); the table while the other shares are done.
      const [r0, r1] = f.rows;
      const raw = new Float32Array(f.raw, 0, f.length);
      // (At most the buffer: a table short of n × dim values normalised in place fails in the normalisation below.)
      unit = new Float32Array(f.unit, 0, Math.min(f.n * f.dim, f.unit.byteLength / 4));
      if (f.memory) registerFeatureMemory(f.unit, f.memory);
      const bad = normalizeRowsChecked(raw.subarray(r0 * f.dim, r1 * f.dim), r1 - r0, f.dim, unit.subarray(r0 * f.dim, r1 * f.dim));
      Atomics.add(done, 1, bad);
      const features = { data: raw, n: f.n, dim: f.dim };
      table = f.numericIds ? numericFeatureTable(features, f.numericIds) : { features, index: new Map(f.ids!.map((id, i) => [id, i])) };
      // Counted unless a share has failed (−1 stays −1: a waiting worker must not read a count again).
      for (let v = Atomics.load(done, 0); v >= 0; v = Atomics.load(done, 0)) if (Atomics.compareExchange(done, 0, v, v + 1) === v) break;
    } catch (e) {
      Atomics.store(done, 0, -1);
      post({ type: 'failed', k: -1, error: errorMessage(e) });
    }
    Atomics.notify(done, 0);
    gotFeatures([done, f.workers]);
    return;
  }
  if (m.type === 'close') {
    // Without the features by now, they will not come: the jobs waiting for the start-up end at once (a no-op
    // when they came). After the jobs in flight: release the ORT sessions, then let the thread end (terminating a
    // thread that holds onnxruntime-node sessions aborts the process).
    gotFeatures(null);
    void current.then(async () => {
      await (await gemmReady.catch(() => null))?.release?.();
      port.close();
    });
    return;
  }
  // A split: after the start-up and the splits before it (the pool may send one before this worker is ready).
  current = current.then(async () => {
    try {
      await started;
    } catch {
      return; // the start-up failure is already reported
    }
    try {
      const result = m.part
        ? await evaluateIjbaPartAsync(m.split, table!, gemm, m.part, opts, unit!)
        : gemm
          ? await evaluateIjbaSplitAsync(m.split, table!, gemm, opts, unit!)
          : evaluateIjbaSplit(m.split, table!, opts, unit!);
      post({ type: 'result', k: m.k, result });
    } catch (e) {
      post({ type: 'failed', k: m.k, error: errorMessage(e) });
    }
  });
});
