/**
 * Template-to-template similarity scores (evaluation.md "Scores and templates"). All scores are
 * similarities (higher = same identity); distances of the original are 1 − cos.
 *
 * - `set-min-mean` (original "s3"): D = 1 − cos between the two image sets; s3 = mean of
 *   [row minima of D, column minima of D] (n1 + n2 values); score = 1 − s3.
 * - `set-min-mean-matlab`: as above, but when either template has exactly one image the score is
 *   1 − global min of D (the MATLAB `min` over a vector quirk), reproducing the published numbers.
 * - `mean-feature`: mean of L2-normalised image features, re-normalised, then cosine.
 * - `media-pool` (insightface IJB-B/C): mean of the normalised features within each media id, sum over
 *   media, L2-normalise, cosine.
 *
 * @module
 */
import type { Embeddings } from '@interpret-fr/core';
import { dot, dotBlock, dotBlock64 } from './cosine.ts';
import { selectTemplates, type Templates } from './templates.ts';
import { indexedGemm64For, simdKernels, unitKnownFinite, unitRows, type IndexedGemm64, type SimdKernels } from './simd.ts';
import type { AsyncGemm } from './gemm.ts';
import { distinctRows, gatherRows, probeChunkPlan, probeChunks, SetMatrixReducer, type ProbeChunkPlan } from './set-matrix.ts';
import { giveBackScratch, lendF32, lendF64 } from './scratch.ts';
import { scoreTiledRange, tiledPairs } from './tiles.ts';

export { tiledPairs, tileOrder } from './tiles.ts';

/** Template score names. */
export type TemplateScore = 'set-min-mean' | 'set-min-mean-matlab' | 'mean-feature' | 'media-pool';
export const TEMPLATE_SCORES: readonly TemplateScore[] = ['set-min-mean', 'set-min-mean-matlab', 'mean-feature', 'media-pool'];

/** Packs the (normalised) member features of each template contiguously, in template order. */
function pack(unit: Float32Array, dim: number, t: Templates): Float32Array {
  const out = new Float32Array(t.rows.length * dim);
  // Runs of consecutive rows are copied at once (templates often list their images in feature order).
  const rows = t.rows;
  for (let i = 0; i < rows.length; ) {
    let e = i + 1;
    while (e < rows.length && rows[e] === rows[e - 1]! + 1) e++;
    out.set(unit.subarray(rows[i]! * dim, (rows[e - 1]! + 1) * dim), i * dim);
    i = e;
  }
  return out;
}

/** One pooled, unit-norm feature per template (`mean-feature` or `media-pool`); empty templates give zeros. */
export function poolTemplates(unit: Float32Array, dim: number, t: Templates, method: 'mean-feature' | 'media-pool'): Float32Array {
  const nT = t.ids.length;
  const out = new Float32Array(nT * dim);
  const acc = new Float64Array(dim);
  const med = new Float64Array(dim);
  for (let i = 0; i < nT; i++) {
    acc.fill(0);
    const a = t.offsets[i]!;
    const b = t.offsets[i + 1]!;
    if (method === 'mean-feature') {
      for (let m = a; m < b; m++) {
        const o = t.rows[m]! * dim;
        for (let k = 0; k < dim; k++) acc[k]! += unit[o + k]!;
      }
    } else {
      // Members of one media need not be adjacent: pool each distinct media id once.
      const seen = new Set<number>();
      for (let m = a; m < b; m++) {
        const id = t.media[m]!;
        if (seen.has(id)) continue;
        seen.add(id);
        med.fill(0);
        let c = 0;
        for (let q = m; q < b; q++) {
          if (t.media[q] !== id) continue;
          c++;
          const o = t.rows[q]! * dim;
          for (let k = 0; k < dim; k++) med[k]! += unit[o + k]!;
        }
        for (let k = 0; k < dim; k++) acc[k]! += med[k]! / c;
      }
    }
    let s = 0;
    for (let k = 0; k < dim; k++) s += acc[k]! * acc[k]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < dim; k++) out[i * dim + k] = acc[k]! * inv;
  }
  return out;
}

/** Prepared features for repeated scoring (normalised once, packed per template). */
export interface PreparedTemplates {
  templates: Templates;
  dim: number;
  method: TemplateScore;
  /** set-min-mean: packed member features (from {@link prepareTemplates}: packed on first use); pooled methods: one row per template. */
  readonly data: Float32Array;
  /**
   * Set scores: the normalised feature matrix that `templates.rows` index. When present, the native path
   * reads member rows from it ({@link copyMembers}) and never packs `data` (≈ 40 MB per IJB-A split).
   */
  unit?: Float32Array;
}

/** Normalises and packs (or pools) features for one template set; set scores pack lazily (on the first read of `data`). */
export function prepareTemplates(features: Embeddings, templates: Templates, method: TemplateScore, normalized?: Float32Array): PreparedTemplates {
  const unit = normalized ?? unitRows(features.data, features.n, features.dim);
  const dim = features.dim;
  if (method === 'mean-feature' || method === 'media-pool') return { templates, dim, method, data: poolTemplates(unit, dim, templates, method) };
  let packed: Float32Array | undefined;
  return {
    templates,
    dim,
    method,
    unit,
    get data(): Float32Array {
      packed ??= pack(unit, dim, templates);
      return packed;
    },
  };
}

