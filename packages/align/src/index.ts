/**
 * `@interpret-fr/align`: face detection, 68 landmarks and template alignment, browser-safe (no Node
 * modules, no face-api build imported: pass the face-api module to {@link createFaceAligner}, or use
 * the `./node` / `./web` entry points, which do).
 *
 * @packageDocumentation
 */
export { alignFace, templateForSize, templateTransform } from './align-face.ts';
export type { AlignOptions, AlignedFace } from './align-face.ts';
export { DESCRIPTOR_SIZE, FALLBACK_BOX_FRACTIONS, REFINE_BOX, boxFromLandmarks, createFaceAligner, templateFitError } from './detector.ts';
export type { DetectOptions, DetectedFace, FaceAligner, FaceAlignerOptions, FaceBox, FaceSource } from './detector.ts';
export { FLIP_68, chooseFace, flipLandmarks68 } from './faces.ts';
export { MODEL_CROP, createFacePipeline } from './pipeline.ts';
export type { PipelineEmbedder, PipelineFace, PipelineOptions, PipelineResult } from './pipeline.ts';
export { ModelLoadError, loadModel } from './models.ts';
export type { ModelFileReader, ModelName } from './models.ts';
export type { FaceApi } from './face-api-types.ts';
