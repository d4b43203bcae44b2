/**
 * `createRecognizer`: face embeddings, response maps and map peaks over any injected ONNX Runtime module.
 *
 * @module
 */
import type { Embedder, Embeddings, HashParts, OnnxInfo, Pixels, ResponseMaps } from '@interpret-fr/core';
import { checkOnnxModelSeal, checkPixels, hasModelMetadata, l2NormalizeRows, ONNX_META, preprocess, readOnnxInfo } from '@interpret-fr/core';
import { ModelError, resolveModelInfo } from './model-info.ts';
import type { ModelInfo, ModelOverride } from './model-info.ts';
import type { OrtModuleLike, OrtSessionLike, OrtSessionOptionsLike, OrtTensorLike } from './ort-types.ts';
import { InputError, checkBatch, inputCount, isImageBatch, nhwcToNchw } from './input.ts';
import type { RecognizerInput } from './input.ts';
import { findPeaks } from '@interpret-fr/core';
import type { PeakConvention, Peaks } from '@interpret-fr/core';
import { cosineSimilarity } from './similarity.ts';

/** Options of {@link createRecognizer}. */
export interface RecognizerOptions extends ModelOverride {
  /** Largest batch sent to one `session.run` (default 32); bigger inputs are split. */
  maxBatch?: number;
  /** Passed to `InferenceSession.create` (execution providers, threads…). */
  sessionOptions?: OrtSessionOptionsLike;
  /** Default pixel convention of {@link Recognizer.peaks} (default `'center'`). */
  peakConvention?: PeakConvention;
  /** Reads a model path into bytes (the Node entry supplies `fs.readFile`; browsers pass bytes). */
  readFile?: (path: string) => Promise<Uint8Array>;
  /** Creates the session from the model bytes (default `ort.InferenceSession.create(bytes, sessionOptions)`); the Node entry uses it for the CUDA → CPU fallback. */
  createSession?: (bytes: Uint8Array) => Promise<OrtSessionLike>;
  /**
   * Check the model's integrity seal (`interpret-fr.model-sha256`, written by the exporter) before
   * loading (default true). An Interpret-FR model without a seal or whose bytes changed after export
   * is refused; `false` skips the hash (faster loads of trusted files).
   */
  verify?: boolean;
  /** Hash used by the integrity check (default core's SHA-256; the Node entry passes `node:crypto`). */
  hashParts?: HashParts;
}

/**
 * Reads the signature and, for Interpret-FR models (unless `verify` is false), checks the integrity
 * seal; every failure is a {@link ModelError}-family error naming `where`.
 */
export async function inspectModel(bytes: Uint8Array, where: string, options: { verify?: boolean; hashParts?: HashParts } & ModelOverride = {}): Promise<OnnxInfo> {
  let onnx: OnnxInfo;
  try {
    onnx = readOnnxInfo(bytes);
  } catch (e) {
    throw new ModelError(`${where} is not a readable ONNX model: ${(e as Error).message}`);
  }
  if (hasModelMetadata(onnx.metadata)) {
    if (options.verify !== false) await checkOnnxModelSeal(bytes, where, options.hashParts);
  } else if (options.preprocess === undefined && options.inputName === undefined) {
    // Refused before ONNX Runtime sees the bytes: a foreign model needs the caller's override.
    throw new ModelError(
      `${where} is not an Interpret-FR ONNX: metadata_props has no '${ONNX_META.preprocess}' (keys found: ${Object.keys(onnx.metadata).join(', ') || 'none'}; ` +
        `inputs ${JSON.stringify(onnx.inputs.map((i) => i.name))}, outputs ${JSON.stringify(onnx.outputs.map((o) => o.name))}). ` +
        `Export with @interpret-fr/model-export, or pass { inputName, outputs: { embedding, maps? }, preprocess } for a foreign model.`,
    );
  }
  return onnx;
}

/** Wraps an ONNX Runtime load failure so that it names the model. */
export async function loadSession(where: string, create: () => Promise<OrtSessionLike>): Promise<OrtSessionLike> {
  try {
    return await create();
  } catch (e) {
    throw new ModelError(`${where}: ONNX Runtime could not load the model: ${(e as Error).message}`);
  }
}