/**
 * Copies the feature rows of members [m0, m1) of `T` (packed member order) to `dst` from row `at`: from
 * `T.unit` through `templates.rows` when there is one (runs of consecutive rows at once), else from `T.data`.
 */
export function copyMembers(T: PreparedTemplates, m0: number, m1: number, dst: Float32Array, at: number): void {
  const d = T.dim;
  if (T.unit) gatherRows(T.unit, T.templates.rows.subarray(m0, m1), d, dst.subarray(at * d));
  else dst.set(T.data.subarray(m0 * d, m1 * d), at * d);
}

/** The rows of the members `members` (packed member indices) of `T`, gathered into one block (into `out` when given). */
function memberRows(T: PreparedTemplates, members: Int32Array, out?: Float32Array): Float32Array {
  if (!T.unit) return gatherRows(T.data, members, T.dim, out);
  const rows = T.templates.rows;
  return gatherRows(
    T.unit,
    Int32Array.from(members, (m) => rows[m]!),
    T.dim,
    out,
  );
}

/** Template i's member rows as (array, first row): a view of `data` when packed, else a gathered copy. */
function templateRows(T: PreparedTemplates, i: number): [Float32Array, number] {
  const o = T.templates.offsets;
  if (!T.unit) return [T.data, o[i]!];
  const out = new Float32Array((o[i + 1]! - o[i]!) * T.dim);
  copyMembers(T, o[i]!, o[i + 1]!, out, 0);
  return [out, 0];
}

/**
 * Scores template pairs (indices into the two prepared sets, which may be the same object).
 * Pairs with an empty template get NaN (callers skip and count them). Pooled scores of one set with
 * ≥ 4096 pairs run on the wasm SIMD `pairDots` in blocks of `opts.block` pairs (default 2¹⁶), or on
 * `opts.pairDots`, a kernel with the same bits (pair-dots-pool.ts shares it out over threads).
 */
export function scoreTemplatePairs(
  A: PreparedTemplates,
  B: PreparedTemplates,
  pa: Int32Array,
  pb: Int32Array,
  opts: { pairDots?: SimdKernels['pairDots']; block?: number } = {},
): Float32Array {
  if (pa.length !== pb.length) throw new RangeError(`scoreTemplatePairs: ${pa.length} vs ${pb.length} pair indices`);
  const out = new Float32Array(pa.length);
  const d = A.dim;
  const pooled = A.method === 'mean-feature' || A.method === 'media-pool';
  const quirk = A.method === 'set-min-mean-matlab';
  let scratch = new Float32Array(256);
  const oa = A.templates.offsets;
  const ob = B.templates.offsets;
  const simd = simdPairs(A, B, pa.length) ? simdKernels() : null;
  const tile = pooled ? pairTile(d, pa.length) : 0;
  if (simd) {
    const dots = opts.pairDots ?? simd.pairDots;
    const BS = Math.max(1, Math.min(pa.length, opts.block ?? 1 << 16));
    // The SIMD path reads the pairs in tile order: gathered by the counting sort itself (tiles.ts).
    if (tile) scoreTiledRange(dots, A.data, d, pa, pb, 0, pa.length, tile, BS, out);
    else {
      const res = new Float32Array(BS);
      for (let s = 0; s < pa.length; s += BS) {
        const e = Math.min(pa.length, s + BS);
        dots(A.data, d, pa.subarray(s, e), pb.subarray(s, e), res);
        out.set(res.subarray(0, e - s), s);
      }
    }
    markEmptyPairs(A.templates, pa, pb, out);
    return out;
  }
  const order = tile ? tiledPairs(pa, pb, tile, false).order : null;
  for (let q = 0; q < pa.length; q++) {
    const p = order ? order[q]! : q;
    const i = pa[p]!;
    const j = pb[p]!;
    const n1 = oa[i + 1]! - oa[i]!;
    const n2 = ob[j + 1]! - ob[j]!;
    if (n1 === 0 || n2 === 0) {
      out[p] = Number.NaN;
      continue;
    }
    if (pooled) {
      out[p] = dot(A.data, i * d, B.data, j * d, d);
      continue;
    }
    if (scratch.length < n1 * n2) scratch = new Float32Array(n1 * n2 * 2);
    dotBlock(A.data, oa[i]!, n1, B.data, ob[j]!, n2, d, scratch, n2);
    out[p] = setScore(scratch, 0, n1, n2, n2, quirk);
  }
  return out;
}

/** Whether {@link scoreTemplatePairs} of `n` pairs of A × B takes the wasm SIMD `pairDots` path (where available). */
export function simdPairs(A: PreparedTemplates, B: PreparedTemplates, n: number): boolean {
  return (A.method === 'mean-feature' || A.method === 'media-pool') && A === B && A.dim % 8 === 0 && n >= 4096;
}

/**
 * The tile ({@link tiledPairs}) of the pooled scores of `n` pairs with d-float rows, or 0 below 50,000 pairs (in
 * index order): 2^20 bytes of rows a side.
 */
export function pairTile(d: number, n: number): number {
  return n > 50_000 ? Math.max(1, Math.floor((1 << 20) / (4 * d))) : 0;
}

/** out[p] = NaN for each pair p with an empty template (its pooled row is not a feature), in one pass when there are any. */
export function markEmptyPairs(t: Templates, pa: Int32Array, pb: Int32Array, out: Float32Array): void {
  const ea = emptyTemplates(t);
  if (ea) for (let p = 0; p < pa.length; p++) if (ea[pa[p]!] || ea[pb[p]!]) out[p] = Number.NaN;
}

