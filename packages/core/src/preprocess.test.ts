import { describe, expect, it } from 'vitest';
import type { Pixels } from './buffers.ts';
import { imageRow } from './buffers.ts';
import { centerCrop, centerCropSquare, cropPixels, PIXEL_TO_FLOAT, preprocess, preprocessBatch, PreprocessError, resizeBilinearPixels } from './preprocess.ts';
import { Rng } from './rng.ts';

const px = (width: number, height: number, channels: 1 | 3 | 4, values: number[]): Pixels => ({ data: Uint8Array.from(values), width, height, channels });
const f32 = (values: number[]): number[] => values.map((v) => Math.fround(v));

// Hand-computed x / 127.5 − 1:
//   0 → −1, 255 → 1, 128 → 0.5/127.5 = 1/255, 51 → 0.4 − 1 = −0.6, 10 → −117.5/127.5, 20 → −107.5/127.5,
//   30 → −97.5/127.5, 200 → 72.5/127.5, 100 → −27.5/127.5, 153 → 0.2, 204 → 0.6, 102 → −0.2
const V = {
  0: -1,
  255: 1,
  128: 0.00392156862745098,
  51: -0.6,
  10: -0.9215686274509803,
  20: -0.8431372549019608,
  30: -0.7647058823529411,
  200: 0.5686274509803921,
  100: -0.21568627450980393,
  153: 0.2,
  204: 0.6,
  102: -0.2,
} as const;

describe('preprocess against hand-computed values', () => {
  // A 3×2 image (W = 3, H = 2) so any H/W mix-up shows.
  const gray = px(3, 2, 1, [0, 255, 128, 51, 153, 204]);
  const rgb = px(3, 2, 3, [10, 20, 30, 200, 100, 0, 255, 128, 51, 0, 0, 0, 153, 204, 102, 255, 255, 255]);
  const rgba = px(3, 2, 4, [10, 20, 30, 0, 200, 100, 0, 7, 255, 128, 51, 255, 0, 0, 0, 128, 153, 204, 102, 1, 255, 255, 255, 99]);
  const rgbHWC = [V[10], V[20], V[30], V[200], V[100], V[0], V[255], V[128], V[51], V[0], V[0], V[0], V[153], V[204], V[102], V[255], V[255], V[255]];
  const rgbCHW = [V[10], V[200], V[255], V[0], V[153], V[255], V[20], V[100], V[128], V[0], V[204], V[255], V[30], V[0], V[51], V[0], V[102], V[255]];

  it('gray → 3 identical channels, NHWC and NCHW', () => {
    const g = [V[0], V[255], V[128], V[51], V[153], V[204]];
    const nhwc = preprocess(gray, new Float32Array(18), { layout: 'NHWC' });
    expect([...nhwc]).toEqual(f32(g.flatMap((v) => [v, v, v])));
    const nchw = preprocess(gray, new Float32Array(18), { layout: 'NCHW' });
    expect([...nchw]).toEqual(f32([...g, ...g, ...g]));
  });

  it('RGB, NHWC and NCHW', () => {
    expect([...preprocess(rgb, new Float32Array(18), { layout: 'NHWC' })]).toEqual(f32(rgbHWC));
    expect([...preprocess(rgb, new Float32Array(18), { layout: 'NCHW' })]).toEqual(f32(rgbCHW));
  });

  it('RGBA drops alpha, NHWC and NCHW', () => {
    expect([...preprocess(rgba, new Float32Array(18), { layout: 'NHWC' })]).toEqual(f32(rgbHWC));
    expect([...preprocess(rgba, new Float32Array(18), { layout: 'NCHW' })]).toEqual(f32(rgbCHW));
  });

  it('writes at an element offset and touches nothing else', () => {
    const out = new Float32Array(25).fill(NaN);
    preprocess(rgb, out, { layout: 'NCHW', offset: 4 });
    expect([...out.subarray(4, 22)]).toEqual(f32(rgbCHW));
    expect([...out.subarray(0, 4), ...out.subarray(22)].every(Number.isNaN)).toBe(true);
  });

  it('the lookup table is x/127.5 − 1 rounded once to float32, exactly ±1 at the ends', () => {
    expect(PIXEL_TO_FLOAT[0]).toBe(-1);
    expect(PIXEL_TO_FLOAT[255]).toBe(1);
    expect(PIXEL_TO_FLOAT[51]).toBe(Math.fround(-0.6));
    for (let i = 1; i < 256; i++) expect(PIXEL_TO_FLOAT[i]!).toBeGreaterThan(PIXEL_TO_FLOAT[i - 1]!);
  });
});

