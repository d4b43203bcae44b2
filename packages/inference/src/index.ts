/**
 * `@interpret-fr/inference`: face embeddings, response maps and peaks from an Interpret-FR ONNX model
 * over an injected ONNX Runtime module. Runtime-free: `./node` binds `onnxruntime-node` (plus a
 * worker-thread pool), `./web` binds `onnxruntime-web`.
 *
 * @packageDocumentation
 */
export { createRecognizer, inspectModel, loadSession, recognizerOver } from './recognizer.ts';
export type { EmbedOptions, Recognizer, RecognizerOptions } from './recognizer.ts';
export { ModelError, defaultPreprocess, resolveModelInfo, META_OUTPUTS, META_PREPROCESS, META_SPEC } from './model-info.ts';
export type { ModelInfo, ModelOverride, PreprocessInfo } from './model-info.ts';
export type { OrtModuleLike, OrtSessionLike, OrtSessionOptionsLike, OrtTensorLike, OrtValueMetadataLike } from './ort-types.ts';
export { InputError, isImageBatch } from './input.ts';
export type { RecognizerInput } from './input.ts';
export { cellToPixel, findPeaks, peakAt } from '@interpret-fr/core';
export type { Peak, PeakConvention, Peaks, SignedPeaks } from '@interpret-fr/core';
export { cosineSimilarity } from './similarity.ts';
