import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Rng } from './rng.ts';
import {
  TEMPLATE_68,
  TEMPLATE_110,
  TRIANGLES,
  withAnchors,
  borderAnchors,
  locateTriangle,
  warpPoint,
  similarityTransform,
  applySimilarity,
  applySimilarityToPoints,
} from './geometry.ts';
import { meshSource, MESH_DATA_PATH } from '../scripts/make-mesh.ts';

const x = (p: ArrayLike<number>, i: number) => p[2 * i]!;
const y = (p: ArrayLike<number>, i: number) => p[2 * i + 1]!;

/** A smooth, non-affine deformation of the template (inside the image), as a real face's landmarks. */
function deformed(seed: number): Float32Array {
  const r = new Rng(seed);
  const l = new Float32Array(TEMPLATE_68);
  const c = Math.cos(0.12),
    s = Math.sin(0.12);
  for (let i = 0; i < 68; i++) {
    const u = l[2 * i]! - 55,
      v = l[2 * i + 1]! - 60;
    l[2 * i] = 55 + 0.95 * (c * u - s * v) + 2 * Math.sin(v / 15) + r.uniform(-1, 1);
    l[2 * i + 1] = 58 + 0.95 * (s * u + c * v) + 1.5 * Math.cos(u / 20) + r.uniform(-1, 1);
  }
  return withAnchors(l, 110);
}

describe('template', () => {
  it('is a symmetric frontal face with features in the right order, inside the original ranges', () => {
    expect(TEMPLATE_110.length).toBe(152);
    // left/right mirror pairs around x = 54.5
    for (const [a, b] of [
      [0, 16],
      [36, 45],
      [39, 42],
      [48, 54],
      [31, 35],
      [17, 26],
    ] as const) {
      expect(x(TEMPLATE_68, a) + x(TEMPLATE_68, b)).toBeCloseTo(109, 3);
      expect(y(TEMPLATE_68, a)).toBeCloseTo(y(TEMPLATE_68, b), 3);
    }
    const eyeY = (y(TEMPLATE_68, 36) + y(TEMPLATE_68, 45)) / 2;
    expect(y(TEMPLATE_68, 19)).toBeLessThan(eyeY); // brows above eyes
    expect(eyeY).toBeLessThan(y(TEMPLATE_68, 30)); // eyes above nose tip
    expect(y(TEMPLATE_68, 30)).toBeLessThan(y(TEMPLATE_68, 51)); // nose above mouth
    expect(y(TEMPLATE_68, 57)).toBeLessThan(y(TEMPLATE_68, 8)); // mouth above chin
    let minX = 1e9,
      maxX = -1e9,
      minY = 1e9,
      maxY = -1e9;
    for (let i = 0; i < 68; i++) {
      minX = Math.min(minX, x(TEMPLATE_68, i));
      maxX = Math.max(maxX, x(TEMPLATE_68, i));
      minY = Math.min(minY, y(TEMPLATE_68, i));
      maxY = Math.max(maxY, y(TEMPLATE_68, i));
    }
    // method.md §3.1: original spans x≈12–90, y≈32–93 in the 96 frame, i.e. 19–97, 39–100 after +7.
    expect(minX).toBeGreaterThan(15);
    expect(maxX).toBeLessThan(97);
    expect(minY).toBeGreaterThan(30);
    expect(maxY).toBeCloseTo(100, 3);
  });

  it('border anchors are the 0-based versions of the original (1,1)…(55,1)', () => {
    expect(Array.from(borderAnchors(110))).toEqual([0, 0, 0, 54, 0, 109, 54, 109, 109, 109, 109, 54, 109, 0, 54, 0]);
    expect(() => withAnchors(new Float32Array(10))).toThrow(/expected 136 numbers/);
  });
});

describe('mesh', () => {
  it('is the committed generated file (make-mesh.ts regenerates the same source)', () => {
    expect(readFileSync(MESH_DATA_PATH, 'utf8')).toBe(meshSource());
  });

  it('has 142 non-degenerate triangles covering the 110×110 frame exactly once (like the original tVM)', () => {
    expect(TRIANGLES.length).toBe(142 * 3);
    let area = 0;
    for (let t = 0; t < 142; t++) {
      const [a, b, c] = [TRIANGLES[3 * t]!, TRIANGLES[3 * t + 1]!, TRIANGLES[3 * t + 2]!];
      const ar =
        Math.abs(
          (x(TEMPLATE_110, b) - x(TEMPLATE_110, a)) * (y(TEMPLATE_110, c) - y(TEMPLATE_110, a)) -
            (x(TEMPLATE_110, c) - x(TEMPLATE_110, a)) * (y(TEMPLATE_110, b) - y(TEMPLATE_110, a)),
        ) / 2;
      expect(ar).toBeGreaterThan(0.01);
      area += ar;
    }
    expect(area).toBeCloseTo(109 * 109, 1);
    // every point of the frame is found
    for (let yy = 0; yy <= 109; yy += 3.7) for (let xx = 0; xx <= 109; xx += 3.1) expect(locateTriangle(TEMPLATE_110, TRIANGLES, xx, yy)).not.toBeNull();
    expect(locateTriangle(TEMPLATE_110, TRIANGLES, -0.5, 10)).toBeNull();
  });
});