/** 1 for each template without members, or null when every template has members. */
function emptyTemplates(t: Templates): Uint8Array | null {
  const o = t.offsets;
  let flags: Uint8Array | null = null;
  for (let i = 0; i + 1 < o.length; i++)
    if (o[i + 1] === o[i]) {
      flags ??= new Uint8Array(o.length - 1);
      flags[i] = 1;
    }
  return flags;
}

/** max(m, v) that propagates NaN (a plain `v > m` skips it and would hide a bad feature). */
const maxNaN = (m: number, v: number): number => (v > m ? v : Number.isNaN(v) ? Number.NaN : m);

/**
 * Set-min-mean similarity of a pair from its cosine block S (nr rows × nc columns, row stride ld): each row's and
 * each column's maximum in one row-major pass (the column maxima taken over the rows in order, as a
 * column-by-column scan would), then the mean of all of them, summed in float64 in the pair's order: the first
 * template's members in order, then the second's — the rows first when the rows are the first template's members
 * (`rowsFirst`), else the columns. NaN when any cosine is NaN. The MATLAB quirk (`set-min-mean-matlab`) takes the
 * maximum of the whole block when either template has one member.
 */
function blockSetScore(S: Float32Array | Float64Array, off: number, nr: number, nc: number, ld: number, quirk: boolean, rowsFirst: boolean): number {
  if (quirk && (nr === 1 || nc === 1)) {
    let m = -Infinity;
    for (let r = 0; r < nr; r++) for (let c = 0; c < nc; c++) m = maxNaN(m, S[off + r * ld + c]!);
    return m;
  }
  if (colMax.length < nc) colMax = new Float64Array(Math.max(nc, 2 * colMax.length));
  if (rowMax.length < nr) rowMax = new Float64Array(Math.max(nr, 2 * rowMax.length));
  const cm = colMax;
  const rm = rowMax;
  for (let r = 0; r < nr; r++) {
    const o = off + r * ld;
    let m = -Infinity;
    if (r === 0)
      for (let c = 0; c < nc; c++) {
        const v = S[o + c]!;
        m = maxNaN(m, v);
        cm[c] = maxNaN(-Infinity, v);
      }
    else
      for (let c = 0; c < nc; c++) {
        const v = S[o + c]!;
        m = maxNaN(m, v);
        cm[c] = maxNaN(cm[c]!, v);
      }
    rm[r] = m;
  }
  let sum = 0;
  if (rowsFirst) {
    for (let r = 0; r < nr; r++) sum += rm[r]!;
    for (let c = 0; c < nc; c++) sum += cm[c]!;
  } else {
    for (let c = 0; c < nc; c++) sum += cm[c]!;
    for (let r = 0; r < nr; r++) sum += rm[r]!;
  }
  return sum / (nr + nc);
}

/** Row and column maxima scratch of {@link blockSetScore} (synchronous: never shared by two calls). */
let rowMax = new Float64Array(256);
let colMax = new Float64Array(256);

/** Set-min-mean similarity from an n1 × n2 cosine block with row stride ld (rows: the pair's first template); NaN when any cosine is NaN. */
export function setScore(S: Float32Array | Float64Array, off: number, n1: number, n2: number, ld: number, quirk: boolean): number {
  return blockSetScore(S, off, n1, n2, ld, quirk, true);
}

/**
 * {@link setScore} of a pair whose block is stored transposed: S holds the pair's second template's n2 members as
 * rows and its first template's n1 members as columns. The same bits as setScore on the untransposed block: the
 * maxima are the same values (a maximum does not depend on the order it is taken in; NaN stays NaN), summed in the
 * same order (the first template's members, then the second's).
 */
export function setScoreT(S: Float32Array | Float64Array, off: number, n1: number, n2: number, ld: number, quirk: boolean): number {
  return blockSetScore(S, off, n2, n1, ld, quirk, false);
}

/** Options of the set scores' probe × gallery matrix. */
export interface SetMatrixOptions {
  /** The chunks' column-maxima bound in floats (default set-matrix.ts CHUNK_FLOATS; see probeChunkPlan). */
  chunkFloats?: number;
}

/**
 * Full probe × gallery score matrix (row-major nProbe × nGallery). For the set scores, the distinct
 * probe images are scored against the distinct gallery images in row blocks and reduced by
 * {@link SetMatrixReducer} (set-matrix.ts).
 */
