/**
 * The only module that touches `@interpret-fr/inference/web` (runs inside the worker). Everything else
 * talks to the worker through protocol.ts.
 *
 * @module
 */
import { checkPixels, preprocess } from '@interpret-fr/core';
import { InputError, ModelError, createRecognizer, ortWeb } from '@interpret-fr/inference/web';
import type { Recognizer, WebInferenceEvent } from '@interpret-fr/inference/web';
import type { Pixels } from '@interpret-fr/core';
import type { ModelSummary } from './protocol.ts';

/** A loaded model with the two calls the demo makes. */
export interface DemoModel {
  summary: ModelSummary;
  /** Raw embeddings (n × D) and maps (n × C × H × W, or null). */
  analyze(images: Pixels[]): Promise<{ embeddings: Float32Array; maps: Float32Array | null }>;
  dispose(): Promise<void>;
}

async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

/** Loads model bytes; checks that it is an Interpret-FR model with a usable input. */
export async function loadModel(bytes: Uint8Array, name: string, opts: { webgpu: boolean; wasmPaths: string; notes: string[] }): Promise<DemoModel> {
  const t0 = performance.now();
  const webgpu = opts.webgpu && (await hasWebGpuAdapter());
  if (opts.webgpu && !webgpu) opts.notes.push('WebGPU is not available here; using WebAssembly.');
  let provider: 'wasm' | 'webgpu' = 'wasm';
  const onEvent = (e: WebInferenceEvent) => {
    if (e.type === 'session') provider = e.providers[0] ?? 'wasm';
    else opts.notes.push(`WebGPU failed (${e.reason}); using WebAssembly.`);
  };
  // One wasm thread: the app is not cross-origin isolated (no SharedArrayBuffer), and the models are small.
  const numThreads = 1;
  const rec: Recognizer = await createRecognizer(bytes, { wasmPaths: opts.wasmPaths, numThreads, webgpu, onEvent });
  const info = rec.info;
  const size = info.preprocess.size;
  if (size < 8 || size > 1024) {
    await rec.dispose();
    throw new Error(`${name}: input size ${size}×${size} is outside what the demo supports (8–1024)`);
  }
  const summary: ModelSummary = {
    name,
    size,
    dim: info.dim,
    mapDims: info.mapDims,
    provider,
    specName: info.spec?.name ?? null,
    loadMs: performance.now() - t0,
  };
  const model: DemoModel = {
    summary,
    // One session run fetches both outputs (the recognizer's embed + responseMaps would run the network
    // twice); preprocessing is core's preprocess with the recognizer's options, so results equal rec.embed's.
    async analyze(images) {
      const n = images.length;
      if (info.fixedBatch !== null && info.fixedBatch !== n) {
        // A graph with a fixed batch size: let the recognizer pad and split.
        const e = await rec.embed(images);
        const maps = info.mapsName !== null ? (await rec.responseMaps(images)).data : null;
        summary.dim = e.dim;
        summary.mapDims = info.mapDims;
        return { embeddings: e.data, maps };
      }
      const per = 3 * size * size;
      const x = new Float32Array(n * per);
      images.forEach((p, i) => {
        checkPixels(p, `image ${i}`);
        if (p.width !== size || p.height !== size) throw new InputError(`image ${i} is ${p.width}×${p.height}, the model expects ${size}×${size}`);
        preprocess(p, x, { layout: 'NCHW', size, fit: 'center-square', normalization: info.preprocess, offset: i * per });
      });
      const fetch = info.mapsName !== null ? [info.embeddingName, info.mapsName] : [info.embeddingName];
      const out = await rec.session.run({ [info.inputName]: new ortWeb.Tensor('float32', x, [n, 3, size, size]) }, fetch);
      const e = out[info.embeddingName];
      if (!e || !(e.data instanceof Float32Array) || e.dims.length !== 2 || e.dims[0] !== n)
        throw new ModelError(`output '${info.embeddingName}' has dims [${e?.dims.join(', ')}], expected [${n}, D]`);
      summary.dim = e.dims[1]!;
      let maps: Float32Array | null = null;
      if (info.mapsName !== null) {
        const m = out[info.mapsName];
        if (!m || !(m.data instanceof Float32Array) || m.dims.length !== 4 || m.dims[0] !== n)
          throw new ModelError(`output '${info.mapsName}' has dims [${m?.dims.join(', ')}], expected [${n}, C, H, W]`);
        summary.mapDims = [m.dims[1]!, m.dims[2]!, m.dims[3]!];
        maps = m.data;
      }
      return { embeddings: e.data, maps };
    },
    dispose: () => rec.dispose(),
  };
  // Warm-up: ORT's first run allocates and initialises kernels (seconds for the full-size model on a
  // slow machine); doing it now keeps the first comparison fast. It also checks the outputs' shapes.
  try {
    await model.analyze([{ data: new Uint8Array(size * size * 3).fill(128), width: size, height: size, channels: 3 }]);
  } catch (e) {
    await rec.dispose();
    throw e;
  }
  summary.loadMs = performance.now() - t0;
  return model;
}
