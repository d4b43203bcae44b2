/**
 * `@interpret-fr/align/web`: face-api's browser ESM build (tfjs from the app's bundle, `wasm` or
 * `webgl` backend), models read from a base URL of the app's own origin (serve the files of
 * `@vladmandic/face-api/model/` there), or from any reader you pass.
 *
 * @packageDocumentation
 */
import { createFaceAligner as createOver, type FaceAligner, type FaceAlignerOptions } from './detector.ts';
import type { FaceApiModule } from './face-api-module.ts';
import type { FaceApi } from './face-api-types.ts';
import type { ModelFileReader } from './models.ts';

export { alignFace, templateForSize, templateTransform } from './align-face.ts';
export type { AlignOptions, AlignedFace } from './align-face.ts';
export { DESCRIPTOR_SIZE, FALLBACK_BOX_FRACTIONS, REFINE_BOX, boxFromLandmarks, templateFitError } from './detector.ts';
export type { DetectOptions, DetectedFace, FaceAligner, FaceAlignerOptions, FaceBox, FaceSource } from './detector.ts';
export { FLIP_68, chooseFace, flipLandmarks68 } from './faces.ts';
export { MODEL_CROP, createFacePipeline } from './pipeline.ts';
export type { PipelineEmbedder, PipelineFace, PipelineOptions, PipelineResult } from './pipeline.ts';
export { ModelLoadError, loadModel } from './models.ts';
export type { ModelFileReader, ModelName } from './models.ts';
export type { FaceApi } from './face-api-types.ts';

/** Options of the browser {@link createFaceAligner}. */
export interface WebFaceAlignerOptions extends FaceAlignerOptions {
  /** Base URL of the face-api model files (e.g. `/models/face-api/`), or a reader of them. */
  models: string | ModelFileReader;
  /** tfjs backend (default `webgl`, falling back to `wasm`). */
  backend?: 'webgl' | 'wasm';
  /** Where the tfjs wasm binaries are served (required for the `wasm` backend), e.g. `/tfjs-wasm/`. */
  wasmPaths?: string;
}

let faceApiPromise: Promise<FaceApiModule> | null = null;

function loadModule(): Promise<FaceApiModule> {
  faceApiPromise ??= import('@vladmandic/face-api/dist/face-api.esm-nobundle.js') as unknown as Promise<FaceApiModule>;
  return faceApiPromise;
}

/** face-api's browser build (no bundled tfjs; the app bundles @tensorflow/tfjs and its backends). */
export function loadFaceApi(): Promise<FaceApi> {
  return loadModule();
}

/**
 * face-api's environment inside a Worker, where it finds none (it looks for `window` and the DOM
 * element classes): `OffscreenCanvas` as its canvas; images and videos do not exist there. This
 * package only passes tensors to face-api, which need nothing else.
 */
function workerEnvironment(): Parameters<FaceApiModule['env']['setEnv']>[0] {
  class Unavailable {
    constructor() {
      throw new Error('face-api in a worker: only tensors and OffscreenCanvas are supported as inputs');
    }
  }
  const none = () => new Unavailable() as never;
  return {
    Canvas: OffscreenCanvas as never,
    CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D as never,
    Image: Unavailable as never,
    ImageData,
    Video: Unavailable as never,
    createCanvasElement: () => new OffscreenCanvas(1, 1) as never,
    createImageElement: none,
    createVideoElement: none,
    fetch: (url, init) => fetch(url, init),
    readFile: () => Promise.reject(new Error('face-api in a worker: no file system')),
  };
}

/**
 * A {@link FaceAligner} in the browser: in the page or in a (module) Worker.
 *
 * @example
 * const aligner = await createFaceAligner({ models: '/models/face-api/', backend: 'wasm', wasmPaths: '/tfjs-wasm/' });
 * const faces = await aligner.detectFaces(imageDataAsPixels);
 */
export async function createFaceAligner(opts: WebFaceAlignerOptions): Promise<FaceAligner> {
  const faceapi = await loadModule();
  if (!faceapi.env.isBrowser() && typeof OffscreenCanvas !== 'undefined') faceapi.env.setEnv(workerEnvironment());
  const tf = faceapi.tf as unknown as { setBackend(n: string): Promise<boolean>; ready(): Promise<void>; getBackend(): string };
  if (opts.wasmPaths) {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { setWasmPaths(p: string): void };
    wasm.setWasmPaths(opts.wasmPaths);
  }
  const want = opts.backend ?? 'webgl';
  if (!(await tf.setBackend(want).catch(() => false)) && !(want === 'webgl' && (await tf.setBackend('wasm').catch(() => false)))) {
    throw new Error(`face-api: tfjs backend '${want}' could not be initialised${want === 'wasm' ? ' (is wasmPaths right?)' : ''}`);
  }
  await tf.ready();
  const base = opts.models;
  const read: ModelFileReader =
    typeof base === 'function'
      ? base
      : async (name) => {
          const url = `${base.endsWith('/') ? base : `${base}/`}${name}`;
          const r = await fetch(url);
          if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
          return new Uint8Array(await r.arrayBuffer());
        };
  return createOver(faceapi, read, opts);
}