/** Options of {@link Recognizer.embed}. */
export interface EmbedOptions {
  /** L2-normalise each row (default false: the raw `embedding` output). */
  normalize?: boolean;
}

/** A loaded model. Calls are serialised on one session (use the Node pool for concurrency). */
export interface Recognizer extends Embedder {
  /** Resolved model signature and preprocessing. */
  readonly info: ModelInfo;
  /** The underlying session (for benchmarks and advanced use). */
  readonly session: OrtSessionLike;
  /** N × D embeddings of decoded images or a preprocessed `[N, 3, S, S]` batch. */
  embed(images: RecognizerInput, options?: EmbedOptions): Promise<Embeddings>;
  /** `[N, C, H, W]` response maps (needs a model exported with the `maps` output). */
  responseMaps(images: RecognizerInput): Promise<ResponseMaps>;
  /** Positive and negative peak of every filter's map, in S × S input pixels. */
  peaks(images: RecognizerInput, options?: { convention?: PeakConvention }): Promise<Peaks>;
  /** Cosine similarity of two feature vectors. */
  similarity(a: ArrayLike<number>, b: ArrayLike<number>): number;
  /** Releases the session; later calls throw. */
  dispose(): Promise<void>;
}

function describe(model: Uint8Array | string): string {
  return typeof model === 'string' ? model : `model bytes (${model.length} B)`;
}

/**
 * Loads a model and checks its signature once.
 *
 * @param ort `import * as ort from 'onnxruntime-node'` (or `-web`); see `./node` and `./web` for bound versions.
 * @param model ONNX bytes, or a path when `options.readFile` is given (the Node entry does that).
 * @example
 * import * as ort from 'onnxruntime-node';
 * const rec = await createRecognizer(ort, bytes);
 * const e = await rec.embed([{ data, width: 96, height: 96, channels: 3 }], { normalize: true });
 */
