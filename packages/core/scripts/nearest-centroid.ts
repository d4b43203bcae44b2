/**
 * How separable the synthetic identities are for a simple template matcher: nearest centroid on
 * 16×16 box-downsampled gray (BT.601 luma) pixels of unoccluded 110×110 images, the first half of
 * each identity's images as training, the second half as test. Shared by `separability.ts` and the
 * synthetic-set test.
 */
import { syntheticSample } from '../src/synthetic/index.ts';

const S = 110;

/** 16×16 box-downsampled gray of a 110×110 RGB image. */
export function gray16(px: Uint8Array): Float64Array {
  const out = new Float64Array(256);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const j = 3 * (y * S + x);
      out[Math.floor((y * 16) / S) * 16 + Math.floor((x * 16) / S)]! += 0.299 * px[j]! + 0.587 * px[j + 1]! + 0.114 * px[j + 2]!;
    }
  }
  return out;
}

/** Nearest-centroid accuracy over `identities` × `perIdentity` images of the set with this seed. */
export function nearestCentroidAccuracy(seed: number, identities: number, perIdentity = 20): number {
  const opts = { seed, identities, imagesPerIdentity: perIdentity, occluderRate: 0 };
  const half = Math.floor(perIdentity / 2);
  const cents: Float64Array[] = [];
  const tests: [number, Float64Array][] = [];
  for (let id = 0; id < identities; id++) {
    const c = new Float64Array(256);
    for (let n = 0; n < perIdentity; n++) {
      const f = gray16(syntheticSample(opts, id, n).pixels);
      if (n < half) for (let i = 0; i < 256; i++) c[i]! += f[i]! / half;
      else tests.push([id, f]);
    }
    cents.push(c);
  }
  let correct = 0;
  for (const [id, f] of tests) {
    let best = -1,
      bd = Infinity;
    cents.forEach((c, k) => {
      let d = 0;
      for (let i = 0; i < 256; i++) d += (c[i]! - f[i]!) ** 2;
      if (d < bd) {
        bd = d;
        best = k;
      }
    });
    if (best === id) correct++;
  }
  return correct / tests.length;
}