export function scoreTemplateMatrix(P: PreparedTemplates, G: PreparedTemplates, opts: SetMatrixOptions = {}): Float32Array {
  const nP = P.templates.ids.length;
  const nG = G.templates.ids.length;
  const d = P.dim;
  const out = new Float32Array(nP * nG);
  if (P.method === 'mean-feature' || P.method === 'media-pool') {
    dotBlock(P.data, 0, nP, G.data, 0, nG, d, out, nG);
    for (let p = 0; p < nP; p++) if (P.templates.offsets[p + 1] === P.templates.offsets[p]) out.fill(Number.NaN, p * nG, (p + 1) * nG);
    for (let g = 0; g < nG; g++) if (G.templates.offsets[g + 1] === G.templates.offsets[g]) for (let p = 0; p < nP; p++) out[p * nG + g] = Number.NaN;
    return out;
  }
  const quirk = P.method === 'set-min-mean-matlab';
  // Rows read from normalised matrices made and checked finite here (unitRows) need no scan for non-finite values.
  const finite = unitKnownFinite(P.unit) && unitKnownFinite(G.unit);
  const gd = distinctRows(G.templates);
  const nV = gd.first.length;
  const B = memberRows(G, gd.first);
  const per = Math.max(1, Math.floor(SYNC_BLOCK / Math.max(1, nV)));
  const { Q, plan, into } = chunkedProbes(P, nV, out, opts.chunkFloats);
  for (const [t0, t1] of plan.chunks) {
    const pd = distinctRows(Q.templates, t0, t1);
    const nU = pd.first.length;
    const A = memberRows(Q, pd.first);
    const red = new SetMatrixReducer(Q.templates, pd, G.templates, gd, quirk, { blockFloats: Math.min(per, nU) * nV });
    try {
      if (!finite) red.markNonFinite(A, B, d);
      for (let r0 = 0; r0 < nU; r0 += per) {
        const n = Math.min(per, nU - r0);
        const buf = red.block(0, n * nV);
        if (nV > 0) dotBlock(A, r0, n, B, 0, nV, d, buf, nV, { keepB: true });
        red.rows(buf, n);
      }
      red.finish(into);
    } finally {
      red.release();
    }
  }
  unpermuteRows(plan, into, out, nG);
  return out;
}

/**
 * The probe templates in {@link probeChunkPlan}'s order and chunks: `Q` is `P` itself when the plan keeps the given
 * order (or `P` has no normalised matrix to reorder from: then plain {@link probeChunks}), else `P`'s templates
 * reordered; `into` is the score matrix to fill in Q's order (`out` itself when Q is P).
 */
function chunkedProbes(P: PreparedTemplates, nV: number, out: Float32Array, limit?: number): { Q: PreparedTemplates; plan: ProbeChunkPlan; into: Float32Array } {
  const nP = P.templates.ids.length;
  if (!P.unit) return { Q: P, plan: { order: null, chunks: probeChunks(nP, nV, limit) }, into: out };
  const plan = probeChunkPlan(P.templates, nV, limit);
  if (!plan.order) return { Q: P, plan, into: out };
  const Q = prepareTemplates({ data: P.unit, n: P.unit.length / P.dim, dim: P.dim }, selectTemplates(P.templates, plan.order), P.method, P.unit);
  return { Q, plan, into: new Float32Array(out.length) };
}

/** Row i of `into` (rows of nG scores in the plan's order) to row order[i] of `out`; nothing when the plan kept the order. */
function unpermuteRows(plan: ProbeChunkPlan, into: Float32Array, out: Float32Array, nG: number): void {
  if (!plan.order) return;
  for (let i = 0; i < plan.order.length; i++) out.set(into.subarray(i * nG, (i + 1) * nG), plan.order[i]! * nG);
}

/** Multiply-adds from which a canonical verification group runs on the wasm f64x2 kernel (dotBlock64's threshold). */
const CANONICAL_SIMD_MIN_WORK = 1 << 11;

/** Cosines per synchronous block of the set-score matrix (floats). */
const SYNC_BLOCK = 1 << 22;

// ---------- native / async kernels, and the canonical (exact) score ----------

/** Rows [r0, r1) of prepared set templates, grouped in blocks of whole templates with ≤ maxRows rows. */
function templateBlocks(offsets: Int32Array, maxRows: number): [number, number][] {
  const out: [number, number][] = [];
  const nT = offsets.length - 1;
  let t0 = 0;
  while (t0 < nT) {
    let t1 = t0 + 1;
    while (t1 < nT && offsets[t1 + 1]! - offsets[t0]! <= maxRows) t1++;
    out.push([t0, t1]);
    t0 = t1;
  }
  return out;
}

/**
 * {@link scoreTemplateMatrix} with the dot products on an {@link AsyncGemm} (e.g. onnxruntime-node's
 * MLAS SGEMM), in blocks of whole probe templates so that one block's cosines stay within
 * `gemm.maxOutput` floats; the next block is computed while the previous one is reduced.
 */
export async function scoreTemplateMatrixAsync(P: PreparedTemplates, G: PreparedTemplates, gemm: AsyncGemm, opts: SetMatrixOptions = {}): Promise<Float32Array> {
  const nP = P.templates.ids.length;
  const nG = G.templates.ids.length;
  const d = P.dim;
  const pooled = P.method === 'mean-feature' || P.method === 'media-pool';
  if (!pooled) return setMatrixAsync(P, G, gemm, opts);
  const out = new Float32Array(nP * nG);
  const po = P.templates.offsets;
  const go = G.templates.offsets;
  if (nG === 0 || nP === 0) return scoreTemplateMatrix(P, G);
  const rowOff = Int32Array.from({ length: nP + 1 }, (_, i) => i);
  const blocks = templateBlocks(rowOff, Math.max(1, Math.floor(gemm.maxOutput / nG)));
  const run = (b: [number, number]): Promise<Float32Array> => gemm.abt(P.data.subarray(b[0] * d, b[1] * d), b[1] - b[0], G.data, nG, d);
  let next = blocks.length ? run(blocks[0]!) : null;
  for (let k = 0; k < blocks.length; k++) {
    const S = await next!;
    next = k + 1 < blocks.length ? run(blocks[k + 1]!) : null;
    const [t0, t1] = blocks[k]!;
    for (let p = t0; p < t1; p++) {
      if (po[p + 1] === po[p]) {
        out.fill(Number.NaN, p * nG, (p + 1) * nG);
        continue;
      }
      for (let g = 0; g < nG; g++) out[p * nG + g] = go[g + 1] === go[g] ? Number.NaN : S[(p - t0) * nG + g]!;
    }
  }
  return out;
}

