/**
 * The slice of the ONNX Runtime JS API (`onnxruntime-common`) this package uses, typed structurally so
 * that `onnxruntime-node`, `onnxruntime-web` (or a test double) can be injected without this module
 * importing any runtime.
 *
 * @module
 */

/** A tensor as ORT returns it; `data` is a `Float32Array` for float32 outputs. */
export interface OrtTensorLike {
  readonly dims: readonly number[];
  readonly type: string;
  readonly data: unknown;
  dispose?(): void;
}

/** Shape metadata ORT ≥ 1.22 exposes per input/output. */
export interface OrtValueMetadataLike {
  readonly name: string;
  readonly isTensor?: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

/** An inference session. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadataLike[];
  readonly outputMetadata?: readonly OrtValueMetadataLike[];
  run(feeds: Record<string, OrtTensorLike>, fetches: readonly string[]): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/** Session options passed through to `InferenceSession.create`. */
export interface OrtSessionOptionsLike {
  executionProviders?: readonly (string | { name: string; [k: string]: unknown })[];
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  [k: string]: unknown;
}

/** The ORT module (`import * as ort from 'onnxruntime-node' | 'onnxruntime-web'`). */
export interface OrtModuleLike {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensorLike;
  InferenceSession: {
    create(model: Uint8Array, options?: OrtSessionOptionsLike): Promise<OrtSessionLike>;
  };
}
