import { describe, expect, it } from 'vitest';
import { CROP_OFFSET, CROP_SIZE, fromCropFrame, rasterisePolygon, rectCorners, toCropFrame, warpPoints } from './face-frame.ts';
import { TEMPLATE_110, withAnchors } from './geometry.ts';

describe('the face frame', () => {
  it('the 96 crop sits at offset 7 of the 110 frame; the shift and its inverse', () => {
    expect([CROP_SIZE, CROP_OFFSET]).toEqual([96, 7]);
    expect([...toCropFrame([7, 7, 103, 50])]).toEqual([0, 0, 96, 43]);
    expect([...fromCropFrame([0, 0, 96, 43])]).toEqual([7, 7, 103, 50]);
    // 48 input of the centred 96 crop: pixel centres onto pixel centres, (x − 7 + ½)·½ − ½
    expect([...toCropFrame([7, 7, 9, 9], CROP_OFFSET, CROP_OFFSET, 0.5)]).toEqual([-0.25, -0.25, 0.75, 0.75]);
    expect([...fromCropFrame([-0.25, -0.25, 0.75, 0.75], CROP_OFFSET, CROP_OFFSET, 0.5)]).toEqual([7, 7, 9, 9]);
  });
  it('rectCorners: the original order (x,y), (x,y+h), (x+w,y+h), (x+w,y)', () => {
    expect([...rectCorners({ x: 10, y: 20, w: 32, h: 12 })]).toEqual([10, 20, 10, 32, 42, 32, 42, 20]);
  });
  it('warpPoints: identity between equal meshes, a shift between shifted meshes, outside kept or NaN', () => {
    const pts = Float32Array.of(40, 50, 55.5, 70.25);
    expect([...warpPoints(TEMPLATE_110, TEMPLATE_110, pts)].map((v) => Math.round(v * 1e4) / 1e4)).toEqual([40, 50, 55.5, 70.25]);
    const moved = withAnchors(
      TEMPLATE_110.slice(0, 136).map((v, i) => v + (i % 2 ? 2 : 3)),
      110,
    );
    const w = warpPoints(TEMPLATE_110, moved, Float32Array.of(55, 60));
    expect(w[0]).toBeCloseTo(58, 4);
    expect(w[1]).toBeCloseTo(62, 4);
    expect([...warpPoints(TEMPLATE_110, moved, Float32Array.of(-5, -5))]).toEqual([-5, -5]);
    expect([...warpPoints(TEMPLATE_110, moved, Float32Array.of(-5, -5), 'nan')]).toEqual([NaN, NaN]);
  });
});

describe('toCropFrame / fromCropFrame / rasterisePolygon (moved from the trainer)', () => {
  it('subtracts the crop offset, and scales about pixel centres', () => {
    expect([...toCropFrame(Float32Array.of(20, 30), 7, 4, 1)]).toEqual([13, 26]);
    expect([...toCropFrame(Float32Array.of(20, 30), 7, 4, 0.5)]).toEqual([6.25, 12.75]);
  });
  it('fills an axis-aligned rectangle with its outline (PIL-like: both ends included)', () => {
    const { mask, x0, y0, x1, y1 } = rasterisePolygon(Float32Array.of(2, 3, 2, 6, 9, 6, 9, 3), 12);
    expect([x0, y0, x1, y1]).toEqual([2, 3, 9, 6]);
    let n = 0;
    mask.forEach((v) => (n += v));
    expect(n).toBe(8 * 4);
  });
  it('a triangle covers the pixel centres inside it plus its outline', () => {
    const size = 20;
    const tri = Float32Array.of(1, 1, 18, 1, 1, 18);
    const { mask } = rasterisePolygon(tri, size);
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size; c++) {
        const inside = c >= 1 && r >= 1 && c + r <= 19;
        const far = c < 0.5 || r < 0.5 || c + r > 19 + 0.75;
        if (inside) expect(mask[r * size + c]).toBe(1);
        if (far) expect(mask[r * size + c]).toBe(0);
      }
  });
});

describe('rasterisePolygon on a non-square mask', () => {
  it('covers x₀..x₁ × y₀..y₁ inclusive, clipped to width × height', () => {
    const { mask, x0, y0, x1, y1 } = rasterisePolygon(rectCorners({ x: 3, y: 1, w: 10, h: 2 }), 8, 4);
    expect([x0, y0, x1, y1]).toEqual([3, 1, 7, 3]);
    expect(mask.reduce((a, v) => a + v, 0)).toBe(5 * 3);
    expect(() => rasterisePolygon(rectCorners({ x: 0, y: 0, w: 1, h: 1 }), 4, 4, new Uint8Array(3))).toThrow(/mask has 3 cells, expected 4×4/);
  });
  it('without outline: the pixel squares inside the polygon (half-open), also at half scale', () => {
    const sq = rasterisePolygon(rectCorners({ x: 14.5, y: 9.5, w: 32, h: 12 }), 96, 96, undefined, false);
    expect([sq.x0, sq.y0, sq.x1, sq.y1]).toEqual([15, 10, 46, 21]);
    expect(sq.mask.reduce((a, v) => a + v, 0)).toBe(32 * 12);
    const half = rasterisePolygon(toCropFrame(rectCorners({ x: 14.5, y: 9.5, w: 32, h: 12 }), 0, 0, 0.5), 48, 48, undefined, false);
    expect([half.x0, half.y0, half.x1, half.y1]).toEqual([7, 5, 22, 10]);
    expect(half.mask.reduce((a, v) => a + v, 0)).toBe(16 * 6);
  });
});
