import { describe, expect, it } from 'vitest';
import { applySimilarity } from '@interpret-fr/core';
import { alignIjba, ijbaTransform, templateEyesNose, warpSimilarity } from './align.ts';

describe('alignment for evaluation', () => {
  it('maps the metadata eyes and nose onto the template points (exact for a similar triangle)', () => {
    const tpl = templateEyesNose(96);
    // A face scaled ×2, rotated 30°, shifted: a perfect similarity of the template points.
    const ang = Math.PI / 6,
      s = 2,
      c = Math.cos(ang) * s,
      si = Math.sin(ang) * s;
    const lm = new Float32Array(6);
    for (let i = 0; i < 3; i++) {
      const x = tpl[2 * i]!,
        y = tpl[2 * i + 1]!;
      lm[2 * i] = c * x - si * y + 40;
      lm[2 * i + 1] = si * x + c * y + 25;
    }
    const { t, used } = ijbaTransform([0, 0, 10, 10], lm, 96);
    expect(used).toBe('landmarks');
    for (let i = 0; i < 3; i++) {
      const [u, v] = applySimilarity(t, lm[2 * i]!, lm[2 * i + 1]!);
      expect(u).toBeCloseTo(tpl[2 * i]!, 3);
      expect(v).toBeCloseTo(tpl[2 * i + 1]!, 3);
    }
    // Eyes of the template are level and the right eye (image left) is left of the left eye.
    expect(tpl[1]).toBeCloseTo(tpl[3]!, 5);
    expect(tpl[0]).toBeLessThan(tpl[2]!);
  });
  it('the warp samples the source through the inverse transform (bilinear, black outside)', () => {
    const W = 20,
      H = 10;
    const data = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = x * 10;
    const out = warpSimilarity({ data, width: W, height: H, channels: 1 }, { a: 2, b: 0, tx: 0, ty: 0 }, 8);
    // out(u, v) = src(u/2, v/2): horizontal ramp of 5 per output pixel.
    expect(Array.from(out.data.subarray(0, 8))).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    const shifted = warpSimilarity({ data, width: W, height: H, channels: 1 }, { a: 1, b: 0, tx: 3, ty: 0 }, 4);
    expect(Array.from(shifted.data.subarray(0, 4))).toEqual([0, 0, 0, 0]);
  });
  it('falls back to the face box when landmarks are missing', () => {
    const { t, used } = ijbaTransform([10, 20, 50, 60], [NaN, 1, 2, 3, 4, 5], 96);
    expect(used).toBe('bbox');
    const [u, v] = applySimilarity(t, 35, 50);
    expect(u).toBeCloseTo(48, 6);
    expect(v).toBeCloseTo(48, 6);
    const px = alignIjba({ data: new Uint8Array(100 * 100 * 3).fill(200), width: 100, height: 100, channels: 3 }, [10, 20, 50, 60], [NaN, 0, 0, 0, 0, 0], 48);
    expect(px.width).toBe(48);
    expect(px.data[(24 * 48 + 24) * 3]).toBe(200);
  });
});