/**
 * The set scores of {@link scoreTemplateMatrixAsync}: distinct probe rows × distinct gallery rows on
 * `gemm` in row blocks of ≤ min(`gemm.blockOutput`, `gemm.maxOutput`) cosines (two output buffers, the next block is requested
 * before the previous one is reduced), reduced by {@link SetMatrixReducer}.
 */
async function setMatrixAsync(P: PreparedTemplates, G: PreparedTemplates, gemm: AsyncGemm, opts: SetMatrixOptions): Promise<Float32Array> {
  const nP = P.templates.ids.length;
  const nG = G.templates.ids.length;
  const d = P.dim;
  const out = new Float32Array(nP * nG);
  const quirk = P.method === 'set-min-mean-matlab';
  // Rows read from normalised matrices made and checked finite here (unitRows) need no scan for non-finite values.
  const finite = unitKnownFinite(P.unit) && unitKnownFinite(G.unit);
  const gd = distinctRows(G.templates);
  const nV = gd.first.length;
  if (nV === 0) return scoreTemplateMatrix(P, G);
  // The gathered rows live in lent scratch (given back once the last GEMM reading them has returned).
  const bBuf = lendF32(nV * d);
  let aBuf = lendF32(0);
  try {
    const B = memberRows(G, gd.first, bBuf);
    const per = Math.max(1, Math.floor(Math.min(gemm.blockOutput ?? gemm.maxOutput, gemm.maxOutput) / nV));
    const { Q, plan, into } = chunkedProbes(P, nV, out, opts.chunkFloats);
    for (const [t0, t1] of plan.chunks) {
      const pd = distinctRows(Q.templates, t0, t1);
      const nU = pd.first.length;
      if (aBuf.length < nU * d) {
        giveBackScratch(aBuf);
        aBuf = lendF32(nU * d);
      }
      const A = memberRows(Q, pd.first, aBuf);
      // Two cosine blocks in the reduction heap: the GEMM writes the next while the previous is reduced.
      const size = Math.min(per, nU) * nV;
      const red = new SetMatrixReducer(Q.templates, pd, G.templates, gd, quirk, { blockFloats: 2 * size });
      let next: Promise<Float32Array> | null = null;
      try {
        if (!finite) red.markNonFinite(A, B, d);
        const run = (r0: number, k: number): Promise<Float32Array> => {
          const n = Math.min(per, nU - r0);
          return gemm.abt(A.subarray(r0 * d, (r0 + n) * d), n, B, nV, d, red.block(k * size, n * nV));
        };
        next = nU > 0 ? run(0, 0) : null;
        for (let r0 = 0, k = 0; r0 < nU; r0 += per, k ^= 1) {
          const S = await next!;
          next = r0 + per < nU ? run(r0 + per, k ^ 1) : null;
          red.rows(S, Math.min(per, nU - r0));
        }
        red.finish(into);
      } finally {
        // A GEMM still writing into the heap must end before the heap is handed out again.
        await next?.catch(() => {});
        red.release();
      }
    }
    unpermuteRows(plan, into, out, nG);
  } finally {
    giveBackScratch(aBuf);
    giveBackScratch(bBuf);
  }
  return out;
}

/** Counts of one verification scoring run. */
export interface PairScoreStats {
  /** Pairs whose float64 native score was too close to a float32 rounding boundary and were recomputed canonically. */
  recomputed: number;
  /** Pairs scored on the native kernel. */
  native: number;
}

/**
 * Canonical verification scores ({@link exactTemplateScore} for every pair, bit for bit): cosines
 * accumulated in float64 in index order (2 × 2 blocked JS), the set reduction in float64, one
 * rounding to float32. Every kernel gives these exact bits, so verification metrics never depend on
 * the kernel.
 */
export function scoreTemplatePairsExact(A: PreparedTemplates, B: PreparedTemplates, pa: Int32Array, pb: Int32Array): Float32Array {
  if (pa.length !== pb.length) throw new RangeError(`scoreTemplatePairs: ${pa.length} vs ${pb.length} pair indices`);
  const out = new Float32Array(pa.length);
  const d = A.dim;
  const pooled = A.method === 'mean-feature' || A.method === 'media-pool';
  const quirk = A.method === 'set-min-mean-matlab';
  const oa = A.templates.offsets;
  const ob = B.templates.offsets;
  let S = new Float64Array(256);
  for (let p = 0; p < pa.length; p++) {
    const i = pa[p]!;
    const j = pb[p]!;
    const n1 = oa[i + 1]! - oa[i]!;
    const n2 = ob[j + 1]! - ob[j]!;
    if (n1 === 0 || n2 === 0) {
      out[p] = Number.NaN;
      continue;
    }
    if (pooled) {
      out[p] = exactTemplateScore(A, i, B, j);
      continue;
    }
    if (S.length < n1 * n2) S = new Float64Array(n1 * n2 * 2);
    dotBlock64(A.data, oa[i]!, n1, B.data, ob[j]!, n2, d, S, n2);
    out[p] = Math.fround(setScore(S, 0, n1, n2, n2, quirk));
  }
  return out;
}

