/**
 * `@interpret-fr/inference/node`: the recognizer bound to `onnxruntime-node` (CPU by default, CUDA on
 * request with a reported fallback to CPU), model paths read from disk, and a worker-thread pool.
 *
 * @example
 * import { createRecognizer, createRecognizerPool } from '@interpret-fr/inference/node';
 * const rec = await createRecognizer('model.onnx', { executionProviders: ['cuda'], onEvent: console.log });
 * const e = await rec.embed(pixelsList, { normalize: true });
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { createRecognizer as createWith } from './recognizer.ts';
import type { Recognizer, RecognizerOptions } from './recognizer.ts';
import type { OrtModuleLike } from './ort-types.ts';
import { createNodeSession } from './providers.ts';
import { nodeSha256Parts } from './node-hash.ts';
import type { InferenceEvent, NodeProvider } from './providers.ts';

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
export { createNodeSession, cudaUnavailableReason, ortNodeBinDir } from './providers.ts';
export type { InferenceEvent, NodeProvider } from './providers.ts';
export { createRecognizerPool, PoolQueueFullError } from './pool.ts';
export type { PoolOptions, RecognizerPool } from './pool.ts';

/** Options of the Node {@link createRecognizer}. */
export interface NodeRecognizerOptions extends Omit<RecognizerOptions, 'createSession' | 'readFile'> {
  /** `['cpu']` (default) or `['cuda']`; CUDA falls back to CPU with a `provider-fallback` event. */
  executionProviders?: NodeProvider[];
  onEvent?: (e: InferenceEvent) => void;
}

/** The `onnxruntime-node` module, typed structurally. */
export const ortNode: OrtModuleLike = ort;

/**
 * Loads a model (path or bytes) on onnxruntime-node.
 *
 * @throws {ModelError} when the file is not an Interpret-FR ONNX and no override names its tensors.
 */
export async function createRecognizer(model: string | Uint8Array, options: NodeRecognizerOptions = {}): Promise<Recognizer> {
  const where = typeof model === 'string' ? model : `model bytes (${model.length} B)`;
  return createWith(ortNode, model, {
    ...options,
    hashParts: options.hashParts ?? nodeSha256Parts,
    readFile: (p) => readFile(p),
    createSession: async (bytes) => (await createNodeSession(ortNode, bytes, options.executionProviders ?? ['cpu'], options.sessionOptions, where, options.onEvent)).session,
  });
}
