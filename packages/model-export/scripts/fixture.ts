/**
 * The committed inference fixture: the `interpretable-tiny` spec with deterministic weights
 * (`randomWeights(spec, FIXTURE_SEED)`), exported with `embedding` and `maps`, plus three 48×48 RGB
 * inputs and the outputs ORT node computes on them. Used by `make-fixture.ts` (writes the files)
 * and the determinism test (rebuilds and compares bytes).
 *
 * Inputs (stored as pixels in the JSON, so the fixture does not drift when the synthetic face
 * generator changes):
 *   0, 1: synthetic faces (core `syntheticSample`, seed 7, identities 0 and 1, no occluder): the
 *         110×110 face's centre 96×96 crop, downsampled 2×2 by box averaging (rounded) to 48×48;
 *   2:    a deterministic pattern: R = 5x, G = 5y, B = 255 on a checkerboard of 6-pixel squares.
 *
 * @module
 */
import { generateSyntheticFace, presets, preprocess, sha256Hex, syntheticSampleParams } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';
import { exportOnnx, randomWeights } from '../src/index.ts';

/** Seed of the fixture's weights. */
export const FIXTURE_SEED = 20191;
/** File names inside packages/inference/test/fixtures. */
export const FIXTURE_ONNX = 'interpretable-tiny.onnx';
export const FIXTURE_JSON = 'interpretable-tiny.expected.json';

/** The fixture's spec (classifier size is irrelevant: logits are not exported). */
export const fixtureSpec = () => presets['interpretable-tiny']({ numClasses: 10 });

/** The ONNX bytes (deterministic). */
export function fixtureOnnx(): Uint8Array {
  const spec = fixtureSpec();
  return exportOnnx(spec, randomWeights(spec, FIXTURE_SEED), {
    outputs: ['embedding', 'maps'],
    metadata: { 'fixture.generated-by': 'packages/model-export/scripts/make-fixture.ts', 'fixture.weights': `randomWeights(interpretable-tiny, ${FIXTURE_SEED})` },
  });
}

function downsampleFace(face110: Uint8Array): Uint8Array {
  const out = new Uint8Array(48 * 48 * 3);
  for (let y = 0; y < 48; y++)
    for (let x = 0; x < 48; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) s += face110[((7 + 2 * y + dy) * 110 + 7 + 2 * x + dx) * 3 + c]!;
        out[(y * 48 + x) * 3 + c] = Math.round(s / 4);
      }
  return out;
}

/** The three input images (48×48 RGB) with names. */
export function fixtureInputs(): { name: string; pixels: Pixels }[] {
  const opts = { seed: 7, identities: 2, imagesPerIdentity: 1, occluderRate: 0 };
  const faces = [0, 1].map((id) => ({
    name: `synthetic-face-${id}`,
    pixels: { data: downsampleFace(generateSyntheticFace(syntheticSampleParams(opts, id, 0)).pixels), width: 48, height: 48, channels: 3 as const },
  }));
  const pattern = new Uint8Array(48 * 48 * 3);
  for (let y = 0; y < 48; y++)
    for (let x = 0; x < 48; x++) {
      pattern.set([5 * x, 5 * y, ((x / 6) ^ (y / 6)) & 1 ? 255 : 0], (y * 48 + x) * 3);
    }
  return [...faces, { name: 'pattern', pixels: { data: pattern, width: 48, height: 48, channels: 3 } }];
}

/** NCHW batch of preprocessed inputs (core `preprocess`: x/127.5 − 1). */
export function fixtureBatch(inputs: { pixels: Pixels }[]): Float32Array {
  const out = new Float32Array(inputs.length * 3 * 48 * 48);
  inputs.forEach((im, i) => preprocess(im.pixels, out, { layout: 'NCHW', size: 48, offset: i * 3 * 48 * 48 }));
  return out;
}

const b64 = (a: Uint8Array | Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
/** Decodes a base64 little-endian float32 array of the fixture JSON. */
export const fromB64F32 = (s: string): Float32Array => new Float32Array(new Uint8Array(Buffer.from(s, 'base64')).buffer);

/** The expected-outputs document. */
export interface FixtureExpected {
  format: 'interpret-fr-inference-fixture';
  version: 1;
  model: string;
  modelSha256: string;
  spec: string;
  weights: string;
  generatedBy: string;
  preprocess: string;
  inputs: { name: string; width: number; height: number; channels: 1 | 3 | 4; pixelsBase64: string }[];
  /** embedding [N, 40], one row per input (float32 values). */
  embedding: number[][];
  /** maps [N, 40, 12, 12] as base64 little-endian float32. */
  maps: { dims: number[]; float32Base64: string };
  /** Max |Δ| relative to max |expected| that consumers should accept (different ORT builds/threads). */
  tolerance: number;
}

/** Builds the JSON document from the model and ORT's outputs on the inputs. */
export function fixtureExpected(onnx: Uint8Array, inputs: { name: string; pixels: Pixels }[], embedding: Float32Array, maps: Float32Array): FixtureExpected {
  const d = 40;
  return {
    format: 'interpret-fr-inference-fixture',
    version: 1,
    model: FIXTURE_ONNX,
    modelSha256: sha256Hex(onnx),
    spec: 'interpretable-tiny',
    weights: `randomWeights(presets['interpretable-tiny']({ numClasses: 10 }), ${FIXTURE_SEED}) from @interpret-fr/model-export`,
    generatedBy: 'pnpm --filter @interpret-fr/model-export run make-fixture (outputs computed with onnxruntime-node)',
    preprocess: 'core preprocess(pixels, out, { layout: "NCHW", size: 48 }): x/127.5 - 1, RGB',
    inputs: inputs.map((i) => ({ name: i.name, width: i.pixels.width, height: i.pixels.height, channels: i.pixels.channels, pixelsBase64: b64(i.pixels.data as Uint8Array) })),
    embedding: inputs.map((_, i) => Array.from(embedding.subarray(i * d, (i + 1) * d))),
    maps: { dims: [inputs.length, 40, 12, 12], float32Base64: b64(maps) },
    tolerance: 1e-5,
  };
}
