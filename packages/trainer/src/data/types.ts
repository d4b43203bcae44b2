/**
 * The one `Dataset` contract every reader sits behind (method.md §3.1): shuffled (or fixed-order)
 * batches of random 96×96 crops from 110×110 sources, normalised to [−1, 1] NHWC, with the landmarks
 * and crop offsets the occlusion generator needs, and a resumable position.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import type { RngState } from '@interpret-fr/core';
import type { FaceFrame } from '../occlusion.ts';

/** Where the data stream stands; saved in checkpoints for exact resume. */
export interface DataPosition {
  /** 0-based epoch. */
  epoch: number;
  /** Next index into this epoch's permutation. */
  index: number;
  /** State of the permutation RNG at the start of this epoch (regenerates the permutation). */
  permRng: RngState;
  /** State of the crop RNG. */
  cropRng: RngState;
}

/** One training batch. */
export interface Batch {
  n: number;
  /** Network input side (96, or 48 for the tiny presets). */
  size: number;
  /** NHWC `[n, size, size, 3]` in [−1, 1]. */
  x: Float32Array;
  labels: Int32Array;
  /** Per image: landmarks (source frame), crop offset and scale, for {@link occludeBatch}. */
  faces: FaceFrame[];
  /** Source indices of the images. */
  indices: Uint32Array;
  /** Epoch the batch came from. */
  epoch: number;
  /** Position *after* this batch: save it with a checkpoint taken after training on this batch. */
  position: DataPosition;
}

/** A corrupt or unreadable image that was skipped. */
export interface DataWarning {
  path: string;
  reason: string;
}

/** Summary of a dataset, for the run directory and events. */
export interface DatasetInfo {
  kind: 'synthetic' | 'folder' | 'list' | 'dat';
  path: string;
  images: number;
  numClasses: number;
  withLandmarks: number;
  batchSize: number;
  batchesPerEpoch: number;
  inputSize: number;
  order: 'shuffle' | 'fixed';
}

/** A stream of training batches. */
export interface Dataset extends AsyncIterable<Batch> {
  /** Number of images (before skips). */
  readonly size: number;
  readonly numClasses: number;
  /** Images skipped so far because they could not be decoded. */
  readonly skipped: number;
  describe(): DatasetInfo;
  /** The position before the first batch. */
  initialPosition(): DataPosition;
  /** Batches starting at `from` (default: the beginning); the next batch is prefetched. */
  batches(from?: DataPosition): AsyncIterable<Batch>;
}

/** A decoded source image: `size × size × 3` RGB plus the original dimensions (for landmark scaling). */
export interface SourceImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Random access to the images of one format. Labels and landmarks are read up front (and checked),
 * pixels on demand.
 */
export interface ImageSource {
  kind: DatasetInfo['kind'];
  /** The path the user gave. */
  path: string;
  count: number;
  labels: Int32Array;
  /** `count × 136` landmark numbers in each image's own pixel frame, or null. */
  landmarks: Float32Array | null;
  /** Per image: 1 when its landmarks are known. */
  hasLandmarks: Uint8Array | null;
  /** A human-readable name of image i (file path, or blob + row). */
  name(i: number): string;
  /** Decodes image i, resized to `sourceSize × sourceSize` RGB. */
  read(i: number, sourceSize: number): Promise<SourceImage>;
  close?(): Promise<void>;
}

/** Error in the data (bad line, bad label, bad size): names the file and line. */
export class DataError extends InterpretFrError {
  constructor(
    message: string,
    override readonly file: string,
    override readonly line: number | null,
  ) {
    super(message, { code: 'data', file, ...(line !== null ? { line } : {}) });
    this.name = 'DataError';
  }
}