/** Naive reference: index arithmetic written out per element. */
function reference(p: Pixels, layout: 'NHWC' | 'NCHW', x0: number, y0: number, s: number): Float32Array {
  const out = new Float32Array(3 * s * s);
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++)
      for (let c = 0; c < 3; c++) {
        const v = p.data[((y + y0) * p.width + (x + x0)) * p.channels + (p.channels === 1 ? 0 : c)]! / 127.5 - 1;
        out[layout === 'NHWC' ? (y * s + x) * 3 + c : c * s * s + y * s + x] = v;
      }
  return out;
}

/** Index of the first differing element (or of a length difference), −1 when equal. */
function firstDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function randomPixels(w: number, h: number, ch: 1 | 3 | 4, seed: number): Pixels {
  const rng = new Rng(seed);
  const data = new Uint8Array(w * h * ch);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  return { data, width: w, height: h, channels: ch };
}

describe('preprocess windows and batches', () => {
  it.each([1, 3, 4] as const)('a size×size window at (x, y) of a %i-channel 110×110 face matches the naive reference', (ch) => {
    const p = randomPixels(110, 110, ch, ch);
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const got = preprocess(p, new Float32Array(3 * 96 * 96), { layout, size: 96, x: 14, y: 3 });
      expect(firstDiff(got, reference(p, layout, 14, 3, 96)), layout).toBe(-1);
      const viaCrop = preprocess(cropPixels(p, 14, 3, 96, 96), new Float32Array(3 * 96 * 96), { layout, size: 96 });
      expect(firstDiff(viaCrop, got), layout).toBe(-1);
    }
  });

  it('preprocessBatch fills image rows like single calls', () => {
    const imgs = [randomPixels(5, 4, 1, 1), randomPixels(5, 4, 3, 2), randomPixels(5, 4, 4, 3)];
    const b = preprocessBatch(imgs, 'NCHW');
    expect([b.n, b.height, b.width, b.channels, b.layout, b.data.length]).toEqual([3, 4, 5, 3, 'NCHW', 180]);
    imgs.forEach((p, i) => expect(imageRow(b, i)).toEqual(preprocess(p, new Float32Array(60), { layout: 'NCHW' })));
    expect(() => preprocessBatch([imgs[0]!, randomPixels(4, 5, 3, 4)], 'NHWC')).toThrow(/image 1 is 4×5, expected 5×4 like image 0/);
    expect(() => preprocessBatch(imgs, 'NHWC', { size: 4 })).toThrow(/image 0 is 5×4, expected 4×4 like size/);
  });

  it('refuses bad input with a clear message', () => {
    const p = randomPixels(4, 4, 3, 9);
    const out = new Float32Array(48);
    expect(() => preprocess({ ...p, data: p.data.subarray(1) }, out, { layout: 'NHWC' })).toThrow(/pixels: 4×4×3 needs 48 bytes, data has 47/);
    expect(() => preprocess({ ...p, channels: 2 as never }, out, { layout: 'NHWC' })).toThrow(/channels must be 1 \(gray\), 3 \(RGB\) or 4 \(RGBA\), got 2/);
    expect(() => preprocess(p, new Float32Array(47), { layout: 'NHWC' })).toThrow(/out has 47 floats, the image needs 48 from offset 0/);
    expect(() => preprocess(p, out, { layout: 'NHWC', offset: 1 })).toThrow(/from offset 1 \(up to 49\)/);
    expect(() => preprocess(p, out, { layout: 'HWC' as never })).toThrow(/layout must be "NHWC" or "NCHW"/);
    expect(() => preprocess(p, out, { layout: 'NHWC', size: 3 })).toThrow(/image is 4×4 but the model takes 3×3; pass fit: 'center-square', a crop window/);
    expect(() => preprocess(p, out, { layout: 'NHWC', size: 3, x: 2, y: 0 })).toThrow(/a 3×3 window at x=2, y=0 does not fit in the 4×4 image/);
    expect(() => preprocess(p, out, { layout: 'NHWC', x: 1 })).toThrow(/x, y and crop need size/);
    expect(() => preprocess(p, out, { layout: 'NHWC', offset: -1 })).toThrow(PreprocessError);
  });
});

