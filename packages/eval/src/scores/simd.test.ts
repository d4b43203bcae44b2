import { describe, expect, it } from 'vitest';
import { l2NormalizeRows, Rng } from '@interpret-fr/core';
import {
  featureMemoryOf,
  indexedGemm64,
  indexedGemm64For,
  normalizeRowsChecked,
  reduceHeap,
  registerFeatureMemory,
  sharedFeatureBuffer,
  simdKernels,
  unitKnownFinite,
  unitRows,
} from './simd.ts';
import { dotBlock, dotBlock64 } from './cosine.ts';
import { buildTemplates } from './templates.ts';
import {
  prepareTemplates,
  scoreTemplateMatrix,
  scoreTemplatePairs,
  scoreTemplatePairsAsync,
  scoreTemplatePairsExact,
  setScore,
  setScoreT,
  tiledPairs,
  tileOrder,
} from './template-scores.ts';
import type { AsyncGemm } from './gemm.ts';

const rand = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

describe('wasm SIMD kernels', () => {
  const k = simdKernels();
  it('is available on Node 20 (WebAssembly SIMD)', () => expect(k).not.toBeNull());
  it('gemm equals a float64 reference, with and without a resident B, any output stride', () => {
    const rng = new Rng(1);
    for (const [nA, nB, d] of [
      [1, 1, 8],
      [7, 13, 16],
      [33, 65, 320],
      [5, 200, 512],
    ] as const) {
      const A = rand(rng, nA * d),
        B = rand(rng, nB * d);
      const ld = nB + 3;
      for (const keep of [false, true, true]) {
        const out = new Float32Array(nA * ld).fill(-7);
        k!.gemm(A, nA, B, nB, d, out, ld, keep);
        for (let i = 0; i < nA; i++) {
          for (let j = 0; j < nB; j++) {
            let s = 0;
            for (let q = 0; q < d; q++) s += A[i * d + q]! * B[j * d + q]!;
            expect(Math.abs(out[i * ld + j]! - s)).toBeLessThan(1e-4 * Math.sqrt(d));
          }
          expect(out[i * ld + nB]).toBe(-7);
        }
      }
    }
  });
  it('dotBlock on the SIMD path equals the JS path (offset rows)', () => {
    const rng = new Rng(2);
    const d = 64,
      A = rand(rng, 40 * d),
      B = rand(rng, 90 * d);
    const o1 = new Float32Array(30 * 80),
      o2 = new Float32Array(30 * 80);
    dotBlock(A, 5, 30, B, 7, 80, d, o1, 80);
    dotBlock(A, 5, 30, B, 7, 80, d, o2, 80, { js: true });
    for (let i = 0; i < o1.length; i++) expect(o1[i]).toBeCloseTo(o2[i]!, 4);
  });
  it('large pooled pair lists (tiled, SIMD) equal a direct loop; tileOrder is a permutation grouping tiles', () => {
    const rng = new Rng(3);
    const d = 32,
      nImg = 900;
    const feats = rand(rng, nImg * d);
    const tid = Array.from({ length: nImg }, (_, i) => Math.floor(i / 3));
    const T = buildTemplates(
      tid,
      Int32Array.from({ length: nImg }, (_, i) => (i === 4 || i === 5 || i === 3 ? -1 : i)),
      tid,
    );
    const prep = prepareTemplates({ data: feats, n: nImg, dim: d }, T, 'mean-feature');
    const n = 60_000;
    const pa = Int32Array.from({ length: n }, () => rng.int(300)),
      pb = Int32Array.from({ length: n }, () => rng.int(300));
    const s = scoreTemplatePairs(prep, prep, pa, pb);
    for (let p = 0; p < n; p += 7) {
      if (pa[p] === 1 || pb[p] === 1) {
        expect(s[p]).toBeNaN();
        continue;
      }
      let x = 0;
      for (let q = 0; q < d; q++) x += prep.data[pa[p]! * d + q]! * prep.data[pb[p]! * d + q]!;
      expect(s[p]).toBeCloseTo(x, 5);
    }
    // A tile of 50 is rounded down to 32 (a power of two).
    const o = tileOrder(pa, pb, 50);
    expect(o).toEqual(tileOrder(pa, pb, 32));
    expect(Array.from(o).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    // tiledPairs: the same order, and the pairs gathered in it by the sort itself.
    const t = tiledPairs(pa, pb, 50, true);
    expect(t.order).toEqual(o);
    for (let q = 0; q < n; q++)
      if (t.ia[q] !== pa[o[q]!] || t.ib[q] !== pb[o[q]!]) expect.fail(`tiledPairs: pair ${q} is (${t.ia[q]}, ${t.ib[q]}), expected (${pa[o[q]!]}, ${pb[o[q]!]})`);
    expect(tiledPairs(pa, pb, 50, false).ia.length).toBe(0);
    for (let q = 1; q < n; q++) {
      const t0 = Math.floor(pa[o[q - 1]!]! / 32) * 100 + Math.floor(pb[o[q - 1]!]! / 32),
        t1 = Math.floor(pa[o[q]!]! / 32) * 100 + Math.floor(pb[o[q]!]! / 32);
      expect(t1).toBeGreaterThanOrEqual(t0);
    }
  });
  it('set-min-mean score matrices agree between SIMD and JS-sized problems', () => {
    const rng = new Rng(4);
    const d = 320,
      nImg = 120;
    const feats = rand(rng, nImg * d);
    const tid = Array.from({ length: nImg }, (_, i) => Math.floor(i / 4));
    const T = buildTemplates(
      tid,
      Int32Array.from({ length: nImg }, (_, i) => i),
    );
    const prep = prepareTemplates({ data: feats, n: nImg, dim: d }, T, 'set-min-mean');
    const M = scoreTemplateMatrix(prep, prep);
    const nT = T.ids.length;
    const pa = Int32Array.from({ length: nT * nT }, (_, i) => Math.floor(i / nT)),
      pb = Int32Array.from({ length: nT * nT }, (_, i) => i % nT);
    const s = scoreTemplatePairs(prep, prep, pa, pb); // 4×4 blocks: below the SIMD threshold → JS
    for (let i = 0; i < s.length; i++) expect(M[i]).toBeCloseTo(s[i]!, 5);
  });
  it('gemm64 gives the canonical float64 dot products bit for bit (the JS in-order loop), any shape and stride', () => {
    const rng = new Rng(6);
    for (const [nA, nB, d] of [
      [1, 1, 1],
      [3, 5, 7],
      [2, 4, 320],
      [7, 13, 320],
      [33, 70, 320],
      [1, 9, 512],
    ] as const) {
      const A = rand(rng, nA * d);
      const B = rand(rng, nB * d);
      const ld = nB + 2;
      const got = new Float64Array(nA * ld).fill(-7);
      const want = new Float64Array(nA * ld).fill(-7);
      k!.gemm64(A, nA, B, nB, d, got, ld);
      for (let i = 0; i < nA; i++)
        for (let j = 0; j < nB; j++) {
          let s = 0;
          for (let q = 0; q < d; q++) s += A[i * d + q]! * B[j * d + q]!;
          want[i * ld + j] = s;
        }
      expect(Array.from(got)).toEqual(Array.from(want));
      const js = new Float64Array(nA * ld).fill(-7);
      dotBlock64(A, 0, nA, B, 0, nB, d, js, ld, { js: true });
      expect(Array.from(js)).toEqual(Array.from(want));
    }
  });
  it('indexedGemm64 gives the canonical float64 dot products of indexed rows bit for bit (odd counts, repeated rows, any d % 4 == 0)', () => {
    const rng = new Rng(16);
    for (const [nF, d, shapes] of [
      [
        9,
        4,
        [
          [1, 1],
          [3, 5],
          [4, 4],
          [5, 2],
          [7, 9],
        ],
      ],
      [
        40,
        320,
        [
          [1, 1],
          [1, 7],
          [2, 2],
          [3, 9],
          [6, 41],
          [13, 6],
          [9, 70],
        ],
      ],
      [
        30,
        512,
        [
          [4, 3],
          [5, 8],
        ],
      ],
    ] as const) {
      const F = rand(rng, nF * d);
      const ix = indexedGemm64(d)!;
      expect(ix).not.toBeNull();
      for (const [nA, nB] of shapes) {
        const ia = Int32Array.from({ length: nA }, () => Math.floor(rng.float() * nF));
        const ib = Int32Array.from({ length: nB }, (_, j) => (j === 1 ? ia[0]! : Math.floor(rng.float() * nF)));
        const r = ix.run(F, nA, nB, (a, b) => {
          a.set(ia);
          b.set(ib);
        });
        expect(r.ld).toBeGreaterThanOrEqual(nB);
        for (let i = 0; i < nA; i++)
          for (let j = 0; j < nB; j++) {
            let s = 0;
            for (let q = 0; q < d; q++) s += F[ia[i]! * d + q]! * F[ib[j]! * d + q]!;
            expect(r.out[i * r.ld + j], `${nA}×${nB}, d ${d}: (${i}, ${j})`).toBe(s);
          }
      }
      // A new features array replaces the resident copy.
      const G = rand(rng, nF * d);
      const r = ix.run(G, 1, 1, (a, b) => {
        a[0] = 2;
        b[0] = 3;
      });
      let s = 0;
      for (let q = 0; q < d; q++) s += G[2 * d + q]! * G[3 * d + q]!;
      expect(r.out[0]).toBe(s);
    }
    expect(indexedGemm64(6)).toBeNull();
    const F = rand(rng, 4 * 8);
    expect(() =>
      indexedGemm64(8)!.run(F, 1, 1, (a, b) => {
        a[0] = 0;
        b[0] = 4;
      }),
    ).toThrow(/row 4 is not a row of the features/);
  });
  it("indexedGemm64For reads features at the start of a shared WebAssembly.Memory in place: the copying kernel's bits, the features and zero row untouched, its scratch in regions it grew for itself", () => {
    const rng = new Rng(31);
    const d = 32;
    const nF = 300;
    const buf = sharedFeatureBuffer(nF * d * 4, d * 4);
    const memory = featureMemoryOf(buf)!;
    expect(memory, 'a shared feature memory can be made here').toBeDefined();
    expect(buf.byteLength % 65536).toBe(0);
    const F = new Float32Array(buf, 0, nF * d);
    F.set(rand(rng, nF * d));
    const before = Float32Array.from(new Float32Array(buf, 0, (nF + 1) * d)); // the features and the zero row after them
    expect(before.subarray(nF * d).every((x) => x === 0)).toBe(true);
    const ix = indexedGemm64For(F, d)!;
    const copying = indexedGemm64(d)!;
    expect(ix).not.toBe(copying);
    expect(ix.holds(F)).toBe(true);
    expect(ix.holds(Float32Array.from(F))).toBe(false);
    expect(indexedGemm64For(F, d)).toBe(ix); // one kernel per memory and d
    expect(indexedGemm64For(Float32Array.from(F), d)).toBe(copying); // not in a feature memory: the copying kernel
    // Another thread's region (grown here by hand) between this kernel's regions: it must stay as it was.
    let other: Uint8Array | null = null;
    for (const [nA, nB] of [
      [1, 1],
      [3, 7],
      [20, 41],
      [64, 250],
      [7, 9],
      [150, 299],
    ] as const) {
      const ia = Int32Array.from({ length: nA }, () => rng.int(nF));
      const ib = Int32Array.from({ length: nB }, () => rng.int(nF));
      const fill = (a: Int32Array, b: Int32Array): void => {
        a.set(ia);
        b.set(ib);
      };
      const want = copying.run(Float32Array.from(F), nA, nB, fill);
      const wantOut = Float64Array.from(want.out);
      const got = ix.run(F, nA, nB, fill);
      expect(got.ld).toBe(want.ld);
      expect(Array.from(got.out)).toEqual(Array.from(wantOut));
      const off = want.ld + 1 < nA * want.ld ? 1 : 0;
      if (nA > 1 && nB > 1) expect(Object.is(ix.setScore(off, nA - 1, nB - 1, true), copying.setScore(off, nA - 1, nB - 1, true))).toBe(true);
      if (!other) {
        const at = memory.grow(1) * 65536;
        other = new Uint8Array(memory.buffer, at, 65536);
        other.fill(0xa5);
      }
    }
    expect(other!.every((x) => x === 0xa5)).toBe(true);
    expect(Array.from(new Float32Array(memory.buffer, 0, (nF + 1) * d))).toEqual(Array.from(before));
    // A buffer as a worker receives it, registered with its memory, gets the same in-place kernel.
    const view = new Float32Array(memory.buffer as unknown as SharedArrayBuffer, 0, nF * d);
    registerFeatureMemory(memory.buffer as unknown as SharedArrayBuffer, memory);
    const again = indexedGemm64For(view, d)!;
    expect(again.holds(view)).toBe(true);
    expect(() => again.run(Float32Array.from(F), 1, 1, () => {})).toThrow(/only the features it was made for/);
  });

  it("indexedGemm64.setScore: the set-min-mean of a block of its output with setScore / setScoreT's float64 bits, rows or columns first", () => {
    const rng = new Rng(23);
    const d = 16;
    const F = unitRows(
      new Float32Array(200 * d).map(() => rng.normal()),
      200,
      d,
    );
    const ix = indexedGemm64(d)!;
    let orderSensitive = 0;
    for (let trial = 0; trial < 60; trial++) {
      const nA = 1 + rng.int(20);
      const nB = 1 + rng.int(40);
      const ia0 = Int32Array.from({ length: nA }, () => rng.int(200));
      const ib0 = Int32Array.from({ length: nB }, () => rng.int(200));
      const r = ix.run(F, nA, nB, (a, b) => {
        a.set(ia0);
        b.set(ib0);
      });
      const R = Float64Array.from(r.out); // a copy: setScore below must not read the kernel's scratch
      for (let k = 0; k < 10; k++) {
        const c0 = rng.int(nB);
        const nc = 1 + rng.int(nB - c0);
        const r0 = rng.int(nA);
        const nr = 1 + rng.int(nA - r0);
        const off = r0 * r.ld + c0;
        const rowsFirst = setScore(R, off, nr, nc, r.ld, false);
        const colsFirst = setScoreT(R, off, nc, nr, r.ld, false);
        expect(Object.is(ix.setScore(off, nr, nc, true), rowsFirst), `trial ${trial}: ${nr} × ${nc} rows first`).toBe(true);
        expect(Object.is(ix.setScore(off, nr, nc, false), colsFirst), `trial ${trial}: ${nr} × ${nc} columns first`).toBe(true);
        if (rowsFirst !== colsFirst) orderSensitive++;
      }
    }
    expect(orderSensitive).toBeGreaterThan(20); // the two orders do differ, so both are checked
    expect(() => ix.setScore(0, 100, 1, true)).toThrow(/outside the last output/);
  });

  it('verification on a native kernel that leaves every group to the indexed canonical kernel: scoreTemplatePairsExact bits', async () => {
    const rng = new Rng(17);
    const d = 64;
    const n = 300;
    const feats = { data: rand(rng, n * d), n, dim: d };
    // 60 templates of 1–9 rows (rows shared between templates), 400 pairs
    const ids: number[] = [];
    const rows: number[] = [];
    for (let t = 0; t < 60; t++)
      for (let m = 1 + Math.floor(rng.float() * 9); m > 0; m--) {
        ids.push(t);
        rows.push(Math.floor(rng.float() * n));
      }
    const T = buildTemplates(Int32Array.from(ids), Int32Array.from(rows));
    const P = prepareTemplates(feats, T, 'set-min-mean');
    const pa = Int32Array.from({ length: 400 }, () => Math.floor(rng.float() * 60));
    const pb = Int32Array.from({ length: 400 }, () => Math.floor(rng.float() * 60));
    const never = async (): Promise<never> => {
      throw new Error('not called');
    };
    const gemm: AsyncGemm = { name: 'never', maxOutput: 1 << 20, minWork: Infinity, minWork64: Infinity, abt: never, abt64: never };
    const got = await scoreTemplatePairsAsync(P, P, pa, pb, gemm);
    expect(Array.from(got)).toEqual(Array.from(scoreTemplatePairsExact(P, P, pa, pb)));
  });
  it('reduction heap: SIMD and JS maxima agree (segments of any length, empty ones too); a second live heap is a JS heap', () => {
    const rng = new Rng(7);
    for (const [nV, cuts] of [
      [1, [0, 1]],
      [9, [0, 0, 3, 9]],
      [70, [0, 4, 5, 30, 30, 70]],
      [16, [0, 2, 10, 13, 16]],
      [7, [0, 3, 3, 7]],
    ] as const) {
      const rows = 6;
      const S = Float32Array.from({ length: rows * nV }, () => (rng.float() < 0.1 ? 0 : rng.normal()));
      const res = [true, false].map((simd) => {
        const h = reduceHeap(rows * nV + 2 * nV + 2 * cuts.length + 8, { simd });
        expect(h.simd).toBe(simd);
        const oCs = rows * nV;
        const oBuf = oCs + cuts.length;
        const oCc = oBuf + nV;
        h.f32.set(S, 0);
        h.i32.set(cuts, oCs);
        h.f32.fill(Number.NEGATIVE_INFINITY, oBuf, oBuf + nV);
        const cc: number[] = [];
        for (let i = 0; i < rows; i++) {
          h.rowred(i * nV, oCs, cuts.length - 1, oBuf, oCc);
          cc.push(...h.f32.subarray(oCc, oCc + cuts.length - 1));
        }
        const dst = oCc + cuts.length;
        h.f32.fill(0.25, dst, dst + nV);
        h.vmax(dst, oBuf, nV);
        const r = [cc, Array.from(h.f32.subarray(oBuf, oBuf + nV)), Array.from(h.f32.subarray(dst, dst + nV))];
        h.release();
        return r;
      });
      expect(res[0]).toEqual(res[1]);
      // The column maxima are the true maxima; an empty segment's maximum is −∞.
      for (let c = 0; c < nV; c++) expect(res[0]![1]![c]).toBe(Math.max(...Array.from({ length: rows }, (_, i) => S[i * nV + c]!)));
      for (let q = 0; q + 1 < cuts.length; q++) if (cuts[q] === cuts[q + 1]) expect(res[0]![0]![q]).toBe(Number.NEGATIVE_INFINITY);
    }
    const first = reduceHeap(16);
    const second = reduceHeap(16);
    expect([first.simd, second.simd]).toEqual([true, false]);
    first.release();
    const third = reduceHeap(1 << 20); // may grow the wasm memory: no other heap is live
    expect(third.simd).toBe(true);
    third.release();
  });
});

describe('normalizeRowsChecked', () => {
  it("gives core's l2NormalizeRows bits and counts the non-finite rows, across blocks, in place too", () => {
    const rng = new Rng(21);
    for (const dim of [1, 3, 320, 513, 70000]) {
      const n = dim === 70000 ? 5 : 700;
      const src = rand(rng, n * dim);
      // Zero, tiny (norm below eps), huge, NaN and ±Infinity rows.
      const special: [number, number][] = [
        [0, 0],
        [1, 1e-30],
        [2, 3e38],
        [3, Number.NaN],
        [4, Number.POSITIVE_INFINITY],
      ];
      for (const [r, v] of special) src.fill(r === 3 || r === 4 ? 0.5 : v, r * dim, (r + 1) * dim);
      src[3 * dim + dim - 1] = Number.NaN;
      src[4 * dim] = Number.NEGATIVE_INFINITY;
      const want = l2NormalizeRows(src, n, dim);
      const got = new Float32Array(n * dim).fill(9);
      expect(normalizeRowsChecked(src, n, dim, got)).toBe(2);
      // Bit for bit (NaN compared as NaN).
      expect(new Uint32Array(got.buffer).some((b, i) => b !== new Uint32Array(want.buffer)[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i])))).toBe(false);
      const inPlace = src.slice();
      expect(normalizeRowsChecked(inPlace, n, dim, inPlace)).toBe(2);
      expect(Array.from(inPlace.subarray(5 * dim))).toEqual(Array.from(want.subarray(5 * dim)));
    }
    expect(normalizeRowsChecked(new Float32Array(0), 0, 320, new Float32Array(0))).toBe(0);
    expect(() => normalizeRowsChecked(new Float32Array(6), 2, 4, new Float32Array(8))).toThrow(/6 values, expected 2 × 4/);
  });
});

