/**
 * Typed-array buffers with explicit dims, and the `Embedder` seam between runtimes and evaluation.
 * All data are row-major `Float32Array`s; row accessors return views (`subarray`), never copies.
 *
 * @module
 */

/** Memory layout of an image batch. */
export type Layout = 'NHWC' | 'NCHW';

/** A batch of preprocessed images: `data.length === n * height * width * channels`. */
export interface ImageBatch {
  data: Float32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  layout: Layout;
}

/** N embeddings of D dims, row-major. */
export interface Embeddings {
  data: Float32Array;
  n: number;
  dim: number;
}

/**
 * N × C response maps of H × W, stored channel-major per image (`[N, C, H, W]`, ONNX order), so
 * one filter's map is a contiguous view.
 */
export interface ResponseMaps {
  data: Float32Array;
  n: number;
  channels: number;
  height: number;
  width: number;
}

function check(len: number, dims: number[], what: string): void {
  for (const d of dims) if (!Number.isInteger(d) || d < 0) throw new RangeError(`${what}: dims must be non-negative integers, got [${dims.join(', ')}]`);
  const want = dims.reduce((a, b) => a * b, 1);
  if (len !== want) throw new RangeError(`${what}: data has ${len} values, dims [${dims.join(', ')}] need ${want}`);
}

/** Allocates (or wraps, checking the length) an {@link ImageBatch}. */
export function imageBatch(n: number, height: number, width: number, channels: number, layout: Layout = 'NCHW', data?: Float32Array): ImageBatch {
  const d = data ?? new Float32Array(n * height * width * channels);
  check(d.length, [n, height, width, channels], 'imageBatch');
  return { data: d, n, height, width, channels, layout };
}

/** Allocates (or wraps) {@link Embeddings}. */
export function embeddings(n: number, dim: number, data?: Float32Array): Embeddings {
  const d = data ?? new Float32Array(n * dim);
  check(d.length, [n, dim], 'embeddings');
  return { data: d, n, dim };
}

/** Allocates (or wraps) {@link ResponseMaps}. */
export function responseMaps(n: number, channels: number, height: number, width: number, data?: Float32Array): ResponseMaps {
  const d = data ?? new Float32Array(n * channels * height * width);
  check(d.length, [n, channels, height, width], 'responseMaps');
  return { data: d, n, channels, height, width };
}

/** View of embedding row i. */
export function embeddingRow(e: Embeddings, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= e.n) throw new RangeError(`embeddingRow: row ${i} out of [0, ${e.n})`);
  return e.data.subarray(i * e.dim, (i + 1) * e.dim);
}

/** View of image i of a batch (all its channels and pixels, in the batch's layout). */
export function imageRow(b: ImageBatch, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= b.n) throw new RangeError(`imageRow: image ${i} out of [0, ${b.n})`);
  const per = b.height * b.width * b.channels;
  return b.data.subarray(i * per, (i + 1) * per);
}

/** View of the H × W map of filter c of image i. */
export function mapView(m: ResponseMaps, i: number, c: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.n) throw new RangeError(`mapView: image ${i} out of [0, ${m.n})`);
  if (!Number.isInteger(c) || c < 0 || c >= m.channels) throw new RangeError(`mapView: filter ${c} out of [0, ${m.channels})`);
  const hw = m.height * m.width;
  const off = (i * m.channels + c) * hw;
  return m.data.subarray(off, off + hw);
}

/** 8-bit pixels as decoded from an image file: `data.length === width * height * channels`. */
export interface Pixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 1 = gray, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
}

/**
 * Anything that turns images into feature vectors: ORT node, ORT web, a tfjs checkpoint.
 * Evaluation depends on this interface only, never on a runtime.
 */
export interface Embedder {
  /** Feature dimension D. */
  readonly dim: number;
  /** Square input side the model expects (after the embedder's own crop/resize policy). */
  readonly inputSize: number;
  /** Embeds decoded images; returns N × D features (not normalised unless the embedder says so). */
  embed(images: Pixels[]): Promise<Embeddings>;
  /** Releases resources (sessions, workers). */
  dispose?(): Promise<void>;
}

/**
 * Smallest and largest value of a data-sized array in one loop (`Math.min(...values)` spreads the
 * array into arguments and overflows the call stack beyond ~125k values). Empty → `{ min: Infinity,
 * max: -Infinity }`; NaN values are ignored.
 */
export function extent(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
