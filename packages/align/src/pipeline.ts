/**
 * The one-call pipeline for apps: photo → faces (detector + 68 landmarks) → template-aligned
 * 110×110 crops → their centre 96×96 (the original's test-time crop) → embeddings (and response
 * maps when the recognizer has them). Composes a {@link FaceAligner} with any core `Embedder`,
 * e.g. `@interpret-fr/inference`'s recognizer, which itself stays detector-free.
 *
 * @module
 */
import { FRAME_SIZE, cropPixels, type Embedder, type Pixels, type ResponseMaps } from '@interpret-fr/core';
import { alignFace, type AlignedFace } from './align-face.ts';
import type { DetectOptions, DetectedFace, FaceAligner } from './detector.ts';

/** Side of the centre crop of the 110 frame the models take (the original's 110 → 96). */
export const MODEL_CROP = 96;

/** One face through the pipeline. */
export interface PipelineFace {
  face: DetectedFace;
  /** The 110×110 template-frame crop and its landmarks. */
  aligned: AlignedFace;
  /** The centre 96×96 of `aligned.pixels`, as fed to the embedder. */
  input: Pixels;
  /** The embedder's feature vector (raw, as the embedder returns it). */
  embedding: Float32Array;
}

/** The photo's faces, and the response maps of all of them when asked for. */
export interface PipelineResult {
  faces: PipelineFace[];
  /** `[faces, C, H, W]` maps (only with `maps: true` and a recognizer that has `responseMaps`). */
  maps: ResponseMaps | null;
}

/** An embedder that may also produce response maps (the inference package's Recognizer is one). */
export type PipelineEmbedder = Embedder & { responseMaps?(images: Pixels[]): Promise<ResponseMaps> };

/** Options of {@link createFacePipeline}. */
export interface PipelineOptions extends DetectOptions {
  /** Also compute response maps (default false). */
  maps?: boolean;
}

/**
 * Binds an aligner and an embedder into `run(photo)`.
 *
 * @example
 * const pipeline = createFacePipeline(await createFaceAligner(), await createRecognizer('model.onnx'));
 * const { faces } = await pipeline.run(photo);
 * faces[0].embedding; // Float32Array(D)
 */
export function createFacePipeline(
  aligner: FaceAligner,
  embedder: PipelineEmbedder,
  defaults: PipelineOptions = {},
): { run(photo: Pixels, opts?: PipelineOptions): Promise<PipelineResult> } {
  return {
    async run(photo, opts = {}) {
      const o = { ...defaults, ...opts };
      const detected = await aligner.detectFaces(photo, o);
      if (detected.length === 0) return { faces: [], maps: null };
      const off = (FRAME_SIZE - MODEL_CROP) / 2;
      const aligned = detected.map((f) => alignFace(photo, f.landmarks68, { size: FRAME_SIZE }));
      const inputs = aligned.map((a) => cropPixels(a.pixels, off, off, MODEL_CROP, MODEL_CROP));
      const e = await embedder.embed(inputs);
      const faces = detected.map((face, i) => ({ face, aligned: aligned[i]!, input: inputs[i]!, embedding: e.data.subarray(i * e.dim, (i + 1) * e.dim) }));
      let maps: ResponseMaps | null = null;
      if (o.maps) {
        if (!embedder.responseMaps) throw new Error('createFacePipeline: maps requested but the embedder has no responseMaps (export the model with maps)');
        maps = await embedder.responseMaps(inputs);
      }
      return { faces, maps };
    },
  };
}
