/**
 * One pixels → model-input function (issue 10): a trainer batch and the recognizer's input for the
 * same image and crop are the same floats, bit for bit. The recognizer runs a real (tiny) ONNX model
 * through onnxruntime-node; a spy on the session records the tensor it is fed.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Rng, centerCrop, cropPixels, generateSyntheticFace, syntheticSampleParams } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';
import { createDataset } from '@interpret-fr/trainer';
import type { Batch, ImageSource } from '@interpret-fr/trainer';
import { createRecognizer } from '../src/index.ts';
import type { OrtModuleLike, OrtSessionLike, OrtTensorLike } from '../src/index.ts';
import { tinyOnnx } from './helpers/tiny-onnx.ts';

/** Two 110×110 RGB faces: a synthetic face and noise (every byte value occurs). */
function faces(): Uint8Array[] {
  const rng = new Rng(11);
  const synth = generateSyntheticFace(syntheticSampleParams({ seed: 3, identities: 4, imagesPerIdentity: 1, occluderRate: 0 }, 2, 0)).pixels;
  const noise = new Uint8Array(110 * 110 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.int(256);
  return [synth, noise];
}

function memorySource(images: Uint8Array[]): ImageSource {
  return {
    kind: 'list',
    path: 'memory',
    count: images.length,
    labels: Int32Array.from(images, (_, i) => i),
    landmarks: null,
    hasLandmarks: null,
    name: (i) => `memory[${i}]`,
    read: async (i) => ({ pixels: images[i]!, width: 110, height: 110 }),
  };
}

async function firstBatch(images: Uint8Array[], inputSize: number, crop: 'center' | 'random'): Promise<Batch> {
  const ds = createDataset(memorySource(images), { batchSize: images.length, inputSize, sourceSize: 110, cropSize: 96, crop, order: 'fixed', seed: 5, numClasses: images.length });
  for await (const b of ds.batches()) return b;
  throw new Error('no batch');
}

/** A recognizer over onnxruntime-node whose session records every input tensor it runs. */
async function spyRecognizer(size: number): Promise<{ embed: (p: Pixels[]) => Promise<unknown>; fed: Float32Array[] }> {
  const fed: Float32Array[] = [];
  const spy: OrtModuleLike = {
    Tensor: ort.Tensor as unknown as OrtModuleLike['Tensor'],
    InferenceSession: {
      async create(model, options) {
        const s = (await ort.InferenceSession.create(model, options as ort.InferenceSession.SessionOptions)) as unknown as OrtSessionLike;
        return {
          inputNames: s.inputNames,
          outputNames: s.outputNames,
          inputMetadata: s.inputMetadata,
          outputMetadata: s.outputMetadata,
          run(feeds: Record<string, OrtTensorLike>, fetches: readonly string[]) {
            fed.push(Float32Array.from(Object.values(feeds)[0]!.data as Float32Array));
            return s.run(feeds, fetches);
          },
          release: () => s.release(),
        };
      },
    },
  };
  const rec = await createRecognizer(spy, tinyOnnx({ size }));
  return { embed: (p) => rec.embed(p), fed };
}

/** The trainer's NHWC batch as NCHW, image by image. */
function toNchw(b: Batch): Float32Array {
  const S = b.size;
  const out = new Float32Array(b.x.length);
  for (let n = 0; n < b.n; n++)
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) out[((n * 3 + c) * S + y) * S + x] = b.x[((n * S + y) * S + x) * 3 + c]!;
  return out;
}

function bitsEqual(a: Float32Array, b: Float32Array): { equal: boolean; firstDiff: number } {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (a.length !== b.length) return { equal: false, firstDiff: -1 };
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return { equal: false, firstDiff: i };
  return { equal: true, firstDiff: -1 };
}

describe('trainer batch = recognizer input (same image, same crop), bit-exact', () => {
  const imgs = faces();
  const px = (d: Uint8Array): Pixels => ({ data: d, width: 110, height: 110, channels: 3 });
  // 96: the crop as is; 48: the tiny preset (2×2 area average); 40: a non-integer ratio (bilinear).
  it.each([96, 48, 40])('centre crop 96 of 110 into a %i model input: eval/list-style centerCrop → recognizer', async (size) => {
    const batch = await firstBatch(imgs, size, 'center');
    expect(batch.faces.map((f) => [f.offsetX, f.offsetY])).toEqual([
      [7, 7],
      [7, 7],
    ]);
    const rec = await spyRecognizer(size);
    await rec.embed(imgs.map((d) => centerCrop(px(d), 96)));
    expect(rec.fed).toHaveLength(1);
    const want = toNchw(batch);
    expect(want.some((v) => v !== -1 && v !== 1)).toBe(true);
    expect(bitsEqual(rec.fed[0]!, want)).toEqual({ equal: true, firstDiff: -1 });
  });
  it('a random training crop: the recognizer fed the same 96 window', async () => {
    const batch = await firstBatch(imgs, 48, 'random');
    const rec = await spyRecognizer(48);
    await rec.embed(imgs.map((d, i) => cropPixels(px(d), batch.faces[i]!.offsetX, batch.faces[i]!.offsetY, 96, 96)));
    expect(bitsEqual(rec.fed[0]!, toNchw(batch))).toEqual({ equal: true, firstDiff: -1 });
  });
});
