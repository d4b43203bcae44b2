/**
 * One worker of {@link evaluateIjbaParallel} (ijba-parallel.ts): holds the shared features (raw and
 * L2-normalised, SharedArrayBuffers) and its own single-threaded native GEMM, and evaluates the
 * splits it is sent, one at a time, exactly as {@link evaluateIjbaSplitAsync} / {@link evaluateIjbaSplit}
 * do in the main thread.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nativeGemm } from '../scores/native-gemm.ts';
import { evaluateIjbaSplit, evaluateIjbaSplitAsync, type FeatureTable, type IjbaOptions } from './ijba.ts';
import { errorMessage, type IjbaWorkerData, type IjbaWorkerJob, type IjbaWorkerReply } from './ijba-parallel-protocol.ts';

const wd = workerData as IjbaWorkerData;
const port = parentPort!;
const post = (m: IjbaWorkerReply): void => port.postMessage(m);
try {
  const table: FeatureTable = {
    features: { data: new Float32Array(wd.raw), n: wd.n, dim: wd.dim },
    index: new Map(wd.ids.map((id, i) => [id, i])),
  };
  const unit = new Float32Array(wd.unit);
  const opts: IjbaOptions = wd.opts;
  const gemm = wd.gemm === 'native' ? await nativeGemm({ threads: 1 }) : null;
  let current: Promise<void> = Promise.resolve();
  port.on('message', (m: IjbaWorkerJob) => {
    if (m.type === 'close') {
      // After the split in flight: release the ORT sessions, then let the thread end (terminating a thread that
      // holds onnxruntime-node sessions aborts the process).
      void current.then(async () => {
        await gemm?.release?.();
        port.close();
      });
      return;
    }
    current = (async () => {
      try {
        const result = gemm ? await evaluateIjbaSplitAsync(m.split, table, gemm, opts, unit) : evaluateIjbaSplit(m.split, table, opts, unit);
        post({ type: 'result', k: m.k, result });
      } catch (e) {
        post({ type: 'failed', k: m.k, error: errorMessage(e) });
      }
    })();
  });
  post({ type: 'ready', kernel: gemm ? gemm.name : 'wasm-simd' });
} catch (e) {
  post({ type: 'failed', k: -1, error: errorMessage(e) });
}
