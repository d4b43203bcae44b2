import { describe, expect, it } from 'vitest';
import { l2NormalizeRows, Rng } from '@interpret-fr/core';
import { buildTemplates, type Templates } from './templates.ts';
import { prepareTemplates, scoreTemplateMatrixAsync, type PreparedTemplates } from './template-scores.ts';
import { distinctRows, gatherRows, probeChunkPlan, probeChunks, SetMatrixReducer } from './set-matrix.ts';
import { selectTemplates } from './templates.ts';
import { scoreTemplateMatrix } from './template-scores.ts';
import type { AsyncGemm } from './gemm.ts';

/** Cosine of packed rows as one fixed function of the two rows (float64 in index order, rounded once): position-independent bits. */
const cosOf = (A: Float32Array, i: number, B: Float32Array, j: number, d: number): number => {
  let s = 0;
  for (let k = 0; k < d; k++) s += A[i * d + k]! * B[j * d + k]!;
  return Math.fround(s);
};
/** `largest`: the largest nA · nB it was given. */
const exactGemm = (maxOutput: number, blockOutput?: number): AsyncGemm & { largest: number } => ({
  name: 'exact',
  maxOutput,
  blockOutput,
  minWork: 0,
  largest: 0,
  async abt(A, nA, B, nB, d, into) {
    this.largest = Math.max(this.largest, nA * nB);
    const out = into ? into.subarray(0, nA * nB) : new Float32Array(nA * nB);
    for (let i = 0; i < nA; i++) for (let j = 0; j < nB; j++) out[i * nB + j] = cosOf(A, i, B, j, d);
    return out;
  },
});

/** The per-pair reduction (row maxima in member order, then column maxima in member order, float64, / (n1 + n2)). */
function reference(P: PreparedTemplates, G: PreparedTemplates, quirk: boolean): Float32Array {
  const nP = P.templates.ids.length;
  const nG = G.templates.ids.length;
  const d = P.dim;
  const out = new Float32Array(nP * nG);
  const po = P.templates.offsets;
  const go = G.templates.offsets;
  for (let p = 0; p < nP; p++)
    for (let g = 0; g < nG; g++) {
      const n1 = po[p + 1]! - po[p]!;
      const n2 = go[g + 1]! - go[g]!;
      if (n1 === 0 || n2 === 0) {
        out[p * nG + g] = Number.NaN;
        continue;
      }
      const S = (a: number, b: number): number => cosOf(P.data, po[p]! + a, G.data, go[g]! + b, d);
      if (quirk && (n1 === 1 || n2 === 1)) {
        let m = -Infinity;
        for (let a = 0; a < n1; a++) for (let b = 0; b < n2; b++) m = Math.max(m, S(a, b));
        out[p * nG + g] = m;
        continue;
      }
      let sum = 0;
      for (let a = 0; a < n1; a++) {
        let m = -Infinity;
        for (let b = 0; b < n2; b++) m = Math.max(m, S(a, b));
        sum += m;
      }
      for (let b = 0; b < n2; b++) {
        let m = -Infinity;
        for (let a = 0; a < n1; a++) m = Math.max(m, S(a, b));
        sum += m;
      }
      out[p * nG + g] = sum / (n1 + n2);
    }
  return out;
}

/**
 * Templates drawn from a pool of "media" (runs of rows) as IJB-A does: templates share media (so rows
 * recur across templates), one template repeats a row, one is empty, several hold one row.
 */
function protocol(seed: number, nTemplates: number, overlap: boolean, repeat = true): { t: number[]; r: number[] } {
  const rng = new Rng(seed);
  const media: number[][] = [];
  let row = 0;
  for (let m = 0; m < 25; m++) {
    const n = m % 3 === 0 ? 1 : 1 + rng.int(9);
    media.push(Array.from({ length: n }, () => row++));
  }
  const t: number[] = [];
  const r: number[] = [];
  let free = 0;
  for (let k = 0; k < nTemplates; k++) {
    const id = 500 + k;
    if (k === 3) {
      t.push(id); // empty: its only image has no feature
      r.push(-1);
      continue;
    }
    const picks = overlap ? [rng.int(media.length), rng.int(media.length)] : [free++ % media.length];
    for (const m of picks)
      for (const x of media[m]!) {
        t.push(id);
        r.push(x);
      }
    if (k === 5 && repeat) {
      t.push(id); // a row twice in one template
      r.push(r[r.length - 1]!);
    }
  }
  return { t, r };
}

