import { describe, expect, it } from 'vitest';
import { Rng, TEMPLATE_110, TRIANGLES } from '@interpret-fr/core';
import { rasterisePolygon, rectCorners } from '@interpret-fr/core';
import { drawOcclusionRect, occludeBatch, occlusionPolygon, warpToFace } from './occlusion.ts';

const TEMPLATE_68 = TEMPLATE_110.slice(0, 136);

/** Naive reference: first triangle (mesh order) whose barycentric solve (Cramer's rule) is in [0, 1]. */
function naiveWarp(x: number, y: number, from: Float32Array, to: Float32Array): [number, number] {
  for (let t = 0; t < TRIANGLES.length / 3; t++) {
    const [a, b, c] = [TRIANGLES[3 * t]!, TRIANGLES[3 * t + 1]!, TRIANGLES[3 * t + 2]!];
    const [ax, ay, bx, by, cx, cy] = [from[2 * a]!, from[2 * a + 1]!, from[2 * b]!, from[2 * b + 1]!, from[2 * c]!, from[2 * c + 1]!];
    // Solve p = a + β(b − a) + γ(c − a).
    const d = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (Math.abs(d) < 1e-12) continue;
    const beta = ((x - ax) * (cy - ay) - (cx - ax) * (y - ay)) / d;
    const gamma = ((bx - ax) * (y - ay) - (x - ax) * (by - ay)) / d;
    const alpha = 1 - beta - gamma;
    if (alpha < -1e-6 || beta < -1e-6 || gamma < -1e-6) continue;
    return [alpha * to[2 * a]! + beta * to[2 * b]! + gamma * to[2 * c]!, alpha * to[2 * a + 1]! + beta * to[2 * b + 1]! + gamma * to[2 * c + 1]!];
  }
  return [x, y];
}

/** A face: the template moved by a similarity about the frame centre plus per-point jitter. */
function makeFace(seed: number, scale: number, angle: number, tx: number, ty: number, jitter: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(136);
  const [cs, sn] = [Math.cos(angle), Math.sin(angle)];
  for (let i = 0; i < 68; i++) {
    const x = TEMPLATE_68[2 * i]! - 54.5;
    const y = TEMPLATE_68[2 * i + 1]! - 54.5;
    out[2 * i] = 54.5 + scale * (cs * x - sn * y) + tx + jitter * rng.normal();
    out[2 * i + 1] = 54.5 + scale * (sn * x + cs * y) + ty + jitter * rng.normal();
  }
  return out;
}

describe('drawOcclusionRect (method.md §4.1)', () => {
  it('original ranges: x in [11, 67], y in [11, 87], doubled mass at the ends; 32×12', () => {
    const rng = new Rng(3);
    const xs = new Map<number, number>();
    const n = 59 * 400;
    for (let i = 0; i < n; i++) {
      const r = drawOcclusionRect(rng);
      expect([r.w, r.h]).toEqual([32, 12]);
      expect(r.x >= 11 && r.x <= 67 && r.y >= 11 && r.y <= 87).toBe(true);
      xs.set(r.x, (xs.get(r.x) ?? 0) + 1);
    }
    // P(x = 11) = 2/59 vs P(x = 30) = 1/59.
    expect(xs.get(11)! / n).toBeGreaterThan(1.6 / 59);
    expect(xs.get(30)! / n).toBeLessThan(1.4 / 59);
    expect(xs.has(10) || xs.has(68)).toBe(false);
  });
  it('uniform positions and random sizes stay in range', () => {
    const rng = new Rng(4);
    const xs = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const r = drawOcclusionRect(rng, { positions: 'uniform', size: 'random' });
      expect(r.w >= 16 && r.w <= 31 && r.h >= 16 && r.h <= 31).toBe(true);
      xs.add(r.x);
    }
    expect(Math.min(...xs)).toBe(11);
    expect(Math.max(...xs)).toBe(67);
  });
});

describe('warpToFace', () => {
  it('matches a hand-computed barycentric mapping for an arbitrary face', () => {
    const face = makeFace(1, 0.9, 0.15, 3, -4, 1.5);
    const to = new Float32Array(152);
    to.set(face);
    to.set(TEMPLATE_110.slice(136), 136);
    const pts = Float32Array.of(11, 11, 40.5, 52.25, 67, 87, 99, 99, 30, 70, 78.3, 45.1);
    const got = warpToFace(pts, face);
    for (let i = 0; i < pts.length; i += 2) {
      const [ex, ey] = naiveWarp(pts[i]!, pts[i + 1]!, TEMPLATE_110, to);
      expect(got[i]).toBeCloseTo(ex, 4);
      expect(got[i + 1]).toBeCloseTo(ey, 4);
    }
  });
  it('is the identity for template landmarks and for faces without landmarks', () => {
    const pts = rectCorners({ x: 37, y: 52, w: 32, h: 12 });
    const same = warpToFace(pts, TEMPLATE_68.slice());
    pts.forEach((v, i) => expect(same[i]).toBeCloseTo(v, 4));
    expect([...warpToFace(pts, null)]).toEqual([...pts]);
  });
  it('a point inside a landmark-only triangle follows a translation of the landmarks exactly', () => {
    // Between the eyes (template landmarks 39 and 42), well inside the face mesh.
    const x = (TEMPLATE_68[78]! + TEMPLATE_68[84]!) / 2;
    const y = (TEMPLATE_68[79]! + TEMPLATE_68[85]!) / 2 + 2;
    const face = TEMPLATE_68.map((v, i) => v + (i % 2 === 0 ? 5 : -3));
    const [wx, wy] = warpToFace(Float32Array.of(x, y), face);
    expect(wx).toBeCloseTo(x + 5, 4);
    expect(wy).toBeCloseTo(y - 3, 4);
  });
});

