/**
 * Page side of the inference worker: request/response by id, as promises.
 *
 * @module
 */
import type { Pixels } from '@interpret-fr/core';
import type { ModelSummary, WorkerRequest, WorkerResponse } from './protocol.ts';

/** Result of one `analyze` call. */
export interface AnalyzeResult {
  n: number;
  dim: number;
  mapDims: [number, number, number] | null;
  embeddings: Float32Array;
  maps: Float32Array | null;
  ms: number;
}

/** An error reported by the worker; `kind` tells a bad model from a bad image or a runtime failure. */
export class WorkerError extends Error {
  constructor(
    message: string,
    readonly kind: 'model' | 'input' | 'runtime',
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };

/** Owns the worker. */
export class InferenceClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'inference' });
    this.worker.onmessage = (ev: MessageEvent<WorkerResponse>) => {
      const p = this.pending.get(ev.data.id);
      if (!p) return;
      this.pending.delete(ev.data.id);
      if (ev.data.type === 'error') p.reject(new WorkerError(ev.data.message, ev.data.kind));
      else p.resolve(ev.data);
    };
    this.worker.onerror = (ev) => {
      ev.preventDefault();
      const err = new WorkerError(`inference worker failed: ${ev.message || 'unknown error'}`, 'runtime');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  private send(req: WorkerRequest, transfer: Transferable[] = []): Promise<WorkerResponse> {
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.worker.postMessage(req, transfer);
    });
  }

  /** Loads a model (the bytes are transferred). */
  async load(bytes: ArrayBuffer, name: string, webgpu: boolean): Promise<{ model: ModelSummary; notes: string[] }> {
    const wasmPaths = new URL('ort/', document.baseURI).href;
    const r = await this.send({ type: 'load', id: this.nextId++, bytes, name, webgpu, wasmPaths }, [bytes]);
    if (r.type !== 'loaded') throw new WorkerError(`unexpected worker reply ${r.type}`, 'runtime');
    return { model: r.model, notes: r.notes };
  }

  /** Embeddings and maps of S × S images (copied, not transferred: the page keeps its pixels). */
  async analyze(images: Pixels[]): Promise<AnalyzeResult> {
    const wire = images.map((p) => ({ data: new Uint8Array(p.data), width: p.width, height: p.height, channels: p.channels }));
    const r = await this.send(
      { type: 'analyze', id: this.nextId++, images: wire },
      wire.map((w) => w.data.buffer),
    );
    if (r.type !== 'analyzed') throw new WorkerError(`unexpected worker reply ${r.type}`, 'runtime');
    return { n: r.n, dim: r.dim, mapDims: r.mapDims, embeddings: r.embeddings, maps: r.maps, ms: r.ms };
  }
}
