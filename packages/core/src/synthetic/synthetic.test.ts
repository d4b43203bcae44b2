import { describe, expect, it } from 'vitest';
import { nearestCentroidAccuracy } from '../../scripts/nearest-centroid.ts';
import { Sha256, sha256Hex } from '../sha256.ts';
import { TEMPLATE_68 } from '../geometry.ts';
import { syntheticDataset, syntheticSample, syntheticSampleParams, syntheticIdentity, mixSeed } from './dataset.ts';
import { generateSyntheticFace } from './face.ts';
import type { OccluderKind } from './occluders.ts';

const S = 110;
const X = (l: Float32Array, i: number) => l[2 * i]!;
const Y = (l: Float32Array, i: number) => l[2 * i + 1]!;

function hashSet(opts: Parameters<typeof syntheticDataset>[0]): string {
  const h = new Sha256();
  for (const s of syntheticDataset(opts)) {
    h.update(s.pixels);
    h.update(new Uint8Array(s.landmarks.buffer, s.landmarks.byteOffset, s.landmarks.byteLength));
    h.update(new TextEncoder().encode(`${s.identity},${s.index},${s.occluder};`));
  }
  return Array.from(h.digest(), (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('synthetic set: determinism', () => {
  const opts = { seed: 5, identities: 4, imagesPerIdentity: 5, occluderRate: 0.3 };

  it('the same seed gives byte-identical images, landmarks and labels; another seed does not', () => {
    const a = hashSet(opts);
    expect(hashSet(opts)).toBe(a);
    expect(hashSet({ ...opts, seed: 6 })).not.toBe(a);
    // Golden hash (V8): changes only when the generator changes, then SYNTHETIC_VERSION must be bumped
    // so that cached datasets on disk are regenerated, and this value updated.
    expect(a).toBe(GOLDEN);
  });

  it('random access (syntheticSample) equals the iterator, whatever the set size', () => {
    const all = [...syntheticDataset(opts)];
    expect(all.length).toBe(20);
    expect(all.map((s) => `${s.identity}/${s.index}`).slice(0, 6)).toEqual(['0/0', '0/1', '0/2', '0/3', '0/4', '1/0']);
    const one = syntheticSample({ ...opts, identities: 100 }, 2, 3);
    const it = all[2 * 5 + 3]!;
    expect(sha256Hex(one.pixels)).toBe(sha256Hex(it.pixels));
    expect(Array.from(one.landmarks)).toEqual(Array.from(it.landmarks));
    expect(syntheticIdentity(5, 2)).toEqual(syntheticIdentity(5, 2));
    expect(syntheticIdentity(5, 2)).not.toEqual(syntheticIdentity(5, 3));
    expect(mixSeed(1, 2, 3)).not.toBe(mixSeed(1, 3, 2));
  });

  it('rejects bad options with the field name', () => {
    expect(() => [...syntheticDataset({ ...opts, identities: 0 })]).toThrow(/identities must be an integer ≥ 1, got 0/);
    expect(() => [...syntheticDataset({ ...opts, occluderRate: 1.5 })]).toThrow(/occluderRate must be in \[0, 1\], got 1.5/);
  });
});

const GOLDEN = '496e14ce8931b3da82ded93eecf787e32b80a120a4bfbf5430950fe70e2e011c';

describe('synthetic set: landmarks and labels', () => {
  it('landmarks lie inside the image, in anatomical order (eyes above nose above mouth above chin, left/right order)', () => {
    let n = 0;
    const mean = new Float64Array(136);
    for (const s of syntheticDataset({ seed: 2, identities: 30, imagesPerIdentity: 8, occluderRate: 0.3 })) {
      const l = s.landmarks;
      expect(s.pixels.length).toBe(S * S * 3);
      for (let i = 0; i < 136; i++) {
        expect(l[i]).toBeGreaterThanOrEqual(0);
        expect(l[i]).toBeLessThanOrEqual(S - 1);
        mean[i]! += l[i]!;
      }
      const eyeY = (Y(l, 36) + Y(l, 39) + Y(l, 42) + Y(l, 45)) / 4;
      const browY = (Y(l, 19) + Y(l, 24)) / 2;
      expect(browY).toBeLessThan(eyeY);
      expect(eyeY).toBeLessThan(Y(l, 30));
      expect(Y(l, 30)).toBeLessThan((Y(l, 51) + Y(l, 57)) / 2);
      expect(Y(l, 57)).toBeLessThan(Y(l, 8));
      expect(X(l, 36)).toBeLessThan(X(l, 39));
      expect(X(l, 39)).toBeLessThan(X(l, 42));
      expect(X(l, 42)).toBeLessThan(X(l, 45));
      expect(X(l, 48)).toBeLessThan(X(l, 54));
      expect(X(l, 31)).toBeLessThan(X(l, 35));
      expect(X(l, 0)).toBeLessThan(X(l, 8));
      expect(X(l, 8)).toBeLessThan(X(l, 16));
      n++;
    }
    // placed like the template: the mean shape is within 3 px of TEMPLATE_68 everywhere (RMS < 2)
    let sq = 0;
    for (let i = 0; i < 68; i++) {
      const d = Math.hypot(mean[2 * i]! / n - TEMPLATE_68[2 * i]!, mean[2 * i + 1]! / n - TEMPLATE_68[2 * i + 1]!);
      expect(d).toBeLessThan(3.5);
      sq += d * d;
    }
    expect(Math.sqrt(sq / 68)).toBeLessThan(2);
  });

  it('occluders come at the requested rate and change pixels in their region only', () => {
    const opts = { seed: 3, identities: 20, imagesPerIdentity: 10, occluderRate: 0.5 };
    const counts: Record<OccluderKind, number> = { none: 0, sunglasses: 0, mask: 0, hat: 0 };
    for (let id = 0; id < opts.identities; id++) {
      for (let n = 0; n < opts.imagesPerIdentity; n++) {
        const params = syntheticSampleParams(opts, id, n);
        const kind = params.occluder.kind;
        counts[kind]++;
        if (kind === 'none') continue;
        const withOcc = generateSyntheticFace(params);
        const clean = generateSyntheticFace({ ...params, occluder: { ...params.occluder, kind: 'none' } });
        const l = withOcc.landmarks;
        const eyes = box(l, [36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47], 0);
        const mouth = box(l, [48, 50, 52, 54, 57], 0);
        const brow = Math.min(Y(l, 19), Y(l, 24));
        const forehead = { x0: X(l, 17), x1: X(l, 26), y0: Math.max(0, brow - 22), y1: brow - 12 };
        const diff = (b: Box) => meanAbsDiff(withOcc.pixels, clean.pixels, b);
        const inside = kind === 'sunglasses' ? eyes : kind === 'mask' ? mouth : forehead;
        expect(diff(inside), `${kind} at ${id}/${n}`).toBeGreaterThan(15);
        // far from the occluder, the two renderings are identical (same noise, same everything)
        const far = kind === 'sunglasses' ? box(l, [48, 54, 57, 8], 0) : kind === 'mask' ? box(l, [37, 38, 43, 44], 0) : mouth;
        if (kind === 'hat') far.y0 = Math.max(far.y0, brow + 30);
        expect(diff(far), `${kind} at ${id}/${n}, away from it`).toBe(0);
      }
    }
    expect(counts.none).toBeGreaterThan(70);
    expect(counts.none).toBeLessThan(130);
    for (const k of ['sunglasses', 'mask', 'hat'] as const) expect(counts[k]).toBeGreaterThan(15);
  });
});

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function box(l: Float32Array, idx: number[], margin: number): Box {
  const xs = idx.map((i) => X(l, i)),
    ys = idx.map((i) => Y(l, i));
  return { x0: Math.min(...xs) - margin, x1: Math.max(...xs) + margin, y0: Math.min(...ys) - margin, y1: Math.max(...ys) + margin };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array, r: Box): number {
  let s = 0,
    n = 0;
  for (let y = Math.max(0, Math.ceil(r.y0)); y <= Math.min(S - 1, Math.floor(r.y1)); y++) {
    for (let x = Math.max(0, Math.ceil(r.x0)); x <= Math.min(S - 1, Math.floor(r.x1)); x++) {
      for (let c = 0; c < 3; c++) {
        s += Math.abs(a[3 * (y * S + x) + c]! - b[3 * (y * S + x) + c]!);
        n++;
      }
    }
  }
  return n ? s / n : 0;
}

describe('synthetic set: identities are separable but not trivially', () => {
  it('nearest centroid on 16×16 gray pixels (20 identities, 10 train + 10 test images each)', () => {
    const acc = nearestCentroidAccuracy(1, 20, 20);
    // Measured 0.525 for this seed (0.56 and 0.48 for seeds 2 and 3): ten times chance (0.05), so
    // identity is in the pixels, yet half the test images are misassigned by this template matcher,
    // because background, lighting, pose, expression, blur and noise vary per image. The bounds
    // leave room for generator tweaks but fail if the set becomes trivial (≥ 0.85) or identities
    // wash out (≤ 0.3).
    expect(acc).toBeGreaterThan(0.3);
    expect(acc).toBeLessThan(0.85);
  });
});
