/**
 * One worker of {@link evaluateIjbaParallel} (ijba-parallel.ts): starts its own single-threaded native
 * GEMM at once, then takes the features (raw and L2-normalised, SharedArrayBuffers: the pool starts its
 * workers before the features are read, so that their start-up overlaps the reading), and evaluates the
 * splits it is sent, one at a time, exactly as {@link evaluateIjbaSplitAsync} / {@link evaluateIjbaSplit}
 * do in the main thread.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
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
    current = (async () => {
      try {
        const f = m.features;
        table = { features: { data: new Float32Array(f.raw), n: f.n, dim: f.dim }, index: new Map(f.ids.map((id, i) => [id, i])) };
        unit = new Float32Array(f.unit);
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
