/**
 * One worker of {@link evaluateIjbaParallel} (ijba-parallel.ts): starts its own single-threaded native
 * GEMM at once, then takes the features (SharedArrayBuffers: the pool starts its workers before the
 * features are read, so that their start-up overlaps the reading), L2-normalises its share of the rows
 * into the shared buffer, and once every share is done ('go') evaluates the splits it is sent, one at a time, exactly as {@link evaluateIjbaSplitAsync} / {@link evaluateIjbaSplit}
 * do in the main thread.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { l2NormalizeRows } from '@interpret-fr/core';
import type { AsyncGemm } from '../scores/gemm.ts';
import { nativeGemm } from '../scores/native-gemm.ts';
import { evaluateIjbaSplit, evaluateIjbaSplitAsync, type FeatureTable, type IjbaOptions } from './ijba.ts';
import { errorMessage, type IjbaWorkerData, type IjbaWorkerJob, type IjbaWorkerReply } from './ijba-parallel-protocol.ts';

const wd = workerData as IjbaWorkerData;
const port = parentPort!;
const post = (m: IjbaWorkerReply): void => port.postMessage(m);
const opts: IjbaOptions = wd.opts;
const gemmReady: Promise<AsyncGemm | null> = wd.gemm === 'native' ? nativeGemm({ threads: 1 }) : Promise.resolve(null);
gemmReady.catch(() => {}); // reported when the features arrive
let gemm: AsyncGemm | null = null;
let table: FeatureTable | null = null;
let unit: Float32Array | null = null;
let current: Promise<void> = Promise.resolve();
port.on('message', (m: IjbaWorkerJob) => {
  if (m.type === 'features') {
    try {
      // This worker's share of the rows, normalised into the shared buffer (the same bits as normalising all
      // rows at once: each row on its own); the table while the other shares are done.
      const f = m.features;
      const [r0, r1] = f.rows;
      const raw = new Float32Array(f.raw);
      unit = new Float32Array(f.unit);
      l2NormalizeRows(raw.subarray(r0 * f.dim, r1 * f.dim), r1 - r0, f.dim, unit.subarray(r0 * f.dim, r1 * f.dim));
      post({ type: 'normalized' });
      table = { features: { data: raw, n: f.n, dim: f.dim }, index: new Map(f.ids.map((id, i) => [id, i])) };
    } catch (e) {
      post({ type: 'failed', k: -1, error: errorMessage(e) });
    }
    return;
  }
  if (m.type === 'go') {
    // Every share is normalised (the pool sends this after each worker's 'normalized').
    current = (async () => {
      try {
        gemm = await gemmReady;
        post({ type: 'ready', kernel: gemm ? gemm.name : 'wasm-simd' });
      } catch (e) {
        post({ type: 'failed', k: -1, error: errorMessage(e) });
      }
    })();
    return;
  }
  if (m.type === 'close') {
    // After the split in flight: release the ORT sessions, then let the thread end (terminating a thread that
    // holds onnxruntime-node sessions aborts the process).
    void current.then(async () => {
      await (await gemmReady.catch(() => null))?.release?.();
      port.close();
    });
    return;
  }
  current = (async () => {
    try {
      const result = gemm ? await evaluateIjbaSplitAsync(m.split, table!, gemm, opts, unit!) : evaluateIjbaSplit(m.split, table!, opts, unit!);
      post({ type: 'result', k: m.k, result });
    } catch (e) {
      post({ type: 'failed', k: m.k, error: errorMessage(e) });
    }
  })();
});