describe('occludeBatch', () => {
  it('blacks out (−1, all channels) exactly the rasterised polygon and nothing else', () => {
    const size = 96;
    const n = 2;
    const rng = new Rng(9);
    const x = new Float32Array(n * size * size * 3).map(() => rng.uniform(-0.9, 0.9));
    const orig = x.slice();
    const faces = [
      { landmarks: makeFace(2, 1.05, -0.1, 2, 1, 1), offsetX: 3, offsetY: 11, scale: 1 },
      { landmarks: null, offsetX: 7, offsetY: 7, scale: 1 },
    ];
    const rect = { x: 30, y: 50, w: 32, h: 12 };
    const counts = occludeBatch(x, n, size, 3, faces, rect);
    for (let b = 0; b < n; b++) {
      const { mask } = rasterisePolygon(occlusionPolygon(rect, faces[b]!), size);
      let m = 0;
      let wrong = 0;
      for (let p = 0; p < size * size; p++) {
        for (let k = 0; k < 3; k++) {
          const i = (b * size * size + p) * 3 + k;
          if (x[i] !== (mask[p] ? -1 : orig[i])) wrong++;
        }
        m += mask[p]!;
      }
      expect(wrong).toBe(0);
      expect(m).toBeGreaterThan(300);
      expect(counts[b]).toBe(m);
    }
    // Without landmarks, the template rectangle moved by the crop: 33 × 13 pixels.
    expect(counts[1]).toBe(33 * 13);
  });

  it('lands on the same facial region in faces with different landmarks', () => {
    // An eye bar in the template: covers both eyes' landmarks (36–47), not the mouth (48–67).
    const eyes = Array.from({ length: 12 }, (_, k) => 36 + k);
    let x0 = Infinity,
      x1 = -Infinity,
      y0 = Infinity,
      y1 = -Infinity;
    for (const i of eyes) {
      x0 = Math.min(x0, TEMPLATE_68[2 * i]!);
      x1 = Math.max(x1, TEMPLATE_68[2 * i]!);
      y0 = Math.min(y0, TEMPLATE_68[2 * i + 1]!);
      y1 = Math.max(y1, TEMPLATE_68[2 * i + 1]!);
    }
    const rect = { x: Math.floor(x0) - 2, y: Math.floor(y0) - 2, w: Math.ceil(x1 - x0) + 4, h: Math.ceil(y1 - y0) + 4 };
    const faces = [makeFace(5, 0.85, 0.2, -4, 3, 0.8), makeFace(6, 1.1, -0.15, 5, -2, 0.8), makeFace(7, 0.95, 0, 0, 6, 0.8)];
    const offsets = [
      [2, 9],
      [14, 0],
      [7, 7],
    ] as const;
    for (const [f, lm] of faces.entries()) {
      const frame = { landmarks: lm, offsetX: offsets[f]![0], offsetY: offsets[f]![1], scale: 1 };
      const { mask } = rasterisePolygon(occlusionPolygon(rect, frame), 96);
      const at = (i: number): number => {
        const c = Math.round(lm[2 * i]! - frame.offsetX);
        const r = Math.round(lm[2 * i + 1]! - frame.offsetY);
        return c >= 0 && c < 96 && r >= 0 && r < 96 ? mask[r * 96 + c]! : 0;
      };
      for (const i of eyes) expect(at(i), `face ${f} eye landmark ${i}`).toBe(1);
      for (let i = 48; i < 68; i++) expect(at(i), `face ${f} mouth landmark ${i}`).toBe(0);
      for (let i = 0; i < 5; i++) expect(at(i), `face ${f} jaw landmark ${i}`).toBe(0);
    }
  });

  it('scales into a 48×48 input (tiny) and pastes an occluder image over the bounding box', () => {
    const size = 48;
    const x = new Float32Array(size * size * 3);
    const faces = [{ landmarks: null, offsetX: 7, offsetY: 7, scale: 0.5 }];
    const rect = { x: 27, y: 47, w: 32, h: 12 };
    const counts = occludeBatch(x.slice(), 1, size, 3, faces, rect);
    // PIL squares 27..59 × 47..59 = outline [26.5, 59.5] × [46.5, 59.5]; − 7 = [19.5, 52.5] × [39.5, 52.5];
    // scaled about centres ((x + ½)·½ − ½): [9.5, 26] × [19.5, 26] → centres 10..25 × 20..25 = 16 × 6 pixels.
    expect(counts[0]).toBe(16 * 6);
    const red = { data: new Uint8Array([255, 0, 0, 255]), width: 1, height: 1 };
    const y = new Float32Array(size * size * 3);
    occludeBatch(y, 1, size, 3, faces, rect, { occluder: red });
    const p = (23 * size + 18) * 3;
    expect([y[p], y[p + 1], y[p + 2]]).toEqual([1, -1, -1]);
    expect(y[(2 * size + 2) * 3]).toBe(0);
  });
});