describe('preprocess: crop windows, resampling, fit and normalisation (the one pixels → model-input function)', () => {
  // A 6×6 gray ramp, value 10·row + col.
  const ramp = px(
    6,
    6,
    1,
    Array.from({ length: 36 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6)),
  );
  it('a window (crop, x, y) of the size: the bytes of that window', () => {
    const out = preprocess(ramp, new Float32Array(12), { layout: 'NCHW', size: 2, x: 3, y: 1 });
    expect([...out.subarray(0, 4)]).toEqual(f32([13, 14, 23, 24].map((v) => v / 127.5 - 1)));
    // crop without x/y: centred, offsets rounded down ((6 − 3) >> 1 = 1)
    const c = preprocess(ramp, new Float32Array(27), { layout: 'NCHW', size: 3, crop: 3 });
    expect([...c.subarray(0, 3)]).toEqual(f32([11, 12, 13].map((v) => v / 127.5 - 1)));
  });
  it('a window twice the size: the 2×2 block means, as the trainer computes them (sum/(4·127.5) − 1)', () => {
    const out = preprocess(ramp, new Float32Array(12), { layout: 'NHWC', size: 2, crop: 4, x: 1, y: 0 });
    // block (0,0): rows 0–1, cols 1–2 → (1 + 2 + 11 + 12)/4 = 6.5; (0,1): cols 3–4 → 8.5; (1,0): rows 2–3 → 26.5; 28.5
    const want = [26, 34, 106, 114].map((sum) => sum * (1 / (4 * 127.5)) - 1);
    expect([out[0], out[3], out[6], out[9]]).toEqual(f32(want));
    expect([out[1], out[2]]).toEqual([out[0], out[0]]);
  });
  it('a non-multiple ratio: bilinear with half-pixel centres, no 8-bit rounding', () => {
    // 6 → 4: src = (dst + 0.5)·1.5 − 0.5 = 0.25, 1.75, 3.25, 4.75 along each axis.
    const out = preprocess(ramp, new Float32Array(48), { layout: 'NCHW', size: 4, fit: 'center-square' });
    const lin = (r: number, c: number): number => 10 * r + c; // the ramp is linear: bilinear reproduces it exactly
    const at = [0.25, 1.75, 3.25, 4.75];
    expect([...out.subarray(0, 4)]).toEqual(f32(at.map((c) => lin(0.25, c) / 127.5 - 1)));
    expect(out[15]).toBe(Math.fround(lin(4.75, 4.75) / 127.5 - 1));
  });
  it("fit: 'center-square' takes the largest centred square of any photo; 'exact' (default) refuses", () => {
    const wide = px(4, 2, 1, [0, 50, 100, 150, 200, 250, 30, 60]);
    const out = preprocess(wide, new Float32Array(12), { layout: 'NCHW', size: 2, fit: 'center-square' });
    expect([...out.subarray(0, 4)]).toEqual(f32([50, 100, 250, 30].map((v) => v / 127.5 - 1)));
    expect(() => preprocess(wide, new Float32Array(12), { layout: 'NCHW', size: 2 })).toThrow(/image is 4×2 but the model takes 2×2; pass fit: 'center-square'/);
  });
  it('a per-channel normalisation in BGR order: (x − mean[c])·scale[c] of the swapped channels', () => {
    const rgb = px(1, 1, 3, [10, 20, 30]);
    const out = preprocess(rgb, new Float32Array(3), { layout: 'NCHW', size: 1, normalization: { mean: [1, 2, 3], scale: [0.5, 0.25, 2], channelOrder: 'BGR' } });
    expect([...out]).toEqual([(30 - 1) * 0.5, (20 - 2) * 0.25, (10 - 3) * 2]);
    const big = px(2, 2, 3, [10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30]);
    expect([...preprocess(big, new Float32Array(3), { layout: 'NCHW', size: 1, fit: 'center-square', normalization: { mean: 0, scale: 1, channelOrder: 'RGB' } })]).toEqual([
      10, 20, 30,
    ]);
  });
  it('refuses windows that do not fit and window options without size', () => {
    expect(() => preprocess(ramp, new Float32Array(48), { layout: 'NCHW', size: 4, crop: 4, x: 3 })).toThrow(/a 4×4 window at x=3, y=1 does not fit in the 6×6 image/);
    expect(() => preprocess(ramp, new Float32Array(108), { layout: 'NCHW', crop: 4 })).toThrow(/x, y and crop need size/);
    expect(() => preprocess(px(1, 1, 1, [0]), new Float32Array(3), { layout: 'NCHW', size: 1, normalization: { mean: [1, 2], scale: 1, channelOrder: 'RGB' } })).toThrow(
      /normalization\.mean must be a number or 3 finite numbers/,
    );
  });
  it('centerCrop: the centred window, offsets rounded down, whole extent along a smaller side', () => {
    expect(centerCrop(ramp, 3)).toEqual(cropPixels(ramp, 1, 1, 3, 3));
    expect(centerCrop(px(4, 2, 1, [0, 1, 2, 3, 4, 5, 6, 7]), 3)).toEqual(px(3, 2, 1, [0, 1, 2, 4, 5, 6]));
  });
});

