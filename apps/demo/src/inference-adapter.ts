/**
 * The only module that touches `@interpret-fr/inference/web` (runs inside the worker). Everything else
 * talks to the worker through protocol.ts.
 *
 * @module
 */
import { createRecognizer } from '@interpret-fr/inference/web';
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
  return {
    summary,
    async analyze(images) {
      const e = await rec.embed(images);
      let maps: Float32Array | null = null;
      if (info.mapsName !== null) maps = (await rec.responseMaps(images)).data;
      if (summary.dim === 0) summary.dim = e.dim;
      if (!summary.mapDims && info.mapDims) summary.mapDims = info.mapDims;
      return { embeddings: e.data, maps };
    },
    dispose: () => rec.dispose(),
  };
}