describe('unitRows: normalised rows recorded as finite', () => {
  it('records finite rows only, and the set scores are the same whether or not they scan for non-finite rows', () => {
    const rng = new Rng(22);
    const [n, dim] = [60, 16];
    const data = rand(rng, n * dim);
    const u = unitRows(data, n, dim);
    expect(unitKnownFinite(u)).toBe(true);
    expect(unitKnownFinite(l2NormalizeRows(data, n, dim))).toBe(false); // same values, not made (and checked) here
    const bad = data.slice();
    bad[5 * dim + 3] = Number.POSITIVE_INFINITY;
    expect(unitKnownFinite(unitRows(bad, n, dim))).toBe(false);
    const T = buildTemplates(
      Int32Array.from({ length: n }, (_, i) => i % 9),
      Int32Array.from({ length: n }, (_, i) => i),
    );
    const f = { data, n, dim };
    const skip = scoreTemplateMatrix(prepareTemplates(f, T, 'set-min-mean', u), prepareTemplates(f, T, 'set-min-mean', u));
    const scan = scoreTemplateMatrix(prepareTemplates(f, T, 'set-min-mean', l2NormalizeRows(data, n, dim)), prepareTemplates(f, T, 'set-min-mean', l2NormalizeRows(data, n, dim)));
    expect(Array.from(skip)).toEqual(Array.from(scan));
    // A non-finite feature still makes its templates' scores NaN (its rows are not recorded as finite).
    const withBad = scoreTemplateMatrix(prepareTemplates({ data: bad, n, dim }, T, 'set-min-mean'), prepareTemplates({ data: bad, n, dim }, T, 'set-min-mean'));
    expect(Number.isNaN(withBad[5 % 9]!)).toBe(true);
  });
});