/**
 * {@link scoreTemplatePairsExact}'s bits with the large set-score blocks on the native float64 GEMM
 * (`gemm.abt64`): pairs are grouped by a key template (PairGroups); a group whose cosines cost ≥
 * `gemm.minWork` multiply-adds is one call (the key's rows × the union of its partners' rows).
 * A float64 GEMM sums in another order than the canonical loop, so each score is within
 * δ = (d + n1 + n2 + 4)·2⁻⁵³ of the canonical float64 value; it rounds to the same float32 unless a
 * rounding boundary lies within δ, and those (≈ 1 in 10⁶) are recomputed canonically.
 */
export async function scoreTemplatePairsAsync(
  A: PreparedTemplates,
  B: PreparedTemplates,
  pa: Int32Array,
  pb: Int32Array,
  gemm: AsyncGemm,
  stats?: PairScoreStats,
): Promise<Float32Array> {
  if (A.method === 'mean-feature' || A.method === 'media-pool' || !gemm.abt64) return scoreTemplatePairsExact(A, B, pa, pb);
  if (pa.length !== pb.length) throw new RangeError(`scoreTemplatePairs: ${pa.length} vs ${pb.length} pair indices`);
  const d = A.dim;
  const oa = A.templates.offsets;
  const g = new PairGroups(A, B, pa, pb, stats);
  const minWork = gemm.minWork64 ?? gemm.minWork;
  // The per-group work is in PairGroups' methods: an async function holding these loops is re-optimised
  // (on-stack replacement, deoptimisation) several times per call.
  try {
    for (let i = 0; i < oa.length - 1; i++) {
      if (g.start[i] === g.start[i + 1]) continue;
      const n1 = oa[i + 1]! - oa[i]!;
      const cols = g.columns(i);
      if (n1 === 0) g.fill(i, Number.NaN);
      else if (n1 * cols > gemm.maxOutput) g.exact(i);
      else if (n1 * cols * d >= minWork) g.reduce(i, await gemm.abt64(g.rowsOf(i), n1, g.pack(), cols, d, g.scratch(n1 * cols)), cols, true);
      else g.canonical(i);
    }
  } finally {
    // After the last GEMM has returned: nothing writes into the buffers any more.
    g.release();
  }
  return g.out;
}

/**
 * The verification pairs of {@link scoreTemplatePairsAsync} grouped by a key template (a counting sort),
 * with one group's partner columns, packed partner rows and cosine scratch (reused by every group: no
 * per-group allocation, the many small blocks would keep the garbage collector busy).
 * When both ends come from the same templates (verification), a pair's key is the larger of its two templates
 * (the first on equal sizes), else its first: the partners' rows, gathered once per pair, are then the smaller
 * side, and the key's rows fill the kernel's row tiles (on the bench's IJB-A protocol 63 % fewer partner rows
 * than keying by the first template). A pair keyed by its second template has its block stored transposed and is
 * reduced by {@link setScoreT}: the same bits.
 */
class PairGroups {
  /** Pair indices by key template: those of template i are order[start[i] .. start[i+1]). */
  readonly start: Int32Array;
  readonly order: Int32Array;
  readonly out: Float32Array;
  /** Per pair: its partner (the template that is not its key), and 1 when its key is its second template. */
  private readonly partner: Int32Array;
  private readonly flip: Uint8Array;
  /** Column offset of each partner template within the current group (stamped with the group: no Map). */
  private readonly colAt: Int32Array;
  private readonly stamp: Int32Array;
  private readonly partners: number[] = [];
  private cols = 0;
  private Bu: Float32Array = new Float32Array(0);
  private Au: Float32Array = new Float32Array(0);
  private S: Float64Array = new Float64Array(0);
  private ix: IndexedGemm64 | null | undefined;

  constructor(
    readonly A: PreparedTemplates,
    readonly B: PreparedTemplates,
    readonly pa: Int32Array,
    readonly pb: Int32Array,
    readonly stats?: PairScoreStats,
  ) {
    const nA = A.templates.offsets.length - 1;
    const n = pa.length;
    const key = pa.slice();
    const partner = pb.slice();
    const flip = new Uint8Array(n);
    if (A === B) {
      const o = A.templates.offsets;
      for (let p = 0; p < n; p++) {
        const a = pa[p]!;
        const b = pb[p]!;
        if (o[b + 1]! - o[b]! > o[a + 1]! - o[a]!) {
          key[p] = b;
          partner[p] = a;
          flip[p] = 1;
        }
      }
    }
    const start = new Int32Array(nA + 1);
    for (let p = 0; p < n; p++) start[key[p]! + 1]!++;
    for (let i = 0; i < nA; i++) start[i + 1]! += start[i]!;
    const order = new Int32Array(n);
    const fill = start.slice(0, nA);
    for (let p = 0; p < n; p++) order[fill[key[p]!]!++] = p;
    this.partner = partner;
    this.flip = flip;
    this.start = start;
    this.order = order;
    this.out = new Float32Array(pa.length);
    const nB = B.templates.offsets.length - 1;
    this.colAt = new Int32Array(nB);
    this.stamp = new Int32Array(nB).fill(-1);
  }

