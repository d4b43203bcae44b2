/**
 * `@interpret-fr/trainer/embedder`: a trainer checkpoint as a core {@link Embedder}, so evaluation
 * can run the tfjs network the trainer trains ("against any runtime", issue 14) without importing
 * the trainer statically (eval loads this entry with a dynamic import and says how to install it
 * when it is missing).
 *
 * Input policy = the ONNX recognizer's (`@interpret-fr/inference` `pixelsToChw`): non-square
 * images are centre-cropped to a square, resized to the model's input size (bilinear, half-pixel
 * centres), then scaled x/127.5 − 1 (core `preprocess`, NHWC for tfjs). Inference mode (BN moving
 * statistics, no dropout); the embedding is the spec's `outputs.embedding` block, unnormalised.
 *
 * @example
 * const emb = await createCheckpointEmbedder('runs/x', { backend: 'wasm' });
 * const f = await emb.embed([face96]); // { data, n: 1, dim: 320 }
 * await emb.dispose();
 *
 * @packageDocumentation
 */
import { centerCropSquare, preprocess, resizeBilinearPixels } from '@interpret-fr/core';
import type { Embedder, Embeddings, ModelSpec, Pixels } from '@interpret-fr/core';
import { loadBackend } from './backend.ts';
import { buildNet } from './net.ts';
import { disposeParams, loadParams } from './params.ts';
import { readModelCheckpoint, resolveCheckpointPath } from './run-dir.ts';

/** Options of {@link createCheckpointEmbedder}. */
export interface CheckpointEmbedderOptions {
  /** tfjs backend: `cpu` (default, pure JS) or `wasm` (XNNPACK). */
  backend?: 'cpu' | 'wasm';
  /** Images per forward pass (default 16). */
  batchSize?: number;
}

/** A checkpoint embedder: the core interface plus what it runs. */
export interface CheckpointEmbedder extends Embedder {
  readonly info: { checkpoint: string; spec: ModelSpec['name']; backend: string; integrity: unknown };
}

/** Loads a checkpoint folder (or a run directory: its latest checkpoint) as an {@link Embedder} on tfjs. */
export async function createCheckpointEmbedder(path: string, opts: CheckpointEmbedderOptions = {}): Promise<CheckpointEmbedder> {
  const backend = opts.backend ?? 'cpu';
  const { tf, name, filterGrad } = await loadBackend(backend);
  const dir = resolveCheckpointPath(path);
  const ck = readModelCheckpoint(dir);
  const spec = ck.spec;
  const params = loadParams(tf, spec, ck.tensors);
  const net = buildNet(tf, spec, params, { filterGrad });
  const S = spec.inputSize;
  const per = S * S * 3;
  const batch = Math.max(1, opts.batchSize ?? 16);
  let dim = -1;
  const run = (images: readonly Pixels[]): Float32Array => {
    const x = new Float32Array(images.length * per);
    images.forEach((p, i) => {
      let img = p.width !== p.height ? centerCropSquare(p) : p;
      if (img.width !== S) img = resizeBilinearPixels(img, S, S, { coordinate: 'half_pixel' });
      preprocess(img, x, { layout: 'NHWC', size: S, offset: i * per });
    });
    return tf
      .tidy(() => {
        const e = net.forward(tf.tensor4d(x, [images.length, S, S, 3]), { training: false }).embedding;
        dim = e.shape[1]!;
        return e.dataSync() as Float32Array;
      })
      .slice();
  };
  // The feature size from one forward pass on a blank image (the spec does not name it directly).
  run([{ data: new Uint8Array(per), width: S, height: S, channels: 3 }]);
  const featDim = dim;
  return {
    dim: featDim,
    inputSize: S,
    info: { checkpoint: dir, spec: spec.name, backend: name, integrity: ck.integrity ?? null },
    async embed(images: Pixels[]): Promise<Embeddings> {
      const data = new Float32Array(images.length * featDim);
      for (let s = 0; s < images.length; s += batch) data.set(run(images.slice(s, s + batch)), s * featDim);
      return { data, n: images.length, dim: featDim };
    },
    async dispose() {
      disposeParams(params);
    },
  };
}
