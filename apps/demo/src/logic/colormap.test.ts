import { describe, expect, it } from 'vitest';
import { DIVERGING, SEQUENTIAL, colorAt, overlayRgba, sharedScale } from './colormap.ts';

describe('colour maps', () => {
  it('hit the stops exactly and interpolate linearly between them', () => {
    expect(colorAt(SEQUENTIAL, 0)).toEqual([0, 0, 4]);
    expect(colorAt(SEQUENTIAL, 0.5)).toEqual([188, 55, 84]);
    expect(colorAt(SEQUENTIAL, 1)).toEqual([252, 255, 164]);
    // Halfway between stops 0.25 (87,16,110) and 0.5 (188,55,84): (137.5, 35.5, 97) rounded.
    expect(colorAt(SEQUENTIAL, 0.375)).toEqual([138, 36, 97]);
    // A tenth of the way from 0.75 (249,142,9) to 1 (252,255,164): 249.3, 153.3, 24.5.
    expect(colorAt(SEQUENTIAL, 0.775)).toEqual([249, 153, 25]);
    expect(colorAt(DIVERGING, -1)).toEqual([59, 76, 192]);
    expect(colorAt(DIVERGING, 0)).toEqual([221, 221, 221]);
    expect(colorAt(DIVERGING, 0.5)).toEqual([201, 113, 130]); // (221+180)/2=200.5, (221+4)/2=112.5, (221+38)/2=129.5
    expect(colorAt(DIVERGING, -0.25)).toEqual([181, 185, 214]); // 3/4 of the way from (59,76,192) to (221,221,221): 180.5, 184.75, 213.75
  });

  it('clamps outside the range and sends NaN to the first stop', () => {
    expect(colorAt(SEQUENTIAL, -3)).toEqual([0, 0, 4]);
    expect(colorAt(SEQUENTIAL, 7)).toEqual([252, 255, 164]);
    expect(colorAt(DIVERGING, Number.NaN)).toEqual([59, 76, 192]);
  });
});

describe('overlayRgba', () => {
  it('colours a response map: negative and zero cells transparent, the scale value opaque at maxAlpha', () => {
    const map = Float32Array.from([-1, 0, 1, 2, 4, 8]);
    const rgba = overlayRgba(map, 2, 3, { kind: 'response', scale: 4, maxAlpha: 0.5 });
    expect(Array.from(rgba.subarray(0, 4))).toEqual([0, 0, 4, 0]);
    expect(Array.from(rgba.subarray(4, 8))).toEqual([0, 0, 4, 0]);
    expect(Array.from(rgba.subarray(8, 12))).toEqual([87, 16, 110, 64]); // t = 0.25, alpha round(√0.25·0.5·255) = round(63.75)
    expect(Array.from(rgba.subarray(12, 16))).toEqual([188, 55, 84, 90]); // t = 0.5 → √0.5·127.5 = 90.16
    expect(Array.from(rgba.subarray(16, 20))).toEqual([252, 255, 164, 128]); // t = 1 → 127.5
    expect(Array.from(rgba.subarray(20, 24))).toEqual([252, 255, 164, 128]); // clamped
  });

  it('colours a signed map with the diverging map, alpha from |t|', () => {
    const rgba = overlayRgba(Float32Array.from([-2, 0, 1]), 1, 3, { kind: 'signed', scale: 2, maxAlpha: 1 });
    expect(Array.from(rgba)).toEqual([59, 76, 192, 255, 221, 221, 221, 0, 201, 113, 130, 180]); // √0.5·255 = 180.3
  });

  it('refuses a short map or a non-positive scale', () => {
    expect(() => overlayRgba(new Float32Array(3), 2, 2, { kind: 'response', scale: 1, maxAlpha: 1 })).toThrow(/expected 2×2 = 4/);
    expect(() => overlayRgba(new Float32Array(4), 2, 2, { kind: 'response', scale: 0, maxAlpha: 1 })).toThrow(/scale must be > 0/);
  });

  it('sharedScale takes the largest (positive or absolute) value over maps, 1 when silent', () => {
    expect(sharedScale([Float32Array.from([1, -5]), Float32Array.from([3])], true)).toBe(3);
    expect(sharedScale([Float32Array.from([1, -5]), Float32Array.from([3])], false)).toBe(5);
    expect(sharedScale([Float32Array.from([0, -2])], true)).toBe(1);
  });
});