  /** Collects the distinct partners of template i (their rows side by side) and returns the column count. */
  columns(i: number): number {
    const { order, partner, colAt, stamp, partners } = this;
    const ob = this.B.templates.offsets;
    partners.length = 0;
    let cols = 0;
    for (let q = this.start[i]!; q < this.start[i + 1]!; q++) {
      const j = partner[order[q]!]!;
      if (stamp[j] !== i) {
        stamp[j] = i;
        colAt[j] = cols;
        partners.push(j);
        cols += ob[j + 1]! - ob[j]!;
      }
    }
    this.cols = cols;
    return cols;
  }

  /** Every pair of template i gets `v`. */
  fill(i: number, v: number): void {
    for (let q = this.start[i]!; q < this.start[i + 1]!; q++) this.out[this.order[q]!] = v;
  }

  /** A huge group: per pair, canonically. */
  exact(i: number): void {
    for (let q = this.start[i]!; q < this.start[i + 1]!; q++) {
      const p = this.order[q]!;
      this.out[p] = exactTemplateScore(this.A, this.pa[p]!, this.B, this.pb[p]!);
    }
  }

  /** The partners' rows of the current group, packed (cols × d). */
  pack(): Float32Array {
    const d = this.B.dim;
    const ob = this.B.templates.offsets;
    if (this.Bu.length < this.cols * d) this.Bu = this.swap(this.Bu, lendF32(Math.max(this.cols * d, 2 * this.Bu.length)));
    for (const j of this.partners) copyMembers(this.B, ob[j]!, ob[j + 1]!, this.Bu, this.colAt[j]!);
    return this.Bu;
  }

  /** Template i's member rows (a view of packed data, or gathered into a reused buffer). */
  rowsOf(i: number): Float32Array {
    const oa = this.A.templates.offsets;
    const d = this.A.dim;
    if (!this.A.unit) return this.A.data.subarray(oa[i]! * d, oa[i + 1]! * d);
    const n = (oa[i + 1]! - oa[i]!) * d;
    if (this.Au.length < n) this.Au = this.swap(this.Au, lendF32(Math.max(n, 2 * this.Au.length)));
    copyMembers(this.A, oa[i]!, oa[i + 1]!, this.Au, 0);
    return this.Au.subarray(0, n);
  }

  /** Gives back `old` (a scratch buffer outgrown) and returns `b`. */
  private swap<T extends Float32Array | Float64Array>(old: T, b: T): T {
    giveBackScratch(old);
    return b;
  }

  /**
   * The indexed kernel for this batch: when it holds `unit` already, or when the batch's multiply-adds are at least 8 per
   * value of `unit` (copying the whole matrix in, ≈ 50 ms for IJB-A's 32 MB, would cost more than it saves on a few
   * pairs, e.g. search's near ties in a thread that has not scored verification).
   */
  private indexed(unit: Float32Array): IndexedGemm64 | null {
    if (this.ix === undefined) {
      const d = this.A.dim;
      const ix = indexedGemm64For(unit, d);
      let cosines = 0;
      if (ix && !ix.holds(unit)) {
        const oa = this.A.templates.offsets;
        const ob = this.B.templates.offsets;
        for (let p = 0; p < this.pa.length; p++) cosines += (oa[this.pa[p]! + 1]! - oa[this.pa[p]!]!) * (ob[this.pb[p]! + 1]! - ob[this.pb[p]!]!);
      }
      this.ix = ix && (ix.holds(unit) || cosines * d >= 8 * unit.length) ? ix : null;
    }
    return this.ix;
  }

  /** Gives the scratch buffers back (call once, when the scores are done). */
  release(): void {
    giveBackScratch(this.Bu);
    giveBackScratch(this.Au);
    giveBackScratch(this.S);
    this.Bu = new Float32Array(0);
    this.Au = new Float32Array(0);
    this.S = new Float64Array(0);
  }

  /** Cosine scratch of at least `n` float64 values. */
  scratch(n: number): Float64Array {
    if (this.S.length < n) this.S = this.swap(this.S, lendF64(Math.max(n, 2 * this.S.length)));
    return this.S;
  }

  /**
   * The group's set scores from cosines by the canonical float64 loop itself (exact bits, no check needed):
   * on the indexed wasm kernel when both sets read one normalised matrix (only row indices are passed; the
   * kernel gathers and promotes the rows from its resident copy), else on the wasm f64x2 kernel with the member
   * rows copied into its memory, else in JavaScript.
   */
  canonical(i: number): void {
    const oa = this.A.templates.offsets;
    const n1 = oa[i + 1]! - oa[i]!;
    const d = this.A.dim;
    const ob = this.B.templates.offsets;
    const unit = this.A.unit;
    const ix = unit && unit === this.B.unit ? this.indexed(unit) : null;
    if (ix) {
      // Row indices only: the kernel gathers and promotes the rows from its resident copy of the features.
      const ra = this.A.templates.rows;
      const rb = this.B.templates.rows;
      const r = ix.run(unit!, n1, this.cols, (ia, ib) => {
        ia.set(ra.subarray(oa[i]!, oa[i + 1]!));
        for (const j of this.partners) ib.set(rb.subarray(ob[j]!, ob[j + 1]!), this.colAt[j]!);
      });
      this.reduce(i, r.out, r.ld, false, ix);
      return;
    }
    const k = simdKernels();
    if (k && n1 * this.cols * d >= CANONICAL_SIMD_MIN_WORK) {
      const r = k.gemm64Rows(n1, this.cols, d, (f32, aAt, bAt) => {
        copyMembers(this.A, oa[i]!, oa[i + 1]!, f32, aAt / d);
        for (const j of this.partners) copyMembers(this.B, ob[j]!, ob[j + 1]!, f32, bAt / d + this.colAt[j]!);
      });
      this.reduce(i, r.out, r.ld, false);
      return;
    }
    const S = this.scratch(n1 * this.cols);
    dotBlock64(this.rowsOf(i), 0, n1, this.pack(), 0, this.cols, d, S, this.cols, { js: true });
    this.reduce(i, S, this.cols, false);
  }