describe('warps', () => {
  it('a point at a template vertex maps to the matching landmark', () => {
    const face = deformed(1);
    for (let i = 0; i < 76; i++) {
      const p = warpPoint(TEMPLATE_110, face, TRIANGLES, x(TEMPLATE_110, i), y(TEMPLATE_110, i));
      expect(p).not.toBeNull();
      expect(p![0]).toBeCloseTo(x(face, i), 3);
      expect(p![1]).toBeCloseTo(y(face, i), 3);
    }
  });

  it('a point on a shared edge gets the first triangle and weights summing to 1', () => {
    const [a, b] = [TRIANGLES[0]!, TRIANGLES[1]!];
    const mx = (x(TEMPLATE_110, a) + x(TEMPLATE_110, b)) / 2,
      my = (y(TEMPLATE_110, a) + y(TEMPLATE_110, b)) / 2;
    const hit = locateTriangle(TEMPLATE_110, TRIANGLES, mx, my)!;
    expect(hit.tri).toBe(0);
    expect(hit.w0 + hit.w1 + hit.w2).toBeCloseTo(1, 9);
    expect(hit.w2).toBeCloseTo(0, 5);
  });

  it('barycentric round trip A→B→A returns the point (piecewise-affine, inverse on each triangle)', () => {
    const face = deformed(7);
    const r = new Rng(3);
    let maxErr = 0;
    for (let k = 0; k < 500; k++) {
      const px = r.uniform(0, 109),
        py = r.uniform(0, 109);
      const q = warpPoint(TEMPLATE_110, face, TRIANGLES, px, py)!;
      const back = warpPoint(face, TEMPLATE_110, TRIANGLES, q[0], q[1])!;
      maxErr = Math.max(maxErr, Math.hypot(back[0] - px, back[1] - py));
    }
    expect(maxErr).toBeLessThan(1e-3);
  });

  it('an affine map of all 76 points is reproduced exactly by the warp', () => {
    const aff = new Float32Array(152);
    for (let i = 0; i < 76; i++) {
      aff[2 * i] = 1.1 * x(TEMPLATE_110, i) + 0.2 * y(TEMPLATE_110, i) - 3;
      aff[2 * i + 1] = -0.1 * x(TEMPLATE_110, i) + 0.9 * y(TEMPLATE_110, i) + 5;
    }
    const q = warpPoint(TEMPLATE_110, aff, TRIANGLES, 40.3, 61.7)!;
    expect(q[0]).toBeCloseTo(1.1 * 40.3 + 0.2 * 61.7 - 3, 3);
    expect(q[1]).toBeCloseTo(-0.1 * 40.3 + 0.9 * 61.7 + 5, 3);
  });
});

describe('similarityTransform', () => {
  it('recovers a known rotation, scale and shift exactly', () => {
    const ang = 0.3,
      sc = 1.25;
    const t = { a: sc * Math.cos(ang), b: sc * Math.sin(ang), tx: -7.5, ty: 12 };
    const dst = applySimilarityToPoints(t, TEMPLATE_68);
    const est = similarityTransform(TEMPLATE_68, dst);
    expect(est.a).toBeCloseTo(t.a, 5);
    expect(est.b).toBeCloseTo(t.b, 5);
    expect(est.tx).toBeCloseTo(t.tx, 3);
    expect(est.ty).toBeCloseTo(t.ty, 3);
    const [px, py] = applySimilarity(est, 10, 20);
    expect(px).toBeCloseTo(t.a * 10 - t.b * 20 + t.tx, 3);
    expect(py).toBeCloseTo(t.b * 10 + t.a * 20 + t.ty, 3);
  });

  it('with noise, is the least-squares optimum (no perturbation of the parameters lowers the error)', () => {
    const r = new Rng(11);
    const t = { a: 0.8 * Math.cos(-0.2), b: 0.8 * Math.sin(-0.2), tx: 4, ty: -2 };
    const dst = applySimilarityToPoints(t, TEMPLATE_68).map((v) => v + r.normal() * 0.8);
    const est = similarityTransform(TEMPLATE_68, dst);
    const sse = (s: typeof est) => {
      const p = applySimilarityToPoints(s, TEMPLATE_68);
      let e = 0;
      for (let i = 0; i < p.length; i++) e += (p[i]! - dst[i]!) ** 2;
      return e;
    };
    const best = sse(est);
    for (const k of ['a', 'b', 'tx', 'ty'] as const) for (const d of [-1e-3, 1e-3]) expect(sse({ ...est, [k]: est[k] + d })).toBeGreaterThan(best);
    expect(Math.hypot(est.a - t.a, est.b - t.b)).toBeLessThan(0.01);
    expect(Math.hypot(est.tx - t.tx, est.ty - t.ty)).toBeLessThan(0.6);
  });

  it('never reflects: a mirrored target gives a proper rotation with shrunken scale', () => {
    const mir = new Float32Array(TEMPLATE_68).map((v, i) => (i % 2 === 0 ? 109 - v : v));
    const est = similarityTransform(TEMPLATE_68, mir);
    // x' = a·x − b·y has determinant a² + b² > 0; the best rotation of a mirror image is a poor fit
    expect(Math.hypot(est.a, est.b)).toBeLessThan(0.7);
    expect(() => similarityTransform([1, 1, 1, 1], [0, 0, 2, 2])).toThrow(/all equal/);
    expect(() => similarityTransform([1, 1], [0, 0, 2, 2])).toThrow(/equal even length/);
  });
});
