// Worker of the Node recognizer pool (src/pool.ts). Plain JavaScript so that it runs in a bare
// `worker_threads` Worker without a TypeScript loader. It owns one onnxruntime-node session and runs
// `[n, 3, S, S]` batches it receives (transferred), transferring the outputs back.
//
// Protocol: workerData = { bytes: Uint8Array, providers: string[], sessionOptions: object }
//   → { type: 'ready', inputNames, outputNames, inputMetadata, outputMetadata, providers, fallback }
//   → { type: 'init-error', message }
//   ← { id, inputName, data: Float32Array, dims: number[], fetch: string[] }
//   → { id, outputs: { [name]: { data: Float32Array, dims: number[] } } } | { id, error: string }
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

const plain = (md) => (md ? md.map((m) => ({ name: m.name, isTensor: m.isTensor, type: m.type, shape: m.shape ? [...m.shape] : undefined })) : undefined);

async function init() {
  const { bytes, providers, sessionOptions } = workerData;
  let session;
  let used = providers;
  let fallback = null;
  try {
    session = await ort.InferenceSession.create(bytes, { ...sessionOptions, executionProviders: providers });
  } catch (e) {
    if (!providers.includes('cuda')) throw e;
    fallback = `creating a CUDA session failed: ${e.message}`;
    used = ['cpu'];
    session = await ort.InferenceSession.create(bytes, { ...sessionOptions, executionProviders: ['cpu'] });
  }
  return { session, used, fallback };
}

init().then(
  ({ session, used, fallback }) => {
    parentPort.postMessage({
      type: 'ready',
      inputNames: [...session.inputNames],
      outputNames: [...session.outputNames],
      inputMetadata: plain(session.inputMetadata),
      outputMetadata: plain(session.outputMetadata),
      providers: used,
      fallback,
    });
    let current = Promise.resolve();
    parentPort.on('message', (msg) => {
      if (msg.type === 'close') {
        // Let a run in flight finish before releasing its session.
        void current.then(async () => {
          await session.release();
          parentPort.close();
        });
        return;
      }
      current = runOne(session, msg);
    });
  },
  (e) => parentPort.postMessage({ type: 'init-error', message: e instanceof Error ? e.message : String(e) }),
);

async function runOne(session, msg) {
  try {
    const res = await session.run({ [msg.inputName]: new ort.Tensor('float32', msg.data, msg.dims) }, msg.fetch);
    const outputs = {};
    const transfer = [];
    for (const name of msg.fetch) {
      const t = res[name];
      if (!t) throw new Error(`session.run returned no '${name}' output`);
      let data = t.data;
      // Transfer only a buffer the output owns alone; otherwise copy once.
      if (data.byteOffset !== 0 || data.buffer.byteLength !== data.byteLength) data = data.slice();
      outputs[name] = { data, dims: [...t.dims], type: t.type };
      transfer.push(data.buffer);
    }
    parentPort.postMessage({ id: msg.id, outputs }, transfer);
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
}
