/**
 * Small pieces of the training loop kept out of `loop.ts`: loading an occluder image, and the final
 * inference-mode accuracy check.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ModelSpec } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import type { TrainConfig } from './config.ts';
import { createDataset } from './data/dataset.ts';
import type { ImageSource } from './data/types.ts';
import type { Net } from './net.ts';
import type { OccluderImage } from './occlusion.ts';

/** Decodes an occluder image (any format sharp reads) to RGBA; null path → null. */
export async function loadOccluder(path: string | null): Promise<OccluderImage | null> {
  if (!path) return null;
  const { data, info } = await sharp(await readFile(path))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`${path}: decoded to ${info.channels} channels, expected RGBA`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/**
 * Top-1 accuracy in inference mode (BN running statistics, no dropout, no occlusion) on the first
 * `config.evalImages` images of a fixed permutation, centre-cropped. A memorisation check on the
 * training data, not a held-out number.
 */
export async function evaluateAccuracy(tf: Tf, net: Net, source: ImageSource, spec: ModelSpec, config: TrainConfig, numClasses: number): Promise<number> {
  const batchSize = Math.min(config.batchSize, source.count);
  const ds = createDataset(source, {
    batchSize,
    inputSize: spec.inputSize,
    sourceSize: config.data.sourceSize,
    cropSize: config.data.cropSize,
    crop: 'center',
    order: 'fixed',
    seed: config.seed,
    numClasses,
    cacheBytes: config.data.cacheBytes,
  });
  const batches = Math.max(1, Math.floor(Math.min(config.evalImages, source.count) / batchSize));
  let correct = 0;
  let total = 0;
  let k = 0;
  for await (const b of ds) {
    const hits = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [b.n, b.size, b.size, 3]);
      const { logits } = net.forward(x, { training: false });
      return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(b.labels, 'int32')), 'int32'));
    });
    correct += (await hits.data())[0]!;
    hits.dispose();
    total += b.n;
    if (++k >= batches) break;
  }
  return correct / total;
}
