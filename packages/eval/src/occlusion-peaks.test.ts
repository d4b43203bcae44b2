import { describe, expect, it } from 'vitest';
import { TEMPLATE_110, type Embedder, type Pixels } from '@interpret-fr/core';
import { occlude, occlusionStudy, OCCLUSION_REGIONS, REGION_NAMES, windowQuad } from './occlusion.ts';
import { PeakStats, spreadness } from './peak-stats.ts';

const white = (s: number, c: 1 | 3 = 1): Pixels => ({ data: new Uint8Array(s * s * c).fill(255), width: s, height: s, channels: c });
const black = (p: Pixels) => {
  let n = 0;
  for (let i = 0; i < p.data.length; i += p.channels) if (p.data[i] === 0) n++;
  return n;
};
const tpl96 = Float32Array.from({ length: 136 }, (_, i) => TEMPLATE_110[i]! - 7);

describe('occlusion windows', () => {
  it('covers exactly 32×12 pixels in the 96 frame, 16×6 at 48, at the original positions', () => {
    for (const r of REGION_NAMES) {
      expect(black(occlude(white(96), r))).toBe(384);
      expect(black(occlude(white(48, 3), r))).toBe(96);
      const [c, y] = OCCLUSION_REGIONS[r];
      const o = occlude(white(96), r);
      expect(o.data[y * 96 + c]).toBe(0);
      expect(o.data[(y + 12) * 96 + c]).toBe(255);
      expect(o.data[y * 96 + c + 32]).toBe(255);
    }
  });
  it('moves with the landmarks (template landmarks = identity; translated face = translated window)', () => {
    expect(Array.from(windowQuad('nose', 96, tpl96)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([29.5, 54.5, 29.5, 66.5, 61.5, 66.5, 61.5, 54.5]); // the pixel squares' outline, core rectCorners order
    const moved = tpl96.map((v, i) => v + (i % 2 ? 3 : 5));
    const q = windowQuad('nose', 96, moved);
    [34.5, 57.5, 34.5, 69.5, 66.5, 69.5, 66.5, 57.5].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 4));
    expect(black(occlude(white(96), 'nose', moved))).toBe(384);
  });
  it('the per-filter |Δf| peaks at the filter that looks at the covered region', async () => {
    // Feature k = mean brightness in region k's window (+ a constant channel).
    const emb: Embedder = {
      dim: 7,
      inputSize: 96,
      async embed(px) {
        const data = new Float32Array(px.length * 7);
        px.forEach((p, i) => {
          REGION_NAMES.forEach((r, k) => {
            const [c, y] = OCCLUSION_REGIONS[r];
            let s = 0;
            for (let yy = y; yy < y + 12; yy++) for (let xx = c; xx < c + 32; xx++) s += p.data[yy * 96 + xx]!;
            data[i * 7 + k] = s / 384 / 255;
          });
          data[i * 7 + 6] = 1;
        });
        return { data, n: px.length, dim: 7 };
      },
    };
    const imgs = [white(96), white(96), white(96)];
    const res = await occlusionStudy(emb, imgs, { a: Int32Array.of(0, 1, 0), b: Int32Array.of(1, 2, 2), label: Uint8Array.of(1, 0, 1) });
    // Regions overlap (eyes/cheek rows 35–46 vs 55–66 do not; nose and cheek share rows 55–66 but not columns).
    res.regions.forEach((_r, k) => {
      const row = Array.from(res.meanAbsDelta.subarray(k * 7, k * 7 + 7));
      expect(row.indexOf(Math.max(...row))).toBe(k);
      // Clean features are (1,…,1)/√7; covered one drops to 0, renormalised by √6.
      expect(row[k]).toBeCloseTo(1 / Math.sqrt(7), 5);
      // Forehead and eye windows overlap no other window: every other filter changes by 1/√6 − 1/√7.
      if (k < 3) expect(row[6]).toBeCloseTo(1 / Math.sqrt(6) - 1 / Math.sqrt(7), 5);
    });
    expect(res.clean.auc).toBe(0.5); // identical images: all scores tie
  });
});

describe('peak statistics', () => {
  function maps(n: number, peaks: [number, number, number, number][] /* image, filter, cell, value */) {
    const data = new Float32Array(n * 3 * 24 * 24);
    for (const [i, c, q, v] of peaks) data[(i * 3 + c) * 576 + q] = v;
    return { data, n, channels: 3, height: 24, width: 24 };
  }
  it('weighted mean location, spread and d by hand (identity = no landmarks or template landmarks)', () => {
    // Filter 0: peaks at cell (r=2,c=3) weight 1 and (r=2,c=5) weight 3 → x = (14·1 + 22·3)/4 = 20, y = 10.
    // Filter 1: one negative peak at (10,10) weight 2. Filter 2: a positive peak at (20,1) weight 1.
    const m = maps(2, [
      [0, 0, 2 * 24 + 3, 1],
      [1, 0, 2 * 24 + 5, 3],
      [0, 1, 10 * 24 + 10, -2],
      [1, 2, 20 * 24 + 1, 1],
    ]);
    for (const lm of [undefined, [tpl96, tpl96]]) {
      const st = new PeakStats();
      st.add(m, 96, lm);
      const pos = st.result('positive');
      expect(pos.mean[0]).toBeCloseTo(20, 3);
      expect(pos.mean[1]).toBeCloseTo(10, 3);
      expect(pos.spread[0]).toBeCloseTo((1 * 6 + 3 * 2) / 4, 3);
      expect(pos.count[0]).toBe(2);
      expect(pos.mean[2]).toBeNaN(); // filter 1 has no positive peak
      expect(pos.mean[4]).toBeCloseTo(6, 3);
      expect(pos.mean[5]).toBeCloseTo(82, 3);
      expect(pos.d).toBeCloseTo(Math.hypot(20 - 13, 10 - 46), 3);
      const neg = st.result('negative');
      expect([neg.mean[2], neg.mean[3], neg.filters, neg.d]).toEqual([42, 42, 1, 0]);
    }
    const orig = new PeakStats('original');
    orig.add(m, 96);
    expect(orig.result('negative').mean[2]).toBe(44);
  });
  it('warps peaks through the landmarks into the template frame', () => {
    const moved = tpl96.map((v, i) => v + (i % 2 ? 3 : 5));
    const st = new PeakStats();
    // A peak at the template's nose tip cell, seen in an image whose face is shifted by (5, 3).
    st.add(maps(1, [[0, 0, 12 * 24 + 12, 1]]), 96, [moved]);
    const r = st.result('positive');
    expect(r.mean[0]).toBeCloseTo(50 - 5, 3);
    expect(r.mean[1]).toBeCloseTo(50 - 3, 3);
  });
  it('spreadness', () => {
    expect(spreadness([0, 0, 2, 0, NaN, NaN])).toEqual({ d: 1, filters: 2 });
  });
});