describe('set scores over distinct rows (set-matrix.ts)', () => {
  const dim = 16;
  const rng = new Rng(3);
  // Few distinct values: many exact ties between cosines.
  const feats = new Float32Array(200 * dim).map(() => Math.round(rng.normal() * 2) / 2 + 0.01);
  const emb = { data: feats, n: 200, dim };
  const build = (x: { t: number[]; r: number[] }): Templates => buildTemplates(x.t, x.r);

  for (const quirk of [false, true])
    for (const galleryOverlap of [false, true])
      it(`equals the per-pair reduction bit for bit (${quirk ? 'set-min-mean-matlab' : 'set-min-mean'}, gallery templates ${galleryOverlap ? 'sharing' : 'not sharing'} rows, blocks splitting classes)`, async () => {
        const method = quirk ? 'set-min-mean-matlab' : 'set-min-mean';
        const P = prepareTemplates(emb, build(protocol(11, 40, true)), method);
        const G = prepareTemplates(emb, build(protocol(12, 9, galleryOverlap)), method);
        const want = reference(P, G, quirk);
        const nV = distinctRows(G.templates).first.length;
        // blockOutput (the search's row blocks) below maxOutput, unset, and above it (maxOutput still caps a call).
        for (const [maxOutput, blockOutput] of [[1], [37], [1 << 20], [1 << 20, 37], [37, 1 << 20], [1 << 20, 3 * nV]]) {
          const gemm = exactGemm(maxOutput!, blockOutput);
          const got = await scoreTemplateMatrixAsync(P, G, gemm);
          expect(Array.from(got)).toEqual(Array.from(want));
          // Row blocks of as many whole distinct rows as min(blockOutput, maxOutput) holds (at least one row).
          const cap = Math.min(blockOutput ?? maxOutput!, maxOutput!);
          expect(gemm.largest).toBe(Math.min(distinctRows(P.templates).first.length, Math.max(1, Math.floor(cap / nV))) * nV);
        }
        // Some rows do recur (the distinct GEMM is smaller than the packed one) and some classes hold several rows.
        const pd = distinctRows(P.templates);
        expect(pd.first.length).toBeLessThan(P.templates.rows.length);
        expect(pd.classStart.length - 1).toBeLessThan(pd.first.length);
        expect(Number.isNaN(want[3 * G.templates.ids.length]!)).toBe(true);
      });

  it('probeChunkPlan: whole groups of row-sharing templates per chunk, in any template order; chunks within the bound; a group larger than a chunk split', () => {
    const rng = new Rng(8);
    for (let trial = 0; trial < 40; trial++) {
      const base = build(protocol(100 + trial, 20 + rng.int(40), true));
      // Any order of the templates (the protocol's own order need not keep row-sharing templates together).
      const o = Array.from(base.ids, (_, i) => i);
      for (let i = o.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [o[i], o[j]] = [o[j]!, o[i]!];
      }
      const T = trial % 4 === 0 ? base : selectTemplates(base, o);
      const nP = T.ids.length;
      const nV = 1 + rng.int(9);
      const per = 1 + rng.int(12);
      const plan = probeChunkPlan(T, nV, per * nV + rng.int(nV));
      const order = plan.order ?? Int32Array.from({ length: nP }, (_, i) => i);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: nP }, (_, i) => i));
      // Chunks tile the order, each within the bound.
      let at = 0;
      for (const [c0, c1] of plan.chunks) {
        expect(c0).toBe(at);
        expect(c1 - c0).toBeGreaterThan(0);
        expect(c1 - c0).toBeLessThanOrEqual(per);
        at = c1;
      }
      expect(at).toBe(nP);
      // Groups (templates joined by shared rows, computed here by flood fill) are contiguous in the order, and a
      // row lies in one chunk only unless its group is larger than a chunk.
      const rowsOf = (k: number): number[] => Array.from(T.rows.subarray(T.offsets[k]!, T.offsets[k + 1]!));
      const group = new Int32Array(nP).fill(-1);
      for (let k = 0; k < nP; k++) {
        if (group[k]! >= 0) continue;
        group[k] = k;
        const stack = [k];
        while (stack.length) {
          const x = stack.pop()!;
          for (let y = 0; y < nP; y++)
            if (group[y]! < 0 && rowsOf(y).some((r) => rowsOf(x).includes(r))) {
              group[y] = k;
              stack.push(y);
            }
        }
      }
      const groupSize = new Map<number, number>();
      for (let k = 0; k < nP; k++) groupSize.set(group[k]!, (groupSize.get(group[k]!) ?? 0) + 1);
      const seen = new Set<number>();
      for (let i = 0; i < nP; i++) {
        const g = group[order[i]!]!;
        if (i > 0 && group[order[i - 1]!] !== g) {
          expect(seen.has(g), 'a group is contiguous').toBe(false);
          seen.add(group[order[i - 1]!]!);
        }
      }
      const chunkOf = new Int32Array(nP);
      plan.chunks.forEach(([c0, c1], c) => chunkOf.fill(c, c0, c1));
      const rowChunk = new Map<number, number>();
      for (let i = 0; i < nP; i++)
        for (const r of rowsOf(order[i]!)) {
          const c = rowChunk.get(r);
          if (c !== undefined && c !== chunkOf[i] && groupSize.get(group[order[i]!]!)! <= per) expect.fail(`row ${r} in chunks ${c} and ${chunkOf[i]}`);
          rowChunk.set(r, chunkOf[i]!);
        }
      // Within a group, templates keep their order; groups come in the order of their first template.
      for (let i = 1; i < nP; i++) if (group[order[i]!] === group[order[i - 1]!]) expect(order[i]!).toBeGreaterThan(order[i - 1]!);
    }
    // Groups already contiguous: the given order is kept.
    const T = build(protocol(7, 20, false));
    expect(probeChunkPlan(T, 3, 3 * 5).order).toBeNull();
  });

  for (const quirk of [false, true])
    it(`the matrix through reordered chunks: the per-pair reduction bit for bit on a GEMM, the one-chunk matrix synchronously (${quirk ? 'set-min-mean-matlab' : 'set-min-mean'})`, async () => {
      const method = quirk ? 'set-min-mean-matlab' : 'set-min-mean';
      const rng = new Rng(quirk ? 12 : 11);
      const base = build(protocol(31, 45, true));
      const o = Array.from(base.ids, (_, i) => i);
      for (let i = o.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [o[i], o[j]] = [o[j]!, o[i]!];
      }
      const P = prepareTemplates(emb, selectTemplates(base, o), method);
      const G = prepareTemplates(emb, build(protocol(32, 9, true)), method);
      // The GEMM path against the per-pair reduction of the same cosines, bit for bit; the synchronous path against
      // itself in one chunk in the given order, within its kernel's rounding (its wasm tiles round a cosine by its
      // position in a block: the reported metrics are made kernel-independent by scores/refine.ts, not here).
      const want = Array.from(reference(P, G, quirk));
      const nV = distinctRows(G.templates).first.length;
      const wantSync = Array.from(scoreTemplateMatrix(P, G, { chunkFloats: 1 << 24 }));
      expect(probeChunkPlan(P.templates, nV, 1 << 24).order).toBeNull();
      let reordered = 0;
      for (const chunkFloats of [nV, 3 * nV, 7 * nV + 1, 1 << 24]) {
        if (probeChunkPlan(P.templates, nV, chunkFloats).order) reordered++;
        const sync = scoreTemplateMatrix(P, G, { chunkFloats });
        for (let i = 0; i < want.length; i++)
          if (Number.isNaN(wantSync[i]!)) expect(sync[i], `sync, ${chunkFloats}, [${i}]`).toBeNaN();
          else expect(Math.abs(sync[i]! - wantSync[i]!), `sync, ${chunkFloats}, [${i}]`).toBeLessThan(1e-6);
        expect(Array.from(await scoreTemplateMatrixAsync(P, G, exactGemm(37), { chunkFloats })), `async, ${chunkFloats}`).toEqual(want);
      }
      expect(reordered).toBeGreaterThan(0); // the reordering path did run
    });

  it('chunks of probe templates give the same matrix as one chunk', () => {
    const P = prepareTemplates(emb, build(protocol(21, 30, true)), 'set-min-mean');
    const G = prepareTemplates(emb, build(protocol(22, 7, true)), 'set-min-mean');
    const d = dim;
    const nG = G.templates.ids.length;
    const gd = distinctRows(G.templates);
    const B = gatherRows(G.data, gd.first, d);
    const run = (limit: number): Float32Array => {
      const out = new Float32Array(P.templates.ids.length * nG);
      const chunks = probeChunks(P.templates.ids.length, gd.first.length, limit);
      for (const [t0, t1] of chunks) {
        const pd = distinctRows(P.templates, t0, t1);
        const A = gatherRows(P.data, pd.first, d);
        const red = new SetMatrixReducer(P.templates, pd, G.templates, gd, false);
        const S = new Float32Array(pd.first.length * gd.first.length);
        for (let i = 0; i < pd.first.length; i++) for (let j = 0; j < gd.first.length; j++) S[i * gd.first.length + j] = cosOf(A, i, B, j, d);
        red.rows(S, pd.first.length);
        red.finish(out);
      }
      return out;
    };
    expect(probeChunks(30, gd.first.length, gd.first.length * 4).length).toBe(8);
    expect(Array.from(run(gd.first.length * 4))).toEqual(Array.from(reference(P, G, false)));
    expect(Array.from(run(1 << 24))).toEqual(Array.from(reference(P, G, false)));
  });

  it('the wasm SIMD reduction heap and the JS kernels give the same scores (cosines in and outside the heap; gallery templates sharing rows or not)', () => {
    for (const [quirk, overlap] of [
      [false, true],
      [true, true],
      [false, false],
      [true, false],
    ] as const) {
      const P = prepareTemplates(emb, build(protocol(41, 25, overlap)), 'set-min-mean');
      // Without shared or repeated rows, the gallery's members are its distinct rows in order (the sums' fast path).
      const G = prepareTemplates(emb, build(protocol(42, 9, overlap, overlap)), 'set-min-mean');
      const gd = distinctRows(G.templates);
      const pd = distinctRows(P.templates);
      const A = gatherRows(P.data, pd.first, dim);
      const B = gatherRows(G.data, gd.first, dim);
      const nV = gd.first.length;
      const S = new Float32Array(pd.first.length * nV);
      for (let i = 0; i < pd.first.length; i++) for (let j = 0; j < nV; j++) S[i * nV + j] = cosOf(A, i, B, j, dim);
      const outs = [true, false].map((simd) => {
        const out = new Float32Array(P.templates.ids.length * G.templates.ids.length);
        const red = new SetMatrixReducer(P.templates, pd, G.templates, gd, quirk, { simd, blockFloats: 3 * nV });
        // Rows 0–2 through a heap block, the rest from an outside array.
        red.block(0, 3 * nV).set(S.subarray(0, 3 * nV));
        red.rows(red.block(0, 3 * nV), 3);
        red.rows(S.subarray(3 * nV), pd.first.length - 3);
        red.finish(out);
        return out;
      });
      expect(Array.from(outs[0]!)).toEqual(Array.from(outs[1]!));
      expect(Array.from(outs[0]!)).toEqual(Array.from(reference(P, G, quirk)));
    }
  });

  it('refuses to finish before every distinct row was fed', () => {
    const P = prepareTemplates(emb, build(protocol(31, 6, true)), 'set-min-mean');
    const pd = distinctRows(P.templates);
    const red = new SetMatrixReducer(P.templates, pd, P.templates, distinctRows(P.templates), false);
    expect(() => red.finish(new Float32Array(36))).toThrow(/distinct rows were fed/);
  });

  it('a non-finite feature makes NaN the scores of the probe templates holding it (every probe template, for a gallery image)', async () => {
    // The normalised features the templates' rows index (the native path reads member rows from them).
    const unit = l2NormalizeRows(emb.data, emb.n, emb.dim);
    const P = prepareTemplates(emb, build({ t: [1, 1, 2, 3], r: [0, 1, 2, 1] }), 'set-min-mean', unit);
    const G = prepareTemplates(emb, build({ t: [7, 8], r: [5, 6] }), 'set-min-mean', unit);
    unit[dim + 3] = Number.NaN; // image row 1: templates 1 and 3
    const M = await scoreTemplateMatrixAsync(P, G, exactGemm(100));
    expect(Array.from(M, (x) => Number.isNaN(x))).toEqual([true, true, false, false, true, true]);
    unit[dim + 3] = 0.5;
    unit[6 * dim] = Number.POSITIVE_INFINITY; // image row 6: the gallery image of template 8
    const M2 = await scoreTemplateMatrixAsync(P, G, exactGemm(100));
    expect(Array.from(M2, (x) => Number.isNaN(x))).toEqual([true, true, true, true, true, true]);
  });
});