export async function createRecognizer(ort: OrtModuleLike, model: Uint8Array | string, options: RecognizerOptions = {}): Promise<Recognizer> {
  const where = describe(model);
  let bytes: Uint8Array;
  if (typeof model === 'string') {
    if (!options.readFile) throw new ModelError(`createRecognizer: got the path '${model}' but no readFile option; pass bytes, or use @interpret-fr/inference/node`);
    try {
      bytes = await options.readFile(model);
    } catch (e) {
      throw new ModelError(`${model}: cannot read the model file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else bytes = model;
  const onnx = await inspectModel(bytes, where, options);
  const session = await loadSession(where, () => (options.createSession ? options.createSession(bytes) : ort.InferenceSession.create(bytes, options.sessionOptions)));
  let info: ModelInfo;
  try {
    info = resolveModelInfo(session, onnx, options, where);
  } catch (e) {
    await session.release();
    throw e;
  }
  return recognizerOver(ort, session, info, options);
}

/** Builds a recognizer over an already created session and its resolved {@link ModelInfo} (advanced use). */
export function recognizerOver(ort: OrtModuleLike, session: OrtSessionLike, info: ModelInfo, options: RecognizerOptions = {}): Recognizer {
  const S = info.preprocess.size;
  const per = 3 * S * S;
  const maxBatch = info.fixedBatch ?? options.maxBatch ?? 32;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`createRecognizer: maxBatch must be a positive integer, got ${maxBatch}`);
  let scratch: Float32Array | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;

  function validate(images: RecognizerInput): number {
    if (disposed) throw new Error('recognizer: used after dispose()');
    if (isImageBatch(images)) checkBatch(images, S);
    else if (Array.isArray(images)) images.forEach((p, i) => checkPixels(p, `image ${i}`));
    else throw new InputError('recognizer: images must be an array of Pixels or an ImageBatch');
    return inputCount(images);
  }

  /** The `[count, 3, S, S]` input of images [from, from+count), a view when the caller's batch is NCHW already. */
  function chunkInput(images: RecognizerInput, from: number, count: number): Float32Array {
    const rows = info.fixedBatch ?? count;
    if (isImageBatch(images) && images.layout === 'NCHW' && rows === count) return images.data.subarray(from * per, (from + count) * per);
    if (!scratch || scratch.length < maxBatch * per) scratch = new Float32Array(maxBatch * per);
    const out = scratch.subarray(0, rows * per);
    if (isImageBatch(images)) {
      if (images.layout === 'NCHW') out.set(images.data.subarray(from * per, (from + count) * per));
      else nhwcToNchw(images, from, count, out);
    } else
      for (let i = 0; i < count; i++)
        preprocess((images as readonly Pixels[])[from + i]!, out, { layout: 'NCHW', size: S, fit: 'center-square', normalization: info.preprocess, offset: i * per });
    if (rows > count) out.fill(0, count * per);
    return out;
  }

  function checkDims(t: OrtTensorLike, name: string, want: number[]): Float32Array {
    if (!(t.data instanceof Float32Array)) throw new ModelError(`output '${name}' is ${t.type}, expected float32`);
    if (t.dims.length !== want.length || want.some((d, i) => d > 0 && t.dims[i] !== d)) {
      throw new ModelError(`output '${name}' has dims [${t.dims.join(', ')}], expected [${want.map((d) => (d > 0 ? d : '?')).join(', ')}]`);
    }
    return t.data;
  }

  /** Runs all chunks, returning each fetched output as one contiguous `[n, …]` array. */
  async function runAll(images: RecognizerInput, fetch: string[]): Promise<{ n: number; out: Float32Array[] }> {
    const n = validate(images);
    const job = queue.then(async () => {
      const parts: Float32Array[][] = fetch.map(() => []);
      for (let from = 0; from < n; from += maxBatch) {
        const count = Math.min(maxBatch, n - from);
        const x = chunkInput(images, from, count);
        const rows = x.length / per;
        const feeds = { [info.inputName]: new ort.Tensor('float32', x, [rows, 3, S, S]) };
        const res = await session.run(feeds, fetch);
        fetch.forEach((name, k) => {
          const t = res[name];
          if (!t) throw new ModelError(`session.run returned no '${name}' output`);
          let data: Float32Array;
          if (name === info.embeddingName) {
            data = checkDims(t, name, [rows, info.dim]);
            if (info.dim === 0) (info as { dim: number }).dim = t.dims[1]!;
          } else {
            data = checkDims(t, name, [rows, ...(info.mapDims ?? [0, 0, 0])]);
            if (!info.mapDims) (info as { mapDims: [number, number, number] | null }).mapDims = [t.dims[1]!, t.dims[2]!, t.dims[3]!];
          }
          parts[k]!.push(rows > count ? data.subarray(0, (data.length / rows) * count) : data);
        });
      }
      const out = parts.map((ps) => {
        if (ps.length === 1) return ps[0]!;
        const all = new Float32Array(ps.reduce((a, p) => a + p.length, 0));
        let o = 0;
        for (const p of ps) {
          all.set(p, o);
          o += p.length;
        }
        return all;
      });
      return { n, out };
    });
    queue = job.catch(() => undefined);
    return job;
  }

  function needMaps(): string {
    if (info.mapsName === null)
      throw new ModelError(`this model has no maps output (outputs: ${JSON.stringify(session.outputNames)}); export it with maps (interpret-fr-export --maps)`);
    return info.mapsName;
  }

  async function responseMaps(images: RecognizerInput): Promise<ResponseMaps> {
    const name = needMaps();
    const { n, out } = await runAll(images, [name]);
    const [c, h, w] = info.mapDims ?? [0, 0, 0];
    return { data: n === 0 ? new Float32Array(0) : out[0]!, n, channels: c, height: h, width: w };
  }

  return {
    info,
    session,
    get dim() {
      return info.dim;
    },
    inputSize: S,
    async embed(images: RecognizerInput, opts: EmbedOptions = {}): Promise<Embeddings> {
      const { n, out } = await runAll(images, [info.embeddingName]);
      const e: Embeddings = { data: n === 0 ? new Float32Array(0) : out[0]!, n, dim: info.dim };
      if (opts.normalize) l2NormalizeRows(e.data, e.n, e.dim, e.data);
      return e;
    },
    responseMaps,
    async peaks(images: RecognizerInput, opts: { convention?: PeakConvention } = {}): Promise<Peaks> {
      return findPeaks(await responseMaps(images), S, opts.convention ?? options.peakConvention ?? 'center');
    },
    similarity: cosineSimilarity,
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      await queue;
      await session.release();
    },
  };
}
