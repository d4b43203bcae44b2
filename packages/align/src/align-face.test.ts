import { describe, expect, it } from 'vitest';
import { TEMPLATE_68, applySimilarityToPoints, syntheticSample, warpSimilarity, type Similarity } from '@interpret-fr/core';
import { alignFace, templateForSize, templateTransform } from './align-face.ts';
import { FLIP_68, chooseFace, flipLandmarks68 } from './faces.ts';

/** Inverse of a similarity (naive reference). */
function invert(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d,
    b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

describe('template fit (least-squares similarity onto core TEMPLATE_68)', () => {
  it.each([
    { s: 2.3, deg: 17, tx: 40, ty: -12 },
    { s: 0.61, deg: -33, tx: 5.5, ty: 80 },
    { s: 1, deg: 0, tx: 0, ty: 0 },
  ])('recovers a known transform from exact landmarks (scale $s, $deg°)', ({ s, deg, tx, ty }) => {
    const r = (deg * Math.PI) / 180;
    const photoToCrop: Similarity = { a: Math.cos(r) / s, b: Math.sin(r) / s, tx, ty };
    // photo landmarks = the template carried into the photo by the inverse transform (float64)
    const inv = invert(photoToCrop);
    const photo = new Float64Array(136);
    for (let i = 0; i < 68; i++) {
      const x = TEMPLATE_68[2 * i]!,
        y = TEMPLATE_68[2 * i + 1]!;
      photo[2 * i] = inv.a * x - inv.b * y + inv.tx;
      photo[2 * i + 1] = inv.b * x + inv.a * y + inv.ty;
    }
    const t = templateTransform(photo);
    expect(Math.abs(t.a - photoToCrop.a)).toBeLessThan(1e-6);
    expect(Math.abs(t.b - photoToCrop.b)).toBeLessThan(1e-6);
    expect(Math.abs(t.tx - photoToCrop.tx)).toBeLessThan(1e-6);
    expect(Math.abs(t.ty - photoToCrop.ty)).toBeLessThan(1e-6);
  });

  it('aligns a synthetic face warped by a known similarity back onto its own frame', () => {
    const face = syntheticSample({ seed: 7, identities: 3, imagesPerIdentity: 2, occluderRate: 0 }, 1, 0);
    const px = { data: face.pixels, width: 110, height: 110, channels: 3 as const };
    // photo = the face rotated by 12°, scaled 1.7, shifted into a 260×240 canvas
    const r = (12 * Math.PI) / 180;
    const toPhoto: Similarity = { a: 1.7 * Math.cos(r), b: 1.7 * Math.sin(r), tx: 70, ty: 20 };
    const photo = warpSimilarity(px, toPhoto, 260, 240);
    const photoLm = applySimilarityToPoints(toPhoto, face.landmarks);
    const aligned = alignFace(photo, photoLm, { size: 110 });
    // the fit is the least-squares map of the face's landmarks onto the template: composing with
    // toPhoto must equal the direct fit of the face's own landmarks (exact algebra, float32 inputs)
    const direct = templateTransform(face.landmarks);
    const composed = { a: aligned.transform.a * toPhoto.a - aligned.transform.b * toPhoto.b, b: aligned.transform.a * toPhoto.b + aligned.transform.b * toPhoto.a };
    expect(Math.abs(composed.a - direct.a)).toBeLessThan(1e-5);
    expect(Math.abs(composed.b - direct.b)).toBeLessThan(1e-5);
    // landmarks in the crop frame = the template fit of the face's landmarks
    const want = applySimilarityToPoints(direct, face.landmarks);
    for (let i = 0; i < 136; i++) expect(Math.abs(aligned.landmarks[i]! - want[i]!)).toBeLessThan(2e-3);
    // and the pixels: the crop equals the face warped directly by `direct` (two bilinear passes vs one)
    const once = warpSimilarity(px, direct, 110);
    let diff = 0;
    for (let i = 0; i < once.data.length; i++) diff += Math.abs(once.data[i]! - aligned.pixels.data[i]!);
    expect(diff / once.data.length).toBeLessThan(6);
  });

  it('scales the template about the frame corner for other crop sizes', () => {
    const t220 = templateForSize(220);
    expect(t220[0]).toBeCloseTo((TEMPLATE_68[0]! + 0.5) * 2 - 0.5, 4);
    expect(templateForSize(110)).toBe(TEMPLATE_68);
  });

  it('rejects wrong landmark counts and non-finite points with the offending value', () => {
    const px = { data: new Uint8Array(100 * 100), width: 100, height: 100, channels: 1 as const };
    expect(() => alignFace(px, new Float32Array(10))).toThrow(/expected 136 landmark numbers/);
    const bad = new Float32Array(136).fill(3);
    bad[5] = Number.NaN;
    expect(() => alignFace(px, bad)).toThrow(/landmark number 5 is NaN/);
  });
});

describe('iBUG-68 mirror and face choice', () => {
  it('FLIP_68 is an involution and maps the symmetric template onto itself', () => {
    for (let i = 0; i < 68; i++) expect(FLIP_68[FLIP_68[i]!]).toBe(i);
    const f = flipLandmarks68(TEMPLATE_68, 110);
    for (let i = 0; i < 136; i++) expect(Math.abs(f[i]! - TEMPLATE_68[i]!)).toBeLessThan(1e-4);
  });

  it('chooses the largest face over the centre, else the nearest', () => {
    const box = (x: number, y: number, w: number) => ({ box: { x, y, width: w, height: w } });
    expect(chooseFace([box(0, 0, 20), box(40, 40, 30), box(30, 30, 50)], 100, 100)).toBe(2);
    expect(chooseFace([box(0, 0, 20), box(70, 70, 20)], 100, 100)).toBe(1);
    expect(chooseFace([], 100, 100)).toBe(-1);
  });
});
