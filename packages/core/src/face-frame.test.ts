import { describe, expect, it } from 'vitest';
import { CROP_OFFSET, CROP_SIZE, fromCropFrame, pixelSquares, rasterisePolygon, rectCorners, toCropFrame, warpPoints } from './face-frame.ts';
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
  it('covers the pixels whose centres are inside: left/top edges in, right/bottom out', () => {
    // Corners (2, 3)–(9, 6): centres 2 ≤ c < 9, 3 ≤ r < 6.
    const { mask, x0, y0, x1, y1 } = rasterisePolygon(Float32Array.of(2, 3, 2, 6, 9, 6, 9, 3), 12);
    expect([x0, y0, x1, y1]).toEqual([2, 3, 8, 5]);
    expect(mask.reduce((a, v) => a + v, 0)).toBe(7 * 3);
    // PIL's rectangle([2, 3, 9, 6]) (both corner pixels drawn) is the pixel squares 2..9 × 3..6.
    const pil = rasterisePolygon(rectCorners(pixelSquares(2, 3, 8, 4)), 12);
    expect([pil.x0, pil.y0, pil.x1, pil.y1]).toEqual([2, 3, 9, 6]);
    expect(pil.mask.reduce((a, v) => a + v, 0)).toBe(8 * 4);
  });
  it('a triangle covers exactly the pixel centres inside it', () => {
    const size = 20;
    // (1, 1), (18, 1), (1, 18): the hypotenuse c + r = 19 is a right edge (out); 17 + 16 + … + 1 = 153 pixels.
    const { mask } = rasterisePolygon(Float32Array.of(1, 1, 18, 1, 1, 18), size);
    let wrong = 0;
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) if (mask[r * size + c] !== (c >= 1 && r >= 1 && c + r < 19 ? 1 : 0)) wrong++;
    expect(wrong).toBe(0);
    expect(mask.reduce((a, v) => a + v, 0)).toBe(153);
  });
  it('two rectangles sharing an edge never both cover a pixel', () => {
    const a = rasterisePolygon(rectCorners({ x: 2.5, y: 2, w: 4, h: 5 }), 12);
    const b = rasterisePolygon(rectCorners({ x: 6.5, y: 2, w: 4, h: 5 }), 12);
    expect(a.mask.some((v, i) => v === 1 && b.mask[i] === 1)).toBe(false);
    expect(a.mask.reduce((s, v) => s + v, 0) + b.mask.reduce((s, v) => s + v, 0)).toBe(8 * 5);
  });
});

describe('rasterisePolygon on a non-square mask', () => {
  it('covers the centres in [x₀, x₁) × [y₀, y₁), clipped to width × height', () => {
    const { mask, x0, y0, x1, y1 } = rasterisePolygon(rectCorners({ x: 3, y: 1, w: 10, h: 2 }), 8, 4);
    expect([x0, y0, x1, y1]).toEqual([3, 1, 7, 2]);
    expect(mask.reduce((a, v) => a + v, 0)).toBe(5 * 2);
    expect(() => rasterisePolygon(rectCorners({ x: 0, y: 0, w: 1, h: 1 }), 4, 4, new Uint8Array(3))).toThrow(/mask has 3 cells, expected 4×4/);
  });
  it('a rectangle of pixel squares covers exactly those pixels, also at half scale', () => {
    const sq = rasterisePolygon(rectCorners(pixelSquares(15, 10, 32, 12)), 96, 96);
    expect([sq.x0, sq.y0, sq.x1, sq.y1]).toEqual([15, 10, 46, 21]);
    expect(sq.mask.reduce((a, v) => a + v, 0)).toBe(32 * 12);
    const half = rasterisePolygon(toCropFrame(rectCorners(pixelSquares(15, 10, 32, 12)), 0, 0, 0.5), 48, 48);
    expect([half.x0, half.y0, half.x1, half.y1]).toEqual([7, 5, 22, 10]);
    expect(half.mask.reduce((a, v) => a + v, 0)).toBe(16 * 6);
  });
});