describe('crop and resize helpers', () => {
  it('centerCropSquare takes the centred square, offsets rounded down', () => {
    const p = px(5, 3, 1, [0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24]);
    expect(centerCropSquare(p)).toEqual(px(3, 3, 1, [1, 2, 3, 11, 12, 13, 21, 22, 23]));
    const tall = px(2, 5, 1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(centerCropSquare(tall)).toEqual(px(2, 2, 1, [2, 3, 4, 5]));
    expect(() => cropPixels(p, 3, 0, 3, 3)).toThrow(/does not fit in the 5×3 image/);
  });

  it('bilinear 2×2 → 4×4 (half_pixel) matches the hand computation', () => {
    // Columns sample source x = 0, 0.25, 0.75, 1 (clamped); rows the same.
    const p = px(2, 2, 1, [0, 100, 200, 250]);
    const r = resizeBilinearPixels(p, 4, 4);
    expect([...r.data]).toEqual([0, 25, 75, 100, 50, 72, 116, 138, 150, 166, 197, 213, 200, 213, 238, 250]);
  });

  it('asymmetric and align_corners conventions', () => {
    const p = px(2, 1, 3, [0, 10, 100, 200, 30, 0]);
    // asymmetric: source x = 0, 0.5, 1, 1.5 → clamped 1
    expect([...resizeBilinearPixels(p, 4, 1, { coordinate: 'asymmetric' }).data]).toEqual([0, 10, 100, 100, 20, 50, 200, 30, 0, 200, 30, 0]);
    // align_corners: source x = 0, 0.5, 1
    expect([...resizeBilinearPixels(p, 3, 1, { coordinate: 'align_corners' }).data]).toEqual([0, 10, 100, 100, 20, 50, 200, 30, 0]);
  });

  it('halving with half_pixel is the 2×2 box average; same size is the identity', () => {
    const p = randomPixels(8, 6, 4, 5);
    const r = resizeBilinearPixels(p, 4, 3);
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 4; x++)
        for (let c = 0; c < 4; c++) {
          const at = (yy: number, xx: number): number => p.data[(yy * 8 + xx) * 4 + c]!;
          const mean = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
          expect(Math.abs(r.data[(y * 4 + x) * 4 + c]! - mean)).toBeLessThanOrEqual(0.5);
        }
    expect(resizeBilinearPixels(p, 8, 6).data).toEqual(p.data);
    expect(() => resizeBilinearPixels(p, 0, 3)).toThrow(/positive integers, got 0×3/);
  });
});
