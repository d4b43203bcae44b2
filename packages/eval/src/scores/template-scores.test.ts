import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { buildTemplates } from './templates.ts';
import {
  prepareTemplates,
  scoreTemplateMatrix,
  scoreTemplatePairs,
  scoreTemplatePairsAsync,
  scoreTemplatePairsExact,
  setScore,
  setScoreT,
  TEMPLATE_SCORES,
  type TemplateScore,
} from './template-scores.ts';
import { wasmGemm, type AsyncGemm } from './gemm.ts';
import { indexedGemm64 } from './simd.ts';

// Direct loop references, written as the MATLAB does it: distances, row/column minima.
function unit(v: number[]) {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
function cos(a: number[], b: number[]) {
  const x = unit(a),
    y = unit(b);
  return x.reduce((s, v, k) => s + v * y[k]!, 0);
}
function refScore(A: number[][], B: number[][], ma: number[], mb: number[], method: TemplateScore): number {
  if (method === 'set-min-mean' || method === 'set-min-mean-matlab') {
    const D = A.map((a) => B.map((b) => 1 - cos(a, b)));
    if (method === 'set-min-mean-matlab' && (A.length === 1 || B.length === 1)) return 1 - Math.min(...D.flat());
    const rowMin = D.map((r) => Math.min(...r));
    const colMin = B.map((_, j) => Math.min(...D.map((r) => r[j]!)));
    const all = [...colMin, ...rowMin];
    return 1 - all.reduce((s, v) => s + v, 0) / all.length;
  }
  const pool = (X: number[][], m: number[]) => {
    const U = X.map(unit);
    if (method === 'mean-feature') return U[0]!.map((_, k) => U.reduce((s, u) => s + u[k]!, 0) / U.length);
    const ids = [...new Set(m)];
    return U[0]!.map((_, k) =>
      ids.reduce((s, id) => {
        const sel = U.filter((_, i) => m[i] === id);
        return s + sel.reduce((t, u) => t + u[k]!, 0) / sel.length;
      }, 0),
    );
  };
  return cos(pool(A, ma), pool(B, mb));
}

function setup(seed: number) {
  const rng = new Rng(seed);
  const dim = 7,
    nImg = 60;
  const feats = new Float32Array(nImg * dim).map(() => rng.normal());
  // 12 templates; sizes 1..6 (several one-image templates), one template whose images have no feature.
  const tid: number[] = [],
    row: number[] = [],
    media: number[] = [];
  let r = 0;
  for (let t = 0; t < 12; t++) {
    const size = t < 3 ? 1 : 1 + rng.int(6);
    for (let k = 0; k < size && r < nImg; k++) {
      tid.push(100 + t);
      row.push(t === 11 ? -1 : r);
      media.push(t * 10 + rng.int(2));
      r++;
    }
  }
  return { feats, dim, nImg, tid, row, media };
}

describe('template scores', () => {
  for (const method of TEMPLATE_SCORES) {
    it(`${method} matches a direct loop, incl. one-image templates`, () => {
      const { feats, dim, nImg, tid, row, media } = setup(5);
      const T = buildTemplates(tid, row, media);
      const prep = prepareTemplates({ data: feats, n: nImg, dim }, T, method);
      const nT = T.ids.length;
      const pa: number[] = [],
        pb: number[] = [];
      for (let i = 0; i < nT; i++)
        for (let j = 0; j < nT; j++) {
          pa.push(i);
          pb.push(j);
        }
      const s = scoreTemplatePairs(prep, prep, Int32Array.from(pa), Int32Array.from(pb));
      const M = scoreTemplateMatrix(prep, prep);
      const imgs = (t: number) => Array.from(T.rows.subarray(T.offsets[t]!, T.offsets[t + 1]!), (r) => Array.from(feats.subarray(r * dim, (r + 1) * dim)));
      const meds = (t: number) => Array.from(T.media.subarray(T.offsets[t]!, T.offsets[t + 1]!));
      let checked = 0;
      pa.forEach((i, p) => {
        const j = pb[p]!;
        if (T.ids[i] === 111 || T.ids[j] === 111) {
          expect(s[p]).toBeNaN();
          expect(M[i * nT + j]).toBeNaN();
          return;
        }
        const want = refScore(imgs(i), imgs(j), meds(i), meds(j), method);
        expect(s[p]).toBeCloseTo(want, 5);
        expect(M[i * nT + j]).toBeCloseTo(want, 5);
        checked++;
      });
      expect(checked).toBe(121);
    });
  }
  it('the MATLAB quirk differs from the correct score for one-image vs multi-image templates', () => {
    const { feats, dim, nImg, tid, row, media } = setup(9);
    const T = buildTemplates(tid, row, media);
    const a = prepareTemplates({ data: feats, n: nImg, dim }, T, 'set-min-mean');
    const b = prepareTemplates({ data: feats, n: nImg, dim }, T, 'set-min-mean-matlab');
    const big = [...T.ids.keys()].find((t) => T.offsets[t + 1]! - T.offsets[t]! >= 3)!;
    const pa = Int32Array.of(0, 3),
      pb = Int32Array.of(big, big === 3 ? 4 : 3);
    const sa = scoreTemplatePairs(a, a, pa, pb),
      sb = scoreTemplatePairs(b, b, pa, pb);
    expect(sb[0]).toBeGreaterThan(sa[0]! + 1e-4); // global max ≥ mean of maxima, strictly here
  });
});

describe("setScoreT (a pair's cosine block stored transposed)", () => {
  it("gives setScore's float64 value to the bit: the same maxima, summed in the same order (first template, then second)", () => {
    const rng = new Rng(9);
    let orderSensitive = 0;
    for (let trial = 0; trial < 400; trial++) {
      const n1 = 1 + rng.int(7);
      const n2 = 1 + rng.int(7);
      const ld = n2 + rng.int(3);
      const ldT = n1 + rng.int(3);
      // Values of widely different magnitudes, so that the float64 sums depend on their order.
      const R = new Float64Array(n1 * ld).map(() => (rng.float() * 2 - 1) * 2 ** -rng.int(40));
      const RT = new Float64Array(n2 * ldT);
      if (trial % 50 === 7) R[rng.int(n1) * ld + rng.int(n2)] = Number.NaN; // NaN propagates the same way
      for (let a = 0; a < n1; a++) for (let b = 0; b < n2; b++) RT[b * ldT + a] = R[a * ld + b]!;
      for (const quirk of [false, true]) {
        const want = setScore(R, 0, n1, n2, ld, quirk);
        expect(Object.is(setScoreT(RT, 0, n1, n2, ldT, quirk), want), `trial ${trial}, ${n1} × ${n2}, quirk ${quirk}`).toBe(true);
        // Summed second template first, the value would differ in some trials (what this test guards against).
        if (!quirk && !Number.isNaN(want) && setScore(RT, 0, n2, n1, ldT, false) !== want) orderSensitive++;
      }
    }
    expect(orderSensitive).toBeGreaterThan(20);
  });
});

describe('scoreTemplatePairsAsync: the indexed float64 kernel only when it holds the features or the batch pays for copying them', () => {
  it('a few pairs on features it does not hold: copied rows instead (the same bits); a large batch: the matrix copied in', async () => {
    const rng = new Rng(9);
    const d = 8;
    const nF = 600;
    const feats = new Float32Array(nF * d).map(() => rng.float() * 2 - 1);
    const tid = Int32Array.from({ length: nF }, (_, r) => Math.floor(r / 3));
    const T = buildTemplates(
      tid,
      Int32Array.from({ length: nF }, (_, r) => r),
      tid,
    );
    const P = prepareTemplates({ data: feats, n: nF, dim: d }, T, 'set-min-mean');
    const unitRows = P.unit!;
    const ix = indexedGemm64(d)!;
    expect(ix.holds(unitRows)).toBe(false);
    const pairs = (n: number) => {
      const pa = Int32Array.from({ length: n }, () => rng.int(200));
      return { pa, pb: Int32Array.from({ length: n }, () => rng.int(200)) };
    };
    // 5 pairs × 9 cosines × 8 < 8 × 4800 values: not copied in.
    const few = pairs(5);
    const nativeOnly = { ...wasmGemm, minWork64: Number.POSITIVE_INFINITY, abt64: async () => new Float64Array(0) } as AsyncGemm;
    expect(await scoreTemplatePairsAsync(P, P, few.pa, few.pb, nativeOnly)).toEqual(scoreTemplatePairsExact(P, P, few.pa, few.pb));
    expect(ix.holds(unitRows)).toBe(false);
    // 4000 pairs × 9 × 8 ≥ 8 × 4800: copied in once, then used.
    const many = pairs(4000);
    expect(await scoreTemplatePairsAsync(P, P, many.pa, many.pb, nativeOnly)).toEqual(scoreTemplatePairsExact(P, P, many.pa, many.pb));
    expect(ix.holds(unitRows)).toBe(true);
  });
});
