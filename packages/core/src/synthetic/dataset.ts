/**
 * The built-in synthetic face set: identities × images, deterministic in (seed, identity, index).
 * Each identity and each image has its own generator derived from the seed, so any sample can be
 * produced alone (random access, parallel writers) and equals the one the iterator yields.
 *
 * @module
 */
import { Rng } from '../rng.ts';
import { type IdentityParams, sampleIdentity } from './identity.ts';
import { type SyntheticFaceParams, generateSyntheticFace, sampleNuisance } from './face.ts';
import type { OccluderKind } from './occluders.ts';

/** Version of the generator; bump when the pictures change, so cached datasets are regenerated. */
export const SYNTHETIC_VERSION = 1;

/** Options of {@link syntheticDataset}. */
export interface SyntheticDatasetOptions {
  seed: number;
  identities: number;
  imagesPerIdentity: number;
  /** Fraction of images (0–1) with an occluder (sunglasses, mask or hat, equally likely). */
  occluderRate: number;
}

/** One image of the set. */
export interface SyntheticSample {
  /** 110×110×3 RGB bytes, row-major HWC. */
  pixels: Uint8Array;
  /** 68 landmarks, x,y interleaved, in the 110 frame (iBUG-68 order, like `TEMPLATE_68`). */
  landmarks: Float32Array;
  identity: number;
  /** Index of the image within its identity. */
  index: number;
  occluder: OccluderKind;
}

/** Hashes integers into one 32-bit seed (murmur3-style finaliser per part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x2545f491;
  for (const p of parts) {
    let k = Math.imul(p >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function checkOptions(o: SyntheticDatasetOptions): void {
  const int = (v: unknown, name: string, min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`syntheticDataset: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  };
  int(o.seed, 'seed', 0);
  int(o.identities, 'identities', 1);
  int(o.imagesPerIdentity, 'imagesPerIdentity', 1);
  if (typeof o.occluderRate !== 'number' || !(o.occluderRate >= 0 && o.occluderRate <= 1)) {
    throw new RangeError(`syntheticDataset: occluderRate must be in [0, 1], got ${String(o.occluderRate)}`);
  }
}

/** The stable parameters of identity `identity` under `seed`. */
export function syntheticIdentity(seed: number, identity: number): IdentityParams {
  return sampleIdentity(new Rng(mixSeed(seed, 1, identity)));
}

/** All parameters of image `index` of `identity` (to re-render it, e.g. without its occluder). */
export function syntheticSampleParams(opts: SyntheticDatasetOptions, identity: number, index: number): SyntheticFaceParams {
  const rng = new Rng(mixSeed(opts.seed, 2, identity, index));
  return { identity: syntheticIdentity(opts.seed, identity), ...sampleNuisance(rng, opts.occluderRate) };
}

/** Image `index` of `identity`. */
export function syntheticSample(opts: SyntheticDatasetOptions, identity: number, index: number): SyntheticSample {
  const params = syntheticSampleParams(opts, identity, index);
  const face = generateSyntheticFace(params);
  return { ...face, identity, index, occluder: params.occluder.kind };
}

/**
 * Iterates over the whole set, identity-major (`identity 0: images 0…n−1, identity 1: …`), the
 * order of the on-disk list file.
 *
 * @throws RangeError on invalid options.
 */
export function* syntheticDataset(opts: SyntheticDatasetOptions): Generator<SyntheticSample> {
  checkOptions(opts);
  for (let id = 0; id < opts.identities; id++) {
    const identity = syntheticIdentity(opts.seed, id);
    for (let n = 0; n < opts.imagesPerIdentity; n++) {
      const rng = new Rng(mixSeed(opts.seed, 2, id, n));
      const params: SyntheticFaceParams = { identity, ...sampleNuisance(rng, opts.occluderRate) };
      yield { ...generateSyntheticFace(params), identity: id, index: n, occluder: params.occluder.kind };
    }
  }
}
