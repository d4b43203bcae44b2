/**
 * `@interpret-fr/inference/web`: the recognizer bound to `onnxruntime-web` (WebAssembly; WebGPU when the
 * browser has `navigator.gpu` and the app asks for it). No Node imports here, so this entry bundles for
 * browsers and workers.
 *
 * The `.wasm`/`.mjs` runtime files are loaded from `wasmPaths`, which must be on the app's own origin
 * (copy `node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded*.{wasm,mjs}` into the app's static
 * folder): a cross-origin URL is refused, so nothing is ever fetched from a CDN. When `wasmPaths` is
 * omitted, ORT resolves the files next to its own module (the app's bundle; in Node, its `dist/`).
 *
 * @example
 * import { createRecognizer } from '@interpret-fr/inference/web';
 * const rec = await createRecognizer(modelBytes, { wasmPaths: '/ort/', webgpu: true, onEvent: console.log });
 *
 * @packageDocumentation
 */
import * as ort from 'onnxruntime-web';
import { sha256Parts, toHex } from '@interpret-fr/core';
import type { HashParts } from '@interpret-fr/core';
import { createRecognizer as createWith } from './recognizer.ts';
import type { Recognizer, RecognizerOptions } from './recognizer.ts';
import type { OrtModuleLike } from './ort-types.ts';

export {
  cellToPixel,
  cosineSimilarity,
  defaultPreprocess,
  findPeaks,
  InputError,
  inspectModel,
  isImageBatch,
  loadSession,
  META_OUTPUTS,
  META_PREPROCESS,
  META_SPEC,
  ModelError,
  peakAt,
  recognizerOver,
  resolveModelInfo,
} from './index.ts';
export type {
  EmbedOptions,
  ModelInfo,
  ModelOverride,
  OrtModuleLike,
  OrtSessionLike,
  OrtSessionOptionsLike,
  OrtTensorLike,
  OrtValueMetadataLike,
  Peak,
  PeakConvention,
  Peaks,
  PreprocessInfo,
  Recognizer,
  RecognizerInput,
  RecognizerOptions,
  SignedPeaks,
} from './index.ts';

/** Events of the web binding. */
export type WebInferenceEvent = { type: 'session'; providers: ('webgpu' | 'wasm')[] } | { type: 'provider-fallback'; requested: 'webgpu'; used: 'wasm'; reason: string };

/** Options of the web {@link createRecognizer}. */
export interface WebRecognizerOptions extends Omit<RecognizerOptions, 'createSession' | 'readFile'> {
  /** URL prefix (ending in `/`) or `{ wasm, mjs }` URLs of ORT's runtime files, on the app's own origin. */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  /** WebAssembly threads (ORT's `env.wasm.numThreads`; 1 = no worker threads). Unset: ORT decides. */
  numThreads?: number;
  /** Use WebGPU when `navigator.gpu` exists; falls back to wasm with a `provider-fallback` event. */
  webgpu?: boolean;
  onEvent?: (e: WebInferenceEvent) => void;
}

/** The `onnxruntime-web` module, typed structurally. */
export const ortWeb: OrtModuleLike = ort;

/** SHA-256 of the integrity check with WebCrypto (`crypto.subtle`, secure contexts), else core's portable hash. */
export const subtleSha256Parts: HashParts = async (parts) => {
  const subtle = (globalThis as { crypto?: { subtle?: { digest(a: string, d: Uint8Array): Promise<ArrayBuffer> } } }).crypto?.subtle;
  if (!subtle) return sha256Parts(parts);
  let n = 0;
  for (const p of parts) n += p.length;
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return toHex(new Uint8Array(await subtle.digest('SHA-256', all)));
};

function pageOrigin(): string | null {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return loc?.origin && loc.origin !== 'null' ? loc.origin : null;
}

/** Throws when a wasm URL points to another origin than the page's. */
export function checkSameOrigin(url: string, origin: string | null): void {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return; // relative path: same origin by construction
  if (url.startsWith('file:')) return;
  const u = new URL(url);
  if (origin === null) throw new Error(`wasmPaths '${url}' is an absolute URL but there is no page origin to check it against; serve the ORT files yourself and use a path`);
  if (u.origin !== origin) throw new Error(`wasmPaths '${url}' is on ${u.origin}, not the app's origin ${origin}; serve ORT's .wasm/.mjs files from your own origin`);
}

/** Sets `ort.env.wasm` from the options (wasm paths checked, thread count). */
export function configureWasm(options: Pick<WebRecognizerOptions, 'wasmPaths' | 'numThreads'>): void {
  const origin = pageOrigin();
  if (options.wasmPaths !== undefined) {
    const urls = typeof options.wasmPaths === 'string' ? [options.wasmPaths] : [options.wasmPaths.wasm, options.wasmPaths.mjs].filter((u): u is string => !!u);
    for (const u of urls) checkSameOrigin(u, origin);
    ort.env.wasm.wasmPaths = options.wasmPaths;
  }
  if (options.numThreads !== undefined) {
    if (!Number.isInteger(options.numThreads) || options.numThreads < 0) throw new RangeError(`numThreads must be a non-negative integer, got ${options.numThreads}`);
    ort.env.wasm.numThreads = options.numThreads;
  }
}

/** Loads model bytes on onnxruntime-web. */
export async function createRecognizer(model: Uint8Array, options: WebRecognizerOptions = {}): Promise<Recognizer> {
  if (!(model instanceof Uint8Array)) throw new TypeError('createRecognizer (web): pass the model bytes (fetch them from your origin or read a user-picked file)');
  configureWasm(options);
  const hasGpu = !!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  return createWith(ortWeb, model, {
    ...options,
    hashParts: options.hashParts ?? subtleSha256Parts,
    createSession: async (bytes) => {
      if (options.webgpu) {
        if (hasGpu) {
          try {
            const s = await ortWeb.InferenceSession.create(bytes, { ...options.sessionOptions, executionProviders: ['webgpu'] });
            options.onEvent?.({ type: 'session', providers: ['webgpu'] });
            return s;
          } catch (e) {
            options.onEvent?.({ type: 'provider-fallback', requested: 'webgpu', used: 'wasm', reason: `creating a WebGPU session failed: ${(e as Error).message}` });
          }
        } else options.onEvent?.({ type: 'provider-fallback', requested: 'webgpu', used: 'wasm', reason: 'navigator.gpu is not available in this context' });
      }
      const s = await ortWeb.InferenceSession.create(bytes, { ...options.sessionOptions, executionProviders: ['wasm'] });
      if (!options.webgpu) options.onEvent?.({ type: 'session', providers: ['wasm'] });
      return s;
    },
  });
}
