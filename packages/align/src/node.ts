/**
 * `@interpret-fr/align/node`: face-api's Node wasm build (tfjs-backend-wasm, one thread per process;
 * use the prepare CLI's worker pool for more), models read from the installed
 * `@vladmandic/face-api/model` folder, and a file decoder.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Pixels } from '@interpret-fr/core';
import { createFaceAligner as createOver, type DetectOptions, type DetectedFace, type FaceAligner, type FaceAlignerOptions } from './detector.ts';
import type { FaceApiModule } from './face-api-module.ts';
import type { FaceApi } from './face-api-types.ts';

export { alignFace, templateForSize, templateTransform } from './align-face.ts';
export type { AlignOptions, AlignedFace } from './align-face.ts';
export { DESCRIPTOR_SIZE, FALLBACK_BOX_FRACTIONS, REFINE_BOX, boxFromLandmarks, templateFitError } from './detector.ts';
export type { DetectOptions, DetectedFace, FaceAligner, FaceAlignerOptions, FaceBox, FaceSource } from './detector.ts';
export { ModelLoadError, loadModel } from './models.ts';
export type { ModelFileReader, ModelName } from './models.ts';
export type { FaceApi } from './face-api-types.ts';
export { ImageDecodeError, decodeImageFile } from './decode-image.ts';
export type { ScaledImage } from './decode-image.ts';
export { chooseFace, flipLandmarks68, FLIP_68 } from './faces.ts';
export { prepareImages } from './prepare.ts';
export type { PrepareEvent, PrepareHooks, PrepareOptions, PrepareReport } from './prepare.ts';
export { prepareImage } from './prepare-image.ts';
export type { ImageResult, PrepareImageOptions } from './prepare-image.ts';
export { IMAGE_EXTENSIONS, PrepareInputError, listPrepareItems } from './prepare-list.ts';
export type { PrepareItem } from './prepare-list.ts';
export { MODEL_CROP, createFacePipeline } from './pipeline.ts';
export type { PipelineEmbedder, PipelineFace, PipelineOptions, PipelineResult } from './pipeline.ts';

const require = createRequire(import.meta.url);
let faceApiPromise: Promise<FaceApiModule> | null = null;

/** The face-api `model/` folder shipped in the installed `@vladmandic/face-api` package. */
export function faceApiModelDir(): string {
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** face-api's Node wasm build with the tfjs `wasm` backend ready (loaded once per process). */
export function loadFaceApi(): Promise<FaceApi> {
  faceApiPromise ??= (async () => {
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
    // face-api's bundled type declarations omit the engine functions
    const tf = faceapi.tf as unknown as { setBackend(name: string): Promise<boolean>; ready(): Promise<void> };
    if (!(await tf.setBackend('wasm'))) throw new Error("face-api: tf.setBackend('wasm') failed (the tfjs-backend-wasm binary could not be loaded)");
    await tf.ready();
    return faceapi;
  })();
  return faceApiPromise;
}

/** Options of the Node {@link createFaceAligner}. */
export interface NodeFaceAlignerOptions extends FaceAlignerOptions {
  /** Folder holding the face-api model files (default: {@link faceApiModelDir}). */
  modelDir?: string;
}

/**
 * A {@link FaceAligner} on face-api's Node wasm build, models from the installed package.
 *
 * @example
 * const aligner = await createFaceAligner({ descriptor: true });
 * const [face] = await aligner.detectFaces(photo, { maxFaces: 1 });
 * const crop = alignFace(photo, face.landmarks68).pixels;   // 110×110, template frame
 * const descriptor = await aligner.describe([crop]);         // 128-d face-api descriptor
 */
export async function createFaceAligner(opts: NodeFaceAlignerOptions = {}): Promise<FaceAligner> {
  const dir = opts.modelDir ?? faceApiModelDir();
  return createOver(await loadFaceApi(), async (name) => new Uint8Array(await readFile(join(dir, name))), opts);
}

let defaultAligner: Promise<FaceAligner> | null = null;

/** {@link FaceAligner.detectFaces} on a shared default aligner (full landmark net, created on first call). */
export async function detectFaces(pixels: Pixels, opts?: DetectOptions): Promise<DetectedFace[]> {
  defaultAligner ??= createFaceAligner();
  return (await defaultAligner).detectFaces(pixels, opts);
}