  /**
   * Set scores of template i's pairs from its cosines R (n1 × cols). Native (any summation order): each
   * score is within δ = (d + n1 + n2 + 4)·2⁻⁵³ of the canonical float64 value and kept when both ends
   * round to the same float32, else recomputed canonically. With `ix`, R is its last output and the set scores
   * are reduced there (same bits, in wasm).
   */
  reduce(i: number, R: Float64Array, ld: number, native: boolean, ix?: IndexedGemm64): void {
    const { order, partner, flip, out, stats } = this;
    const oa = this.A.templates.offsets;
    const ob = this.B.templates.offsets;
    const n1 = oa[i + 1]! - oa[i]!;
    const quirk = this.A.method === 'set-min-mean-matlab';
    const eps = 2 ** -53;
    const d = this.A.dim;
    for (let q = this.start[i]!; q < this.start[i + 1]!; q++) {
      const p = order[q]!;
      const j = partner[p]!;
      const n2 = ob[j + 1]! - ob[j]!;
      if (n2 === 0) {
        out[p] = Number.NaN;
        continue;
      }
      // Keyed by its second template: the block holds that template's rows, the pair's first template's columns.
      const v =
        ix && !(quirk && (n1 === 1 || n2 === 1))
          ? ix.setScore(this.colAt[j]!, n1, n2, !flip[p])
          : flip[p]
            ? setScoreT(R, this.colAt[j]!, n2, n1, ld, quirk)
            : setScore(R, this.colAt[j]!, n1, n2, ld, quirk);
      if (!native) {
        out[p] = Math.fround(v);
        continue;
      }
      const delta = (d + n1 + n2 + 4) * eps * 1.01;
      const lo = Math.fround(v - delta);
      if (lo === Math.fround(v + delta) || Number.isNaN(v)) out[p] = lo;
      else {
        out[p] = exactTemplateScore(this.A, this.pa[p]!, this.B, this.pb[p]!);
        if (stats) stats.recomputed++;
      }
      if (stats) stats.native++;
    }
  }
}

/**
 * Bound on |fast score − canonical score| for unit features of dimension d, whatever the kernel
 * (any summation order, FMA or not, float32 accumulation): |fl(x·y) − x·y| ≤ γ_d Σ|x_k y_k| ≤ γ_d ‖x‖‖y‖
 * with γ_d = d·u/(1 − d·u), u = 2⁻²⁴; min and mean are 1-Lipschitz; plus the float32 roundings of the
 * stored cosine, the stored score and the canonical score (2⁻²⁴ each, scores ≤ 1 in magnitude).
 */
export function scoreErrorBound(d: number): number {
  const u = 2 ** -24;
  const norm = 1 + 2 * d * u; // float32 unit rows are unit up to rounding
  return ((d * u) / (1 - d * u)) * norm * norm + 3 * u;
}

/** Canonical dot product: float64 accumulation in index order (every JS engine gives the same bits). */
function exactDot(A: Float32Array, a: number, B: Float32Array, b: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += A[a + k]! * B[b + k]!;
  return s;
}

/**
 * The canonical score of template pair (i of A, j of B): cosines as {@link exactDot}, then the same
 * set reduction in float64, rounded once to float32. Independent of any kernel; used to settle the
 * near-ties that decide a metric (refine.ts).
 */
export function exactTemplateScore(A: PreparedTemplates, i: number, B: PreparedTemplates, j: number): number {
  const d = A.dim;
  const oa = A.templates.offsets;
  const ob = B.templates.offsets;
  const n1 = oa[i + 1]! - oa[i]!;
  const n2 = ob[j + 1]! - ob[j]!;
  if (n1 === 0 || n2 === 0) return Number.NaN;
  if (A.method === 'mean-feature' || A.method === 'media-pool') return Math.fround(exactDot(A.data, i * d, B.data, j * d, d));
  const S = new Float64Array(n1 * n2);
  const [a, ar] = templateRows(A, i);
  const [b, br] = templateRows(B, j);
  dotBlock64(a, ar, n1, b, br, n2, d, S, n2); // same bits as exactDot per element
  const maxOf = (from: number, count: number, stride: number): number => {
    let m = -Infinity;
    for (let k = 0; k < count; k++) m = maxNaN(m, S[from + k * stride]!);
    return m;
  };
  if (A.method === 'set-min-mean-matlab' && (n1 === 1 || n2 === 1)) return Math.fround(maxOf(0, n1 * n2, 1));
  let sum = 0;
  for (let a = 0; a < n1; a++) sum += maxOf(a * n2, n2, 1);
  for (let b = 0; b < n2; b++) sum += maxOf(b, n1, n2);
  return Math.fround(sum / (n1 + n2));
}
