/**
 * Inference worker: holds one model, answers `load` and `analyze` requests in order.
 *
 * @module
 */
import type { Pixels } from '@interpret-fr/core';
import { loadModel } from './inference-adapter.ts';
import type { DemoModel } from './inference-adapter.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

let model: DemoModel | null = null;
let chain: Promise<void> = Promise.resolve();

function post(msg: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

function errorKind(e: unknown): 'model' | 'input' | 'runtime' {
  const name = (e as { name?: string }).name;
  return name === 'ModelError' ? 'model' : name === 'InputError' ? 'input' : 'runtime';
}

async function handle(req: WorkerRequest): Promise<void> {
  try {
    if (req.type === 'load') {
      const notes: string[] = [];
      const next = await loadModel(new Uint8Array(req.bytes), req.name, { webgpu: req.webgpu, wasmPaths: req.wasmPaths, notes });
      if (model) await model.dispose();
      model = next;
      post({ type: 'loaded', id: req.id, model: { ...model.summary }, notes });
    } else {
      if (!model) throw new Error('no model loaded yet');
      const t0 = performance.now();
      const r = await model.analyze(req.images as Pixels[]);
      // Copy out of ORT's buffers so they can be transferred.
      const embeddings = r.embeddings.slice();
      const maps = r.maps ? r.maps.slice() : null;
      post(
        { type: 'analyzed', id: req.id, n: req.images.length, embeddings, maps, dim: model.summary.dim, mapDims: model.summary.mapDims, ms: performance.now() - t0 },
        maps ? [embeddings.buffer, maps.buffer] : [embeddings.buffer],
      );
    }
  } catch (e) {
    post({ type: 'error', id: req.id, kind: errorKind(e), message: e instanceof Error ? e.message : String(e) });
  }
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  chain = chain.then(() => handle(ev.data));
};
